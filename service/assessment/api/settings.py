"""The organization's proficiency scale and mastery settings."""
from __future__ import annotations

from flask.views import MethodView

from ...auth import api_auth, require_person
from ...extensions import db
from ...errors import Problem
from ...models import Organization
from ...policies import authorize
from .. import actions, mastery_jobs
from ..schemas import ScaleSchema, SettingsSchema
from ..settings import scale_for, settings_for
from .common import blp


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
        return actions.update_settings(require_person(), scale=body)[0]


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
        return actions.update_settings(require_person(), settings=body)[1]


@blp.route("/assessment/mastery-rebuild")
class MasteryRebuild(MethodView):
    @api_auth("admin")
    @blp.response(200)
    def get(self):
        """The latest recalculation of stored mastery after a settings change (admins):
        status, students done of total, percent; 404 when there never was one."""
        actor = require_person()
        authorize(actor, "manage", db.session.get(Organization, actor.organization_id), what="organization")
        found = mastery_jobs.progress(mastery_jobs.latest(actor.organization_id))
        if found is None:
            raise Problem(404, "No recalculation of mastery has run for your organization.")
        return found
