"""How far a student is toward one badge: its award (if any) and each part
of its rule against the student's current mastery.

Read-only and unauthorized: callers (learning plans) decide who may see it.
"""
from __future__ import annotations

import uuid

from ..extensions import db
from .issuance import MasterySource, award_by_key, award_key_for, default_mastery_source
from .models import BadgeClass

# status: the award's own (issued, pending_approval, suspended, revoked, rejected)
# when there is one; otherwise rule_met, in_progress, or manual (no rule: a
# teacher awards it, there is nothing to measure).
NO_AWARD_STATUSES = ("rule_met", "in_progress", "manual")


def badge_progress(student_id: uuid.UUID, badge_class_id: uuid.UUID, *,
                   source: MasterySource | None = None) -> dict:
    """{badge_class_id, name, awarded, status, rule_parts: [{competency_id,
    rubric_criterion_id, required_level, current_level, met}]}.

    Raises LookupError when the badge class does not exist."""
    badge_class = db.session.get(BadgeClass, badge_class_id)
    if badge_class is None:
        raise LookupError(f"no badge class {badge_class_id}")
    source = source or default_mastery_source()
    parts = []
    for condition in (badge_class.rule or {}).get("all") or []:
        level = source.level(student_id, condition)
        required = condition["min_level"]
        parts.append({"competency_id": _uuid(condition.get("competency_id")),
                      "rubric_criterion_id": _uuid(condition.get("rubric_criterion_id")),
                      "required_level": required, "current_level": level,
                      "met": level is not None and level >= required})
    award = award_by_key(award_key_for(badge_class.id, student_id))
    if award is not None:
        status = award.status
    elif not parts:
        status = "manual"
    else:
        status = "rule_met" if all(p["met"] for p in parts) else "in_progress"
    return {"badge_class_id": badge_class.id, "name": badge_class.name,
            "awarded": award is not None and award.status == "issued", "status": status, "rule_parts": parts}


def _uuid(value) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


__all__ = ["NO_AWARD_STATUSES", "badge_progress"]
