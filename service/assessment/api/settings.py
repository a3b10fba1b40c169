"""The organization's proficiency scale and mastery settings."""
from __future__ import annotations

from flask.views import MethodView

from ... import audit
from ...auth import api_auth, require_person
from ...errors import field_error, validation_problem
from ...extensions import db
from ..schemas import ScaleSchema, SettingsSchema
from ..settings import scale_for, settings_for, validate_levels
from .common import _organization, blp


@blp.route("/assessment/scale")
class Scale(MethodView):
    @api_auth("read")
    @blp.response(200, ScaleSchema)
    def get(self):
        """Your organization's proficiency scale (created with the 4-level default on first use)."""
        actor = require_person()
        scale = scale_for(actor.organization_id)
        db.session.commit()
        return scale

    @api_auth("admin")
    @blp.arguments(ScaleSchema)
    @blp.response(200, ScaleSchema)
    def put(self, body):
        """Replace the scale's levels and labels (admins), e.g. E/P/IP/LP."""
        actor = require_person()
        _organization(actor, "manage")
        problems = validate_levels(body["levels"], body["proficient_value"])
        if problems:
            raise validation_problem([field_error("levels", p) for p in problems])
        scale = scale_for(actor.organization_id)
        scale.name, scale.levels, scale.proficient_value = body["name"], body["levels"], body["proficient_value"]
        audit.record("scale.update", obj=scale, levels=[lv["label"] for lv in body["levels"]])
        db.session.commit()
        return scale


@blp.route("/assessment/settings")
class Settings(MethodView):
    @api_auth("read")
    @blp.response(200, SettingsSchema)
    def get(self):
        actor = require_person()
        settings = settings_for(actor.organization_id)
        db.session.commit()
        return settings

    @api_auth("admin")
    @blp.arguments(SettingsSchema)
    @blp.response(200, SettingsSchema)
    def patch(self, body):
        """Mastery method and threshold, reassessment rule, graduation levels (admins)."""
        actor = require_person()
        _organization(actor, "manage")
        settings = settings_for(actor.organization_id)
        for key, value in body.items():
            setattr(settings, key, value)
        audit.record("assessment.settings", obj=settings, fields=sorted(body))
        db.session.commit()
        return settings
