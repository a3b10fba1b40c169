"""Stored mastery always agrees with the live calculation: after scoring,
backdating, settings changes, new framework versions and calibration scores,
for the current state and (through the mastered intervals) for whether a
competency was mastered at any past instant."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


from service import jobs
from service.assessment import mastery_store
from service.assessment.models import Competency, MasteryInterval, MasteryState, MasteryStateBuild
from service.assessment.progress import mastery_table
from service.extensions import db
from tests.support.assessment import scored_submission, writing_school  # noqa: F401  (the `school` fixture)


def _competencies(org_id):
    return list(db.session.scalars(db.select(Competency).where(Competency.organization_id == org_id)
                                   .order_by(Competency.identifier, Competency.id)))


def _mastered_at(student_id, competency_id, at) -> bool:
    spans = db.session.scalars(db.select(MasteryInterval).where(
        MasteryInterval.student_id == student_id, MasteryInterval.competency_id == competency_id)).all()
    assert sum(1 for s in spans if s.first) == (1 if spans else 0)
    return any(s.mastered_from <= at and (s.mastered_until is None or s.mastered_until > at) for s in spans)


def _assert_agrees(school, instants=()):
    jobs.join_threads()  # a settings change or a new framework rebuilds in a background job
    db.session.expire_all()
    students = [school["s1"].id, school["s2"].id, school["s3"].id]
    competencies = _competencies(school["org"].id)
    live = mastery_table(students, competencies)
    stored = mastery_store.current_table(students, competencies)
    assert {k: (v.level, v.mastered, v.evidence_count) for k, v in stored.items()} == \
           {k: (v.level, v.mastered, v.evidence_count) for k, v in live.items()}
    for at in instants:
        past = mastery_table(students, competencies, as_of=at)
        for (s, c), result in past.items():
            assert _mastered_at(s, c, at) == result.mastered, (s, c, at)


def test_states_follow_scoring_settings_and_framework_versions(school):
    from service.assessment.settings import settings_for

    now = datetime.now(timezone.utc)
    s1, s2, t1, sec1, rubric = school["s1"], school["s2"], school["t1"], school["sec1"], school["rubric"]
    mastery_store.ensure_built(school["org"].id)  # built (empty) before any score
    assert db.session.get(MasteryStateBuild, school["org"].id) is not None
    scored_submission(s1, sec1, rubric, t1, {"Claim and evidence": 2, "Organisation": 3}, at=now - timedelta(days=90))
    db.session.commit()
    _assert_agrees(school)
    # Scores committed later, one backdated between the others.
    scored_submission(s1, sec1, rubric, t1, {"Claim and evidence": 4, "Organisation": 2}, at=now - timedelta(days=10))
    scored_submission(s1, sec1, rubric, t1, {"Claim and evidence": 3, "Organisation": 4}, at=now - timedelta(days=40))
    scored_submission(s2, sec1, rubric, t1, {"Claim and evidence": 4, "Organisation": 4}, at=now - timedelta(days=30))
    scored_submission(s2, sec1, rubric, t1, {"Claim and evidence": 1, "Organisation": 1}, at=now - timedelta(days=5))
    db.session.commit()
    instants = [now - timedelta(days=d) for d in (100, 89, 50, 39, 29, 20, 9, 4, 1)]
    _assert_agrees(school, instants)

    # A change of mastery method rebuilds the organization's states.
    settings = settings_for(school["org"].id)
    settings.mastery_method = "highest"
    db.session.commit()
    _assert_agrees(school, instants)
    settings.mastery_method = "n_at_or_above"
    settings.evidence_required = 2
    db.session.commit()
    _assert_agrees(school, instants)

    # A new framework version's items get the history of their identifiers.
    from service.assessment.frameworks import new_version

    new_version(school["framework"], actor=school["admin"], school_year="2027-2028")
    db.session.commit()
    _assert_agrees(school, instants)


def test_calibration_scores_and_rollbacks_leave_states_alone(school):
    from service.assessment.scoring import score
    from tests.support.assessment import artifact_version, level_ids

    s1, t1, sec1, rubric = school["s1"], school["t1"], school["sec1"], school["rubric"]
    mastery_store.ensure_built(school["org"].id)
    scored_submission(s1, sec1, rubric, t1, {"Claim and evidence": 3})
    db.session.commit()
    before = db.session.scalar(db.select(db.func.count(MasteryState.id)))
    assert before > 0
    # A scoring that rolls back leaves nothing behind (and nothing pending).
    scored_submission(s1, sec1, rubric, t1, {"Claim and evidence": 4})
    db.session.rollback()
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(MasteryState.id))) == before
    _assert_agrees(school)
    from service.assessment.scoring import submit

    version = artifact_version(s1)
    submission = submit(s1, section_id=sec1.id, rubric_id=rubric.id, artifact_version_ids=[version.id],
                        title="Calibration piece", competency_id=rubric.criteria[0].alignments[0].competency_id)
    from service.assessment.models import CalibrationSession

    calibration = CalibrationSession(organization_id=school["org"].id, created_by_id=t1.id, rubric_id=rubric.id,
                                     title="Moderation")
    db.session.add(calibration)
    db.session.flush()
    ids = level_ids(rubric)
    score(submission, t1, {"scores": [{"criterion_id": c.id, "level_id": ids[1]} for c in rubric.criteria]},
          kind="calibration", calibration_id=calibration.id)
    db.session.commit()
    _assert_agrees(school)


def test_an_organization_is_built_on_first_read(school):
    s1, t1, sec1, rubric = school["s1"], school["t1"], school["sec1"], school["rubric"]
    scored_submission(s1, sec1, rubric, t1, {"Claim and evidence": 4, "Organisation": 4})
    db.session.commit()
    # Never built: scoring did not write states (the first read builds everything).
    assert db.session.get(MasteryStateBuild, school["org"].id) is None
    _assert_agrees(school)
    assert db.session.get(MasteryStateBuild, school["org"].id) is not None
