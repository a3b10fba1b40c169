"""Submissions, scoring, returning for revision and reassessment.

Callers authorize first (policies) and commit after; these functions check
the domain rules and write the rows and their audit events.
"""
from __future__ import annotations

import uuid

from flask import current_app
from sqlalchemy.orm import joinedload

from .. import audit, events
from ..errors import Problem, field_error, validation_problem
from ..extensions import commit_keeping_loaded, db
from ..models import Enrolment, utcnow
from ..portfolio.artifacts import lock_versions
from ..portfolio.models import Artifact, ArtifactVersion
from . import badge_links
from .models import (Assessment, Competency, CriterionAlignment, CriterionScore, Rubric, Submission,
                     SubmissionEvidence)
from .settings import settings_for


def submit(student, *, section_id: uuid.UUID, rubric_id: uuid.UUID, artifact_version_ids: list[uuid.UUID],
           title: str, competency_id: uuid.UUID | None = None, badge_class_id: uuid.UUID | None = None,
           note: str | None = None, previous: Submission | None = None, actor=None) -> Submission:
    errors = []
    enrolled = db.session.scalar(db.select(Enrolment.id).where(
        Enrolment.section_id == section_id, Enrolment.person_id == student.id, Enrolment.role == "student"))
    if enrolled is None:
        errors.append(field_error("section_id", "the student is not enrolled in this section"))
    rubric = db.session.get(Rubric, rubric_id)
    if rubric is None or rubric.organization_id != student.organization_id:
        errors.append(field_error("rubric_id", "is not a rubric of your organization"))
    if competency_id is None and badge_class_id is None:
        errors.append(field_error("competency_id", "name the competency or the badge this is evidence for"))
    if competency_id is not None:
        competency = db.session.get(Competency, competency_id)
        if competency is None or competency.organization_id != student.organization_id:
            errors.append(field_error("competency_id", "is not a competency of your organization"))
    if badge_class_id is not None:
        if not badge_links.belongs_to(badge_class_id, student.organization_id):
            errors.append(field_error("badge_class_id", "is not a badge of your organization"))
    versions = _student_versions(student, artifact_version_ids, errors)
    if previous is not None:
        _check_reassessment(student, previous, versions, errors)
    _check_not_submitted_elsewhere(versions, previous, errors)
    if errors:
        raise validation_problem(errors)
    submission = Submission(organization_id=student.organization_id, student_id=student.id, section_id=section_id,
                            rubric_id=rubric.id, competency_id=competency_id, badge_class_id=badge_class_id,
                            title=title, note=note, status="submitted",
                            attempt=previous.attempt + 1 if previous else 1,
                            previous_id=previous.id if previous else None)
    submission.evidence = [SubmissionEvidence(artifact_version_id=v.id) for v in versions]
    db.session.add(submission)
    db.session.flush()
    # Evidence must stay exactly what the teacher scored.
    lock_versions(versions, f"evidence for “{submission.title}”"[:200])  # read by people: a title, not an id
    audit.record("submission.create", obj=submission, actor=actor or student, attempt=submission.attempt,
                 versions=[str(v.id) for v in versions])
    return submission


def _student_versions(student, ids, errors) -> list[ArtifactVersion]:
    if not ids:
        errors.append(field_error("artifact_version_ids", "submit at least one artifact version"))
        return []
    rows = db.session.execute(db.select(ArtifactVersion, Artifact.owner_id).join(Artifact)
                              .where(ArtifactVersion.id.in_(ids))).all()
    owned = {v.id: v for v, owner in rows if owner == student.id}
    for vid in ids:
        if vid not in owned:
            errors.append(field_error("artifact_version_ids", f"{vid} is not a version of your own artifacts"))
    return [owned[v] for v in dict.fromkeys(ids) if v in owned]


def _check_reassessment(student, previous: Submission, versions, errors) -> None:
    if previous.student_id != student.id:
        errors.append(field_error("previous_id", "is not one of your submissions"))
        return
    if previous.status not in ("returned", "scored"):
        errors.append(field_error("previous_id", "that attempt is still waiting for its review"))
    newer = db.session.scalar(db.select(Submission.id).where(Submission.previous_id == previous.id))
    if newer is not None:
        errors.append(field_error("previous_id", "a later attempt already exists; reassess from the latest"))
    if settings_for(student.organization_id).reassessment_requires_new_evidence:
        earlier = set(db.session.scalars(db.select(SubmissionEvidence.artifact_version_id).where(
            SubmissionEvidence.submission_id.in_(attempt_ids(previous)))))
        since = previous.returned_at or previous.scored_at or previous.submitted_at
        fresh = [v for v in versions if v.id not in earlier and v.created_at > since]
        if not fresh:
            errors.append(field_error("artifact_version_ids", "your school asks for new evidence of further work "
                                      "(an artifact version added since the last attempt) before reassessment"))


def _check_not_submitted_elsewhere(versions, previous: Submission | None, errors) -> None:
    # A piece of evidence belongs to one submission and its reassessments:
    # submitting it again as a fresh attempt would count it twice toward mastery.
    if not versions:
        return
    chain = set(attempt_ids(previous)) if previous is not None else set()
    rows = db.session.execute(
        db.select(SubmissionEvidence.artifact_version_id, Submission.id, Submission.title)
        .join(Submission, Submission.id == SubmissionEvidence.submission_id)
        .where(SubmissionEvidence.artifact_version_id.in_([v.id for v in versions]))).all()
    titles = {v.id: f"“{v.artifact.title}” version {v.number}" for v in versions}
    reported = set()
    for version_id, submission_id, title in rows:
        if submission_id not in chain and version_id not in reported:
            reported.add(version_id)
            errors.append(field_error("artifact_version_ids",
                                      f"{titles[version_id]} was already submitted as “{title}”. "
                                      "Ask for a reassessment of that submission instead."))


def attempt_ids(submission: Submission) -> list[uuid.UUID]:
    """This attempt and every earlier one."""
    ids, node = [], submission
    while node is not None:
        ids.append(node.id)
        node = db.session.get(Submission, node.previous_id) if node.previous_id else None
    return ids


def score(submission: Submission, assessor, data: dict, *, kind: str = "official",
          calibration_id: uuid.UUID | None = None) -> Assessment:
    """Score every criterion of the submission's rubric version.

    `data`: {"scores": [{"criterion_id", "level_id", "feedback"}], "feedback"}."""
    if kind == "official" and submission.status != "submitted":
        raise Problem(409, f"This submission is {submission.status}; only a submitted attempt can be scored. "
                           "A reassessment is a new attempt.")
    rubric = _rubric_outline(submission.rubric_id if calibration_id is None else _calibration_rubric(calibration_id))
    criteria = {c.id: c for c in rubric.criteria}
    levels = {lv.id: lv for lv in rubric.levels}
    errors, seen = [], set()
    for n, entry in enumerate(data.get("scores") or []):
        if entry["criterion_id"] not in criteria:
            errors.append(field_error(f"scores.{n}.criterion_id", "is not a criterion of this rubric version"))
        elif entry["criterion_id"] in seen:
            errors.append(field_error(f"scores.{n}.criterion_id", "is scored twice"))
        seen.add(entry["criterion_id"])
        if entry["level_id"] not in levels:
            errors.append(field_error(f"scores.{n}.level_id", "is not a level of this rubric version"))
    missing = [c.title for cid, c in criteria.items() if cid not in seen]
    if missing:
        errors.append(field_error("scores", f"score every criterion; missing: {', '.join(missing)}"))
    if errors:
        raise validation_problem(errors)
    assessment = Assessment(organization_id=submission.organization_id, submission_id=submission.id,
                            assessor_id=assessor.id, rubric_id=rubric.id, kind=kind, calibration_id=calibration_id,
                            feedback=data.get("feedback"), assessed_at=utcnow())
    for entry in data["scores"]:
        level = levels[entry["level_id"]]
        assessment.scores.append(CriterionScore(criterion_id=entry["criterion_id"], level_id=level.id,
                                                points=level.points, level_value=level.proficiency_value,
                                                feedback=entry.get("feedback")))
    db.session.add(assessment)
    if kind == "official":
        submission.status, submission.scored_at = "scored", assessment.assessed_at
    db.session.flush()
    audit.record("submission.score" if kind == "official" else "calibration.score", obj=submission,
                 actor=assessor, assessment_id=str(assessment.id), rubric_id=str(rubric.id),
                 rubric_version=rubric.version)
    if kind == "official":
        events.submission_scored.send(current_app._get_current_object(), submission=submission,
                                      assessment=assessment)
    return assessment


def _calibration_rubric(calibration_id) -> uuid.UUID:
    from .models import CalibrationSession

    return db.session.get(CalibrationSession, calibration_id).rubric_id


def _rubric_outline(rubric_id: uuid.UUID) -> Rubric:
    """The rubric with its criteria in one query (its levels load lazily: joining both
    collections multiplied the rows, and cost more Python than the query saved)."""
    return db.session.scalars(db.select(Rubric).where(Rubric.id == rubric_id).options(
        joinedload(Rubric.criteria))).unique().one()


def return_for_revision(submission: Submission, teacher, feedback: str) -> Submission:
    if submission.status != "submitted":
        raise Problem(409, f"This submission is {submission.status}; only a submitted attempt can be returned.")
    if not (feedback or "").strip():
        raise validation_problem([field_error("feedback", "tell the student what to revise")])
    submission.status, submission.returned_at, submission.return_feedback = "returned", utcnow(), feedback
    audit.record("submission.return", obj=submission, actor=teacher)
    events.submission_returned.send(current_app._get_current_object(), submission=submission)
    return submission


def score_submission(submission: Submission, assessor, data: dict) -> Assessment:
    """The scoring action, shared by the page and the API: the score, its
    audit event and whatever other features queue on hearing of it commit in
    one transaction. What they do with it happens after the commit (badges
    check their rules in a job) and can never undo the score."""
    assessment = score(submission, assessor, data)
    announce_mastery_change(assessment)
    commit_keeping_loaded()  # the answer is the assessment just written: no reading it back
    return assessment


def announce_mastery_change(assessment: Assessment) -> None:
    """Tell other features (badges) inside the scoring transaction, before its
    commit; receivers only add rows to it (service/events.py)."""
    if assessment.kind != "official":
        return
    criterion_ids = [s.criterion_id for s in assessment.scores]
    competency_ids = sorted(set(db.session.scalars(db.select(CriterionAlignment.competency_id).where(
        CriterionAlignment.criterion_id.in_(criterion_ids)))), key=str) if criterion_ids else []
    if competency_ids:
        events.mastery_changed.send(current_app._get_current_object(),
                                    student_id=assessment.submission.student_id, competency_ids=competency_ids,
                                    organization_id=assessment.organization_id)

