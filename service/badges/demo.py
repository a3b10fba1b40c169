"""Demo content for badges: the school's signing keys, three badge classes (one
automatic on a demo competency, one for bulk awards, one that needs a teacher's
approval), whatever automatic awards the demo scores already earn, one award
waiting for approval and a field-trip badge for the student whose guardian
signs in. Idempotent."""
from __future__ import annotations

import logging

from ..assessment import facts
from ..extensions import db
from . import classes, issuance, keys
from .models import BadgeClass

log = logging.getLogger(__name__)
APPROVAL_BADGE = "Clear Communicator"


def _competency_id(org):
    return facts.competency_by_identifier(org.id, "ela-w-1")


def load_demo(context) -> None:
    org, teacher = context["organization"], context["teacher"]
    db.session.flush()
    keys.ensure_keys(org)
    competency_id = _competency_id(org)
    wanted = [{
        "name": "Argument Writer", "description": "Writes arguments that support claims with clear reasons "
                                                  "and relevant evidence.",
        "criteria_narrative": "Reach Proficient (3) on ELA.W.1 across scored writing.", "issue_mode": "auto",
        "tags": ["writing", "ELA"],
        "rule": {"all": [{"competency_id": str(competency_id), "min_level": 3}]} if competency_id else None,
        "alignments": [{"targetName": "Write arguments to support claims", "targetCode": "ELA.W.1",
                        "targetUrl": "https://riverside.example/frameworks/ela/ela-w-1", "targetType": "CFItem",
                        **({"competency_id": str(competency_id)} if competency_id else {})}],
    }, {
        "name": "Museum Field Trip", "description": "Took part in the natural history museum field trip.",
        "criteria_narrative": "Attended the trip and completed the gallery worksheet.", "issue_mode": "approval",
        "achievement_type": "CoCurricular", "tags": ["field trip"],
    }]
    for data in wanted:
        exists = db.session.scalar(db.select(BadgeClass.id).where(BadgeClass.organization_id == org.id,
                                                                  BadgeClass.name == data["name"]))
        if exists is None:
            classes.create(org, data, actor=teacher)
    db.session.commit()
    if competency_id is None:
        return
    for student in context["students"]:
        try:
            issuance.award_for_mastery(student.id, [competency_id], org.id)
        except Exception:  # demo data must load even if a rule cannot be evaluated
            db.session.rollback()
            log.exception("demo: automatic badge for %s failed", student.email)
    _approvals(context)


def _approvals(context) -> None:
    org, teacher = context["organization"], context["teacher"]
    people = context.get("people") or {}
    ava, cara = people.get("ava@riverside.example"), people.get("cara@riverside.example")
    informative = facts.competency_by_identifier(org.id, "ela-w-2")
    approval = db.session.scalar(db.select(BadgeClass).where(BadgeClass.organization_id == org.id,
                                                             BadgeClass.name == APPROVAL_BADGE))
    if approval is None and informative is not None:
        approval = classes.create(org, {
            "name": APPROVAL_BADGE, "description": "Writes informative texts that convey complex ideas clearly.",
            "criteria_narrative": "Reach Proficient (3) on ELA.W.2; a teacher confirms before it is issued.",
            "issue_mode": "approval", "tags": ["writing"],
            "rule": {"all": [{"competency_id": str(informative), "min_level": 3}]}}, actor=teacher)
        db.session.commit()
    try:
        if approval is not None and cara is not None:  # Cara meets it: one award waits for a teacher
            issuance.award_for_mastery(cara.id, [informative], org.id)
        trip = db.session.scalar(db.select(BadgeClass).where(BadgeClass.organization_id == org.id,
                                                             BadgeClass.name == "Museum Field Trip"))
        if trip is not None and ava is not None:  # Ava's guardian has a badge to see
            issuance.issue(trip, issuance.Unit(ava), source_kind="bulk", actor=teacher)
    except Exception:  # demo data must load even if a rule cannot be evaluated
        db.session.rollback()
        log.exception("demo: approval and field-trip badges failed")
