"""Demo content for badges: the school's signing keys, two badge classes (one
automatic on a demo competency, one for bulk awards) and whatever automatic
awards the demo scores already earn. Idempotent."""
from __future__ import annotations

import logging

from ..assessment import facts
from ..extensions import db
from . import classes, issuance, keys
from .models import BadgeClass

log = logging.getLogger(__name__)


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
