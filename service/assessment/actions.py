"""Writes that the assessment pages and API share: one function per action,
fed by the same marshmallow schema from either side. It authorizes, checks
the domain rules, acts, records the audit event and commits (the one place
that commits); refusals are problems that name the field.
"""
from __future__ import annotations

from .. import audit
from ..errors import field_error, validation_problem
from ..extensions import db
from ..models import Organization, Person
from ..errors import Problem
from ..policies import allowed, authorize
from .models import AssessmentSettings, ProficiencyScale, Rubric
from .rubrics import create_rubric
from .settings import scale_for, settings_for, validate_levels


def update_settings(actor: Person, *, scale: dict | None = None, settings: dict | None = None
                    ) -> tuple[ProficiencyScale, AssessmentSettings]:
    """Replace the scale (`ScaleSchema` data) and/or change mastery settings
    (`SettingsSchema` data) of the actor's organization, in one transaction (admins)."""
    org = authorize(actor, "manage", db.session.get(Organization, actor.organization_id), what="organization")
    current_scale, current_settings = scale_for(org.id), settings_for(org.id)
    if scale is not None:
        problems = validate_levels(scale["levels"], scale["proficient_value"])
        if problems:
            db.session.rollback()
            raise validation_problem([field_error("levels", p) for p in problems])
        current_scale.name = scale.get("name") or current_scale.name
        current_scale.levels, current_scale.proficient_value = scale["levels"], scale["proficient_value"]
        audit.record("scale.update", obj=current_scale, actor=actor, levels=[lv["label"] for lv in scale["levels"]])
    if settings is not None:
        for key, value in settings.items():
            setattr(current_settings, key, value)
        audit.record("assessment.settings", obj=current_settings, actor=actor, fields=sorted(settings))
    db.session.commit()
    return current_scale, current_settings


def save_rubric(actor: Person, data: dict, previous: Rubric | None = None) -> Rubric:
    """A new rubric, or with ``previous`` its next version, from `RubricSchema` data (teachers, admins)."""
    if previous is None:
        if not allowed(actor, "create", Rubric(organization_id=actor.organization_id)):
            raise Problem(403, "Only teachers and admins write rubrics.")
    else:
        authorize(actor, "revise", previous, what="rubric")
    try:
        rubric = create_rubric(actor.organization_id, data, actor=actor, previous=previous)
    except Problem:
        db.session.rollback()
        raise
    db.session.commit()
    return rubric
