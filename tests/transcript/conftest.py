import pytest

from tests.support.assessment import item, scored_submission, writing_framework, writing_rubric


@pytest.fixture
def tschool(factory):
    """A school whose student s1 has one honors course (two writing competencies, scored 4 and 3),
    a habit-of-work score and one issued badge aligned to the first competency."""
    from service.assessment.models import CourseCompetency
    from service.extensions import db
    from service.models import Course
    from tests.support.badge_fixtures import award_badge, badge_class

    data = factory.school()
    org = data["org"]
    data["s1"].external_id = "S-0001"
    framework = writing_framework(org.id, data["admin"])
    rubric = writing_rubric(org.id, framework, data["t1"])
    course = Course(organization_id=org.id, code="ELA9H", title="English 9 Honors", subject="English Language Arts",
                    credit_value=1, level="honors")
    db.session.add(course)
    db.session.flush()
    for ident in ("ela-w-1", "ela-w-2"):
        db.session.add(CourseCompetency(course_id=course.id, competency_id=item(framework, ident).id))
    data["sec1"].course_id = course.id
    data["sec1"].term = "Fall"
    db.session.commit()
    scored_submission(data["s1"], data["sec1"], rubric, data["t1"],
                      {"Claim and evidence": 4, "Organisation": 3, "Timeliness": 2})
    db.session.commit()
    bc = badge_class(org, name="Argument Writer")
    bc.alignments = [{"targetName": "Write arguments", "targetUrl": "https://badges.test/c/ela-w-1",
                      "competency_id": str(item(framework, "ela-w-1").id)}]
    db.session.commit()
    data["badge"] = award_badge(org, bc, data["s1"])
    data.update(framework=framework, rubric=rubric, course=course)
    return data


@pytest.fixture
def issued(tschool):
    from service.transcript import lifecycle

    t = lifecycle.request_transcript(tschool["s1"], actor=tschool["s1"])
    return lifecycle.issue(t, actor=tschool["admin"])
