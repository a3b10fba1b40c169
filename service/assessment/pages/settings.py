"""The organization's proficiency scale and mastery settings (admins)."""
from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from marshmallow import Schema, ValidationError

from ...auth import login_required
from ...errors import Problem, flatten_messages
from ...extensions import db
from ...models import Organization
from ...web.messages import sentence
from ...policies import authorize
from .. import actions, mastery_jobs
from ..mastery import METHODS
from ..models import Competency, Framework
from ..schemas import ScaleSchema, SettingsSchema
from ..settings import scale_for, settings_for
from .common import _actor, bp


# The form's wording for the schema's refusals (the API names the field instead).
_FRIENDLY = {"decay_weight": "Give a number above 0 and at most 1.",
             "evidence_required": "Give a whole number from 1 to 50.",
             "mastery_method": "Choose a mastery method.",
             "proficient_value": "Choose the level from which work counts as proficient."}
METHOD_LABELS = {"most_recent": "Most recent score", "highest": "Highest score", "mean": "Mean of all scores",
                 "decaying_average": "Decaying average (newest counts most)", "power_law": "Power law (trend)",
                 "n_at_or_above": "A number of pieces at or above proficient"}


def _field_of(error: dict) -> tuple[str, str]:
    """(form field, message beside it) for one schema refusal."""
    field = error.get("field") or ""
    level = re.fullmatch(r"levels\.(\d+)\.(label|code)", field)
    if level:
        n, part = int(level.group(1)), level.group(2)
        return f"{part}-{n}", (f"Level {n + 1} needs a label (at most 60 characters)." if part == "label"
                               else "At most 8 characters.")
    name = field.split(".")[0]
    if name == "graduation_requirements":
        key = field.split(".")[1] if "." in field else ""
        return f"grad-{key}", "Give a level from 0 to 100, or leave it empty."
    return (name if name in _FRIENDLY else "form"), _FRIENDLY.get(name, sentence(error["detail"]))


def _load(schema: Schema, data: dict, errors: dict[str, str]) -> dict | None:
    try:
        return schema.load(data)
    except ValidationError as exc:
        for error in flatten_messages(exc.messages):
            key, message = _field_of(error)
            errors.setdefault(key, message)
        return None


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings_page():
    """The organization's proficiency scale labels and mastery method (admins): the
    same schemas and action as PUT /assessment/scale and PATCH /assessment/settings.
    A refused form keeps what was typed and says what is wrong beside each field."""
    actor = _actor()
    org = authorize(actor, "manage", db.session.get(Organization, actor.organization_id), what="organization")
    scale, settings = scale_for(org.id), settings_for(org.id)
    errors: dict[str, str] = {}
    # Domains: the top-level items of current frameworks (as the graduation snapshot counts them).
    domains = db.session.scalars(db.select(Competency).join(Framework).where(
        Framework.organization_id == org.id, Framework.status == "current", Competency.parent_id.is_(None))
        .order_by(Framework.title, Competency.position)).all()
    values = {**{f"grad-{k}": v for k, v in (settings.graduation_requirements or {}).items()},
              "proficient_value": str(scale.proficient_value), "mastery_method": settings.mastery_method,
              "decay_weight": settings.decay_weight, "evidence_required": settings.evidence_required,
              "new_evidence": settings.reassessment_requires_new_evidence,
              **{f"label-{n}": lv["label"] for n, lv in enumerate(scale.levels)},
              **{f"code-{n}": lv.get("code") or "" for n, lv in enumerate(scale.levels)}}
    if request.method == "POST":
        form = request.form
        values = {**form.to_dict(), "new_evidence": form.get("new_evidence") == "on"}
        scale_data = _load(ScaleSchema(), {
            "name": scale.name, "proficient_value": form.get("proficient_value") or None,
            "levels": [{"value": lv["value"], "label": (form.get(f"label-{n}") or "").strip(),
                        "code": (form.get(f"code-{n}") or "").strip() or None}
                       for n, lv in enumerate(scale.levels)]}, errors)
        graduation = {}
        for domain in domains:
            raw = (form.get(f"grad-{domain.identifier}") or "").strip()
            try:
                if raw:
                    graduation[domain.identifier] = float(raw)
            except ValueError:
                errors[f"grad-{domain.identifier}"] = "Give a level such as 3 or 3.5, or leave it empty."
        settings_data = _load(SettingsSchema(), {
            "mastery_method": form.get("mastery_method") or "", "decay_weight": form.get("decay_weight") or None,
            "evidence_required": form.get("evidence_required") or None,
            "reassessment_requires_new_evidence": values["new_evidence"], "graduation_requirements": graduation},
            errors)
        if not errors:
            try:
                actions.update_settings(actor, scale=scale_data, settings=settings_data)
                flash("The scale and mastery settings are saved.", "success")
                return redirect(url_for("assessment.settings_page"))
            except Problem as problem:
                for error in problem.errors or [{"detail": problem.detail}]:
                    key, message = _field_of(error)
                    errors.setdefault(key, message)
        db.session.rollback()
        scale = scale_for(org.id)
    rebuild = mastery_jobs.progress(mastery_jobs.latest(org.id))
    db.session.commit()
    return render_template("assessment/settings.html", scale=scale, methods=[(m, METHOD_LABELS.get(m, m))
                                                                             for m in METHODS],
                           values=values, errors=errors, domains=domains,
                           proficient=scale.proficient_value, rebuild=rebuild), 422 if errors else 200
