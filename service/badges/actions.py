"""One function per write that pages and the API share: authorize, act,
commit, and turn domain refusals into problems. Views only parse input and
render the answer.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from ..assessment import facts
from ..errors import Problem, field_error, field_errors, problem_for, register_domain_error, validation_problem
from ..extensions import db
from ..models import Organization, Person, Role, Section
from ..policies import allowed, authorize
from . import classes, issuance, jobs, status
from .models import Award, BadgeClass
from .policies import may_issue_to

STATUS_CHANGES = {"revoke": status.revoke, "suspend": status.suspend, "unsuspend": status.unsuspend}


@contextmanager
def _refusals_as_problems() -> Iterator[None]:
    """A domain refusal inside becomes its registered problem (service/errors.py),
    with nothing of the action left in the session (a page may go on rendering)."""
    try:
        yield
    except (status.StatusChangeRefused, issuance.IssuanceRefused, classes.BadgeClassInvalid, jobs.BulkJobInvalid,
            jobs.RunnerUnavailable) as exc:
        db.session.rollback()
        raise problem_for(exc) from None


def change_status(actor, award: Award | None, action: str, *, reason: str | None,
                  reason_public: bool = False) -> Award:
    """Revoke, suspend or unsuspend. The reason stays private (issuer, earner,
    their teachers) unless `reason_public`: only then do public pages, hosted
    documents and verification reports show it."""
    authorize(actor, "change_status", award, what="award")
    reason = (reason or "").strip() or None
    if action in ("revoke", "suspend") and not reason:
        raise validation_problem([field_error("reason", "say why (the student sees it; the public only if you "
                                                        "choose)")])
    with _refusals_as_problems():
        STATUS_CHANGES[action](award, actor=actor, reason=reason)
    award.status_reason_public = bool(reason_public and reason)
    db.session.commit()
    return award


def decide(actor, award: Award | None, decision: str, *, reason: str | None = None) -> Award:
    """Approve (sign and issue) or decline a queued award."""
    authorize(actor, "approve", award, what="award")
    with _refusals_as_problems():
        if decision == "approve":
            return issuance.approve(award, actor=actor).award
        return issuance.reject(award, actor=actor, reason=(reason or "not yet").strip()[:1000])


def chosen_recipients(actor, student_ids) -> tuple[list[Person], list[dict]]:
    """Students picked one by one: (those the actor may award, skipped with why)."""
    ids = list(dict.fromkeys(uuid.UUID(str(s)) for s in student_ids))
    people = {p.id: p for p in db.session.scalars(db.select(Person).where(Person.id.in_(ids)))} if ids else {}
    recipients, skipped = [], []
    for sid in ids:
        person = people.get(sid)
        if person is None or not allowed(actor, "view", person) or person.role != Role.STUDENT.value:
            skipped.append({"recipient_id": str(sid), "reason": "not a student you can see"})
        elif actor.role != Role.ADMIN.value and not may_issue_to(actor, person):
            skipped.append({"recipient_id": str(sid), "reason": "not your student"})
        elif not person.is_active:
            skipped.append({"recipient_id": str(sid), "reason": "account is not active"})
        else:
            recipients.append(person)
    return recipients, skipped


def section_recipients(actor, section_id) -> list[Person]:
    section = db.session.get(Section, section_id)
    authorize(actor, "view", section, what="section")
    if not (allowed(actor, "teach", section) or allowed(actor, "manage", section)):
        raise Problem(403, "Only the section's teachers and admins may award it in bulk.")
    return [p for p in jobs.section_recipients(section.id)
            if actor.role == Role.ADMIN.value or may_issue_to(actor, p)]


def csv_recipients(actor, text: str) -> tuple[list[Person], list[dict]]:
    with _refusals_as_problems():
        recipients, skipped = jobs.csv_recipients(text, actor.organization_id)
    if actor.role != Role.ADMIN.value:
        mine = [p for p in recipients if may_issue_to(actor, p)]
        skipped += [{"recipient_id": str(p.id), "reason": "not your student"} for p in recipients if p not in mine]
        recipients = mine
    return recipients, skipped


def already_awarded(badge_class: BadgeClass, people: list[Person]) -> set[uuid.UUID]:
    """Students who hold this badge already (issued or suspended): a bulk award skips them."""
    if not people:
        return set()
    return set(db.session.scalars(db.select(Award.recipient_id).where(
        Award.badge_class_id == badge_class.id, Award.recipient_id.in_([p.id for p in people]),
        Award.status.in_(("issued", "suspended", "revoked")))))


def start_bulk(actor, badge_class: BadgeClass | None, recipients: list[Person], *, skipped=None, origin=None):
    """Queue and start a bulk award job; returns the job row."""
    authorize(actor, "bulk_issue", badge_class, what="badge class")
    with _refusals_as_problems():
        job = jobs.create(badge_class, recipients, actor=actor, skipped=skipped, origin=origin)
    jobs.start(job)
    return job


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else text


def _refused(exc: Exception) -> Problem:
    return Problem(409, _sentence(str(exc)))


def _invalid(exc: classes.BadgeClassInvalid | jobs.BulkJobInvalid) -> Problem:
    return validation_problem(field_errors(exc.errors))


# Badges' refusals as problems, once (service/errors.py); actions and views let them rise.
for _type, _to_problem in ((status.StatusChangeRefused, _refused), (issuance.IssuanceRefused, _refused),
                           (classes.BadgeClassInvalid, _invalid), (jobs.BulkJobInvalid, _invalid)):
    register_domain_error(_type, _to_problem)


# -- badge classes ---------------------------------------------------------------------------
def assessment_rubric(actor, rubric_id) -> list[dict]:
    outline = facts.rubric_outline(rubric_id, actor.organization_id)
    if outline is None:
        raise validation_problem([field_error("rubric_id", "is not a rubric of your organization")])
    return outline


def class_data(body: dict, badge_class_id, actor) -> dict:
    data = dict(body)
    rubric = data.pop("rubric", None)
    if "rubric_id" in data:
        rubric = assessment_rubric(actor, data.pop("rubric_id"))
    if rubric is not None:
        try:
            data["result_descriptions"] = classes.result_descriptions_from_rubric(badge_class_id, rubric)
        except (KeyError, TypeError, ValueError) as exc:
            raise validation_problem([field_error("rubric", f"not a rubric: {exc}")]) from None
    if data.get("alignments") is not None:
        data["alignments"] = [{k: (str(v) if k == "competency_id" and v else v) for k, v in a.items()}
                              for a in data["alignments"]]
    return data


def create_badge_class(actor, body: dict) -> BadgeClass:
    if not allowed(actor, "create", BadgeClass(organization_id=actor.organization_id)):
        raise Problem(403, "Only teachers and admins define badge classes.")
    new_id = uuid.uuid4()
    with _refusals_as_problems():
        badge_class = classes.create(db.session.get(Organization, actor.organization_id),
                                     class_data(body, new_id, actor), actor=actor, badge_class_id=new_id)
    db.session.commit()
    return badge_class


def update_badge_class(actor, badge_class: BadgeClass | None, body: dict) -> BadgeClass:
    authorize(actor, "edit", badge_class, what="badge class")
    with _refusals_as_problems():
        classes.update(badge_class, class_data(body, badge_class.id, actor), actor=actor)
    db.session.commit()
    return badge_class


def set_badge_image(actor, badge_class: BadgeClass | None, data: bytes) -> BadgeClass:
    authorize(actor, "edit", badge_class, what="badge class")
    with _refusals_as_problems():
        classes.set_image(badge_class, data, actor=actor)
    db.session.commit()
    return badge_class
