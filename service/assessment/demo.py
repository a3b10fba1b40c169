"""Demo content: an ELA writing framework, the 4-level scale, an aligned
rubric, a little scored evidence, scores in an earlier term (reports span two
terms) and a submission returned for revision. Loading twice changes nothing."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ..extensions import db
from .framework_import import read_csv
from .frameworks import save_draft
from .models import Competency, CourseCompetency, Framework, Rubric, Submission
from .rubrics import create_rubric
from .settings import scale_for, settings_for

DEMO_FRAMEWORK = "demo-ela-writing"
FRAMEWORK_CSV = """identifier,parent,human_code,statement,item_type,grade_levels
ela-w,,ELA.W,Writing,Domain,9;10;11;12
ela-w-1,ela-w,ELA.W.1,Write arguments to support claims with clear reasons and relevant evidence,Competency,9;10
ela-w-1-a,ela-w-1,ELA.W.1.a,I can introduce a precise claim and distinguish it from counterclaims,Learning Target,9
ela-w-1-b,ela-w-1,ELA.W.1.b,I can develop a claim with relevant evidence and reasoning,Learning Target,10
ela-w-2,ela-w,ELA.W.2,Write informative texts that convey complex ideas clearly,Competency,9;10
ela-w-2-a,ela-w-2,ELA.W.2.a,I can organise ideas into a coherent whole,Learning Target,9
ela-w-3,ela-w,ELA.W.3,Use precise language and conventions of standard English,Competency,9;10;11
"""
LEVELS = [{"label": label, "points": value, "proficiency_value": value}
          for value, label in enumerate(["Beginning", "Developing", "Proficient", "Advanced"], start=1)]
# (student index, days ago, levels for claim, organisation, conventions, timeliness)
SCORES = [(0, 60, (2, 2, 3, 3)), (0, 20, (3, 3, 4, 4)), (1, 40, (3, 2, 2, 2)), (2, 30, (4, 4, 3, 3)),
          (2, 5, (4, 3, 4, 4))]


def load_demo(context) -> None:
    org, teacher = context["organization"], context["teacher"]
    scale_for(org.id)
    settings_for(org.id)
    framework = db.session.scalar(db.select(Framework).where(Framework.organization_id == org.id,
                                                             Framework.source_identifier == DEMO_FRAMEWORK))
    if framework is None:
        draft = read_csv(FRAMEWORK_CSV, "ELA Writing (grades 9-12)", subject="English Language Arts")
        draft.source_identifier = DEMO_FRAMEWORK
        framework = save_draft(org.id, draft, actor=context["admin"], school_year="2026-2027")
    items = {c.identifier: c for c in db.session.scalars(db.select(Competency).where(
        Competency.framework_id == framework.id))}
    competencies = [items["ela-w-1"], items["ela-w-2"], items["ela-w-3"]]
    for competency in competencies:
        if db.session.scalar(db.select(CourseCompetency.id).where(
                CourseCompetency.course_id == context["course"].id,
                CourseCompetency.competency_id == competency.id)) is None:
            db.session.add(CourseCompetency(course_id=context["course"].id, competency_id=competency.id))
    rubric = db.session.scalar(db.select(Rubric).where(Rubric.organization_id == org.id,
                                                       Rubric.title == "Argument essay"))
    if rubric is None:
        rubric = create_rubric(org.id, {"title": "Argument essay", "description": "Grade 9-10 argument writing",
                                        "levels": LEVELS, "criteria": [
            {"title": "Claim and evidence", "competency_ids": [items["ela-w-1"].id],
             "descriptors": ["No clear claim", "A claim with little support", "A clear claim with relevant evidence",
                             "A precise claim with compelling, well-chosen evidence"]},
            {"title": "Organisation", "competency_ids": [items["ela-w-2"].id], "descriptors": []},
            {"title": "Language and conventions", "competency_ids": [items["ela-w-3"].id], "descriptors": []},
            {"title": "Timeliness", "kind": "habit", "competency_ids": [], "descriptors": []}]},
            actor=teacher)
    if db.session.scalar(db.select(Submission.id).where(Submission.organization_id == org.id).limit(1)) is None:
        _scored_evidence(context, rubric, items["ela-w-1"])
    people = context.get("people") or {}
    ava, ben = people.get("ava@riverside.example"), people.get("ben@riverside.example")
    if ava is None or ben is None:
        return
    if db.session.scalar(db.select(Submission.id).where(Submission.title == "Last term: persuasive letter")) is None:
        _earlier_term(context, rubric, items["ela-w-1"], ava, ben)
    if db.session.scalar(db.select(Submission.id).where(Submission.title == "Research summary draft")) is None:
        _returned(context, rubric, items["ela-w-2"], ben)
    db.session.commit()


def _version(student, title: str, at: datetime, url: str):
    """A one-version link artifact of the student's, dated ``at`` (something to submit)."""
    from ..portfolio.models import Artifact, ArtifactVersion

    artifact = Artifact(owner_id=student.id, organization_id=student.organization_id, kind="link", title=title,
                        created_at=at)
    db.session.add(artifact)
    db.session.flush()
    version = ArtifactVersion(artifact_id=artifact.id, number=1, url=url, created_by_id=student.id, created_at=at)
    db.session.add(version)
    db.session.flush()
    return version


def _scored_evidence(context, rubric, competency) -> None:
    from .scoring import score, submit

    now = datetime.now(timezone.utc)
    level_ids = {lv.proficiency_value: lv.id for lv in rubric.levels}
    for n, (index, days, values) in enumerate(SCORES):
        student = context["students"][index]
        at = now - timedelta(days=days)
        version = _version(student, f"Argument essay {n + 1}", at, "https://docs.example/essay")
        submission = submit(student, section_id=context["section"].id, rubric_id=rubric.id,
                            artifact_version_ids=[version.id], title=f"Argument essay {n + 1}",
                            competency_id=competency.id)
        submission.submitted_at = at
        assessment = score(submission, context["teacher"], {"scores": [
            {"criterion_id": c.id, "level_id": level_ids[v], "feedback": None}
            for c, v in zip(rubric.criteria, values)], "feedback": "Demo score"})
        assessment.assessed_at = submission.scored_at = at + timedelta(days=2)
    db.session.flush()


def _earlier_term(context, rubric, competency, *students) -> None:
    """Scores from the spring term (about five months ago): reports span two terms."""
    from .scoring import score, submit

    levels = {lv.proficiency_value: lv.id for lv in rubric.levels}
    now = datetime.now(timezone.utc)
    for student, days, values in ((students[0], 170, (1, 2, 2, 2)), (students[1], 150, (2, 1, 2, 3))):
        at = now - timedelta(days=days)
        version = _version(student, "Last term: persuasive letter", at, "https://docs.example/work")
        submission = submit(student, section_id=context["section"].id, rubric_id=rubric.id,
                            artifact_version_ids=[version.id], title="Last term: persuasive letter",
                            competency_id=competency.id)
        submission.submitted_at = at
        assessment = score(submission, context["teacher"], {"scores": [
            {"criterion_id": c.id, "level_id": levels[v], "feedback": None}
            for c, v in zip(rubric.criteria, values, strict=False)], "feedback": "Spring term"})
        assessment.assessed_at = submission.scored_at = at + timedelta(days=3)
    db.session.flush()


def _returned(context, rubric, competency, student) -> None:
    from .scoring import return_for_revision, submit

    version = _version(student, "Research summary draft", datetime.now(timezone.utc) - timedelta(days=4),
                       "https://docs.example/work")
    submission = submit(student, section_id=context["section"].id, rubric_id=rubric.id,
                        artifact_version_ids=[version.id], title="Research summary draft",
                        competency_id=competency.id)
    return_for_revision(submission, context["teacher"], "Cite at least two sources and add a conclusion.")
    db.session.flush()
