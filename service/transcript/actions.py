"""The action layer the API and the pages share: load, authorize, act, answer
problems naming the field. Views stay thin; rules live in lifecycle/policies."""
from __future__ import annotations

import uuid
from decimal import Decimal

from .. import audit
from ..errors import Problem, field_error, validation_problem
from ..extensions import db
from ..models import Course, Organization, Person, Role
from ..policies import authorize
from . import lifecycle
from .models import RequirementSet, Transcript, TranscriptShare
from .policies import may_request_for
from .policy import RulesError

COURSE_LEVELS = ("standard", "honors", "ap")


def _lifecycle(fn, *args, **kw):
    try:
        return fn(*args, **kw)
    except lifecycle.LifecycleError as exc:
        db.session.rollback()
        raise Problem(409, str(exc)) from None


def get_transcript(actor, transcript_id, action: str = "view") -> Transcript:
    transcript = db.session.get(Transcript, transcript_id)
    authorize(actor, action, transcript, what="transcript")
    return transcript


def request_for(actor: Person, student_id: uuid.UUID | None, note: str | None) -> Transcript:
    student = db.session.get(Person, student_id) if student_id else actor
    if student is None or student.organization_id != actor.organization_id or student.role != Role.STUDENT.value:
        raise validation_problem([field_error("student_id", "is not a student of your school")])
    if not may_request_for(actor, student):
        raise Problem(403, "You may request transcripts only for yourself (or, as an admin, for your students).")
    return _lifecycle(lifecycle.request_transcript, student, actor=actor, note=note)


def issue(actor, transcript_id) -> Transcript:
    return _lifecycle(lifecycle.issue, get_transcript(actor, transcript_id, "review"), actor=actor)


def decline(actor, transcript_id, reason: str) -> Transcript:
    return _lifecycle(lifecycle.decline, get_transcript(actor, transcript_id, "review"), actor=actor, reason=reason)


def revoke(actor, transcript_id, reason: str) -> Transcript:
    return _lifecycle(lifecycle.revoke, get_transcript(actor, transcript_id, "review"), actor=actor, reason=reason)


def share(actor, transcript_id, days: int) -> tuple[TranscriptShare, str]:
    return _lifecycle(lifecycle.share, get_transcript(actor, transcript_id, "share"), actor=actor, days=days)


def end_share(actor, transcript_id, share_id) -> None:
    transcript = get_transcript(actor, transcript_id, "share")
    row = db.session.get(TranscriptShare, share_id)
    if row is None or row.transcript_id != transcript.id:
        raise Problem(404, "No such link.")
    lifecycle.end_share(row, actor=actor)


def issued_only(transcript: Transcript) -> Transcript:
    if transcript.credential is None:
        raise Problem(409, f"This transcript is {transcript.status}; nothing has been issued yet.")
    return transcript


# -- organization settings (admins) -----------------------------------------------------------
def _own_org(actor) -> Organization:
    org = db.session.get(Organization, actor.organization_id)
    authorize(actor, "manage", org, what="organization")
    return org


def save_policy(actor, rules: dict, note: str | None):
    org = _own_org(actor)
    try:
        return lifecycle.save_policy(org, rules, actor=actor, note=note)
    except RulesError as exc:
        db.session.rollback()
        raise validation_problem([field_error(f"rules.{f}", r) for f, r in exc.errors]) from None


def save_profile(actor, values: dict):
    return lifecycle.save_profile(_own_org(actor), values, actor=actor)


def update_course(actor, course_id, values: dict) -> Course:
    """Credit value, subject, level, title and competencies of a course (admins)."""
    from ..assessment import facts

    course = db.session.get(Course, course_id)
    if course is None or course.organization_id != actor.organization_id:
        raise Problem(404, "No such course.")
    _own_org(actor)
    errors = []
    if "level" in values and values["level"] not in COURSE_LEVELS:
        errors.append(field_error("level", f"must be one of {', '.join(COURSE_LEVELS)}"))
    if "credit_value" in values:
        try:
            credit = Decimal(str(values["credit_value"]))
            if not (0 <= credit <= 10):
                raise ValueError
            values["credit_value"] = credit.quantize(Decimal("0.01"))
        except (ArithmeticError, ValueError):
            errors.append(field_error("credit_value", "must be a number from 0 to 10"))
    competency_ids = values.pop("competency_ids", None)
    if competency_ids is not None:
        found = facts.known_competencies(course.organization_id, competency_ids)
        missing = [str(c) for c in competency_ids if c not in found]
        if missing:
            errors.append(field_error("competency_ids", f"no such competency in your school: {', '.join(missing)}"))
    if errors:
        raise validation_problem(errors)
    for key, value in values.items():
        setattr(course, key, value)
    if competency_ids is not None:
        facts.set_course_competencies(course.id, competency_ids)
    audit.record("course.update", obj=course, actor=actor, fields=sorted(values) +
                 (["competency_ids"] if competency_ids is not None else []))
    db.session.commit()
    return course


def course_competency_ids(course: Course) -> list[uuid.UUID]:
    from ..assessment import facts

    return facts.course_competency_ids(course.id)


# -- admissions readiness ------------------------------------------------------------------------
def import_requirements(actor, doc) -> RequirementSet:
    from . import readiness

    org = _own_org(actor)
    try:
        parsed = readiness.parse(doc)
    except RulesError as exc:
        raise validation_problem([field_error(f"requirements.{f}", r) for f, r in exc.errors]) from None
    row = RequirementSet(organization_id=org.id, name=parsed["name"], requirements=parsed, created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record("admission_requirements.import", obj=row, actor=actor, name=row.name)
    db.session.commit()
    return row


def delete_requirements(actor, set_id) -> None:
    row = db.session.get(RequirementSet, set_id)
    authorize(actor, "edit", row, what="requirement set")
    audit.record("admission_requirements.delete", obj=row, actor=actor, name=row.name)
    db.session.delete(row)
    db.session.commit()


def readiness_for(actor, transcript: Transcript, record: dict | None) -> list[dict]:
    """How close the record is to each of the school's imported requirement sets."""
    from ..policies import visible
    from . import readiness

    if record is None:
        return []
    sets = db.session.scalars(visible(actor, RequirementSet).order_by(RequirementSet.name)).all()
    return [dict(readiness.readiness(record, row.requirements), id=str(row.id)) for row in sets]
