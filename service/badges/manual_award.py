"""Awarding a badge by hand to one student, citing scored evidence: the action
behind POST /api/v1/badge-classes/<id>/awards and the page
/badges/classes/<id>/award-one. Only a teacher of the student may; at least one
cited version must have been officially scored. Commits (issuance does).
"""
from __future__ import annotations

import uuid

from ..errors import Problem, field_error, validation_problem
from ..extensions import db
from ..models import Person
from ..policies import allowed
from . import issuance
from .mastery import AssessmentMastery
from .models import Award, BadgeClass
from .policies import may_issue_to


def issue_by_hand(actor: Person, badge_class: BadgeClass, recipient_id, evidence_version_ids: list, *,
                  results: list | None = None, narrative: str | None = None) -> tuple[Award, bool]:
    """(award, created). 422 names `recipient_id` or `evidence_version_ids`; 403 for a
    non-teacher of the student; 409 when issuance refuses (archived class, foreign work)."""
    student = db.session.get(Person, recipient_id) if recipient_id else None
    if student is None or not allowed(actor, "view", student):
        raise validation_problem([field_error("recipient_id", "is not a student you teach")])
    if not may_issue_to(actor, student):
        raise Problem(403, "Only a teacher of this student's sections may issue them a badge.")
    version_ids = [uuid.UUID(str(v)) for v in evidence_version_ids]
    source = AssessmentMastery()
    if not version_ids or not any(source.is_scored(v) for v in version_ids):
        raise validation_problem([field_error("evidence_version_ids",
                                              "at least one piece of evidence must have been scored")])
    results = results or source.results_for_versions(student.id, version_ids, badge_class)
    unit = issuance.Unit(student, version_ids, results, narrative or None)
    try:
        outcome = issuance.issue(badge_class, unit, source_kind="manual", actor=actor)
    except issuance.IssuanceRefused as exc:
        db.session.rollback()
        raise Problem(409, str(exc)) from None
    return outcome.award, outcome.created


def scored_evidence(student: Person) -> list[dict]:
    """The student's scored work a badge may cite: [{version_id, title, number, submission, scored_at}]."""
    from ..assessment import facts
    from ..portfolio.models import ArtifactVersion

    scored = facts.scored_versions(student.id)
    versions = {v.id: v for v in db.session.scalars(db.select(ArtifactVersion).where(
        ArtifactVersion.id.in_([version_id for version_id, _, _ in scored])))}
    return [{"version_id": version_id, "title": versions[version_id].artifact.title,
             "number": versions[version_id].number, "submission": title, "scored_at": scored_at}
            for version_id, title, scored_at in scored if version_id in versions]
