"""What other features may read about badges, as plain values (the read API;
import-linter holds other features to it, see pyproject.toml)."""
from __future__ import annotations

import uuid

from ..extensions import db
from .models import Award, BadgeClass

__all__ = ["issued_badges"]


def issued_badges(student_id: uuid.UUID) -> list[dict]:
    """The student's issued badges, oldest first: {"id", "name", "credential" (the signed
    JSON), "competency_ids" (sorted ids the badge class aligns to or requires)}."""
    rows = db.session.execute(db.select(Award, BadgeClass).join(BadgeClass, BadgeClass.id == Award.badge_class_id)
                              .where(Award.recipient_id == student_id, Award.status == "issued",
                                     Award.credential.is_not(None)).order_by(Award.issued_at)).all()
    out = []
    for award, badge_class in rows:
        comp_ids = {str(a.get("competency_id")) for a in badge_class.alignments or [] if a.get("competency_id")}
        comp_ids |= {str(c.get("competency_id")) for c in (badge_class.rule or {}).get("all", [])
                     if c.get("competency_id")}
        out.append({"id": award.credential.get("id"), "name": badge_class.name, "credential": award.credential,
                    "competency_ids": sorted(comp_ids)})
    return out
