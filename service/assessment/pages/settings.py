"""The organization's proficiency scale and mastery settings (admins)."""
from __future__ import annotations

import re

from flask import redirect, render_template, request, url_for
from marshmallow import Schema, ValidationError

from ...auth import login_required
from ...errors import Problem, flatten_messages
from ...extensions import db
from ...models import Organization
from ...policies import authorize
from .. import actions, mastery_jobs
from ..mastery import METHODS
from ..schemas import ScaleSchema, SettingsSchema
from ..settings import scale_for, settings_for
from .common import _actor, bp


# The form's wording for the schema's refusals (the API names the field instead).
_FRIENDLY = {"decay_weight": "the decaying-average weight is a number above 0 and at most 1",
             "evidence_required": "evidence required is a whole number from 1 to 50",
             "mastery_method": "choose a mastery method",
             "proficient_value": "choose the proficient level"}


def _friendly(error: dict) -> str:
    field = error.get("field") or ""
    level = re.fullmatch(r"levels\.(\d+)\.label", field)
    if level:
        return f"level {int(level.group(1)) + 1} needs a label"
    return _FRIENDLY.get(field.split(".")[0], f"{field}: {error['detail']}")


def _load(schema: Schema, data: dict, errors: list[str]) -> dict | None:
    try:
        return schema.load(data)
    except ValidationError as exc:
        errors.extend(_friendly(e) for e in flatten_messages(exc.messages))
        return None


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings_page():
    """The organization's proficiency scale labels and mastery method (admins): the
    same schemas and action as PUT /assessment/scale and PATCH /assessment/settings."""
    actor = _actor()
    org = authorize(actor, "manage", db.session.get(Organization, actor.organization_id), what="organization")
    scale, settings = scale_for(org.id), settings_for(org.id)
    errors: list[str] = []
    if request.method == "POST":
        form = request.form
        scale_data = _load(ScaleSchema(), {
            "name": scale.name, "proficient_value": form.get("proficient_value") or None,
            "levels": [{"value": lv["value"], "label": (form.get(f"label-{n}") or "").strip(),
                        "code": (form.get(f"code-{n}") or "").strip() or None}
                       for n, lv in enumerate(scale.levels)]}, errors)
        settings_data = _load(SettingsSchema(), {
            "mastery_method": form.get("mastery_method") or "", "decay_weight": form.get("decay_weight") or None,
            "evidence_required": form.get("evidence_required") or None,
            "reassessment_requires_new_evidence": form.get("new_evidence") == "on"}, errors)
        if not errors:
            try:
                actions.update_settings(actor, scale=scale_data, settings=settings_data)
                return redirect(url_for("assessment.settings_page"))
            except Problem as problem:
                errors = [e["detail"] for e in problem.errors or []] or [problem.detail]
        db.session.rollback()
        scale, settings = scale_for(org.id), settings_for(org.id)
    rebuild = mastery_jobs.progress(mastery_jobs.latest(org.id))
    db.session.commit()
    return render_template("assessment/settings.html", scale=scale, settings=settings, methods=METHODS,
                           errors=errors, rebuild=rebuild), 422 if errors else 200
