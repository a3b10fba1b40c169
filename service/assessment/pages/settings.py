"""The organization's proficiency scale and mastery settings (admins)."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ...auth import login_required
from ...extensions import db
from ...models import Organization
from ...policies import authorize
from ..settings import scale_for
from .common import _actor, bp


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings_page():
    """The organization's proficiency scale labels and mastery method (admins)."""
    from ..mastery import METHODS
    from ..settings import settings_for, validate_levels

    actor = _actor()
    org = db.session.get(Organization, actor.organization_id)
    authorize(actor, "manage", org, what="organization")
    scale, settings = scale_for(org.id), settings_for(org.id)
    errors = []
    if request.method == "POST":
        levels = []
        for n in range(len(scale.levels)):
            label = (request.form.get(f"label-{n}") or "").strip()[:60]
            code = (request.form.get(f"code-{n}") or "").strip()[:8] or None
            if not label:
                errors.append(f"level {n + 1} needs a label")
            levels.append({"value": scale.levels[n]["value"], "label": label, "code": code})
        proficient = request.form.get("proficient_value", type=int)
        errors += validate_levels(levels, proficient)
        method = request.form.get("mastery_method")
        if method not in METHODS:
            errors.append("choose a mastery method")
        weight = request.form.get("decay_weight", type=float)
        required = request.form.get("evidence_required", type=int)
        if weight is None or not 0 < weight <= 1:
            errors.append("the decaying-average weight is a number above 0 and at most 1")
        if required is None or not 1 <= required <= 50:
            errors.append("evidence required is a whole number from 1 to 50")
        if not errors:
            scale.levels, scale.proficient_value = levels, proficient
            settings.mastery_method, settings.decay_weight, settings.evidence_required = method, weight, required
            settings.reassessment_requires_new_evidence = request.form.get("new_evidence") == "on"
            from ... import audit

            audit.record("assessment.settings", obj=settings, actor=actor, method=method)
            db.session.commit()
            return redirect(url_for("assessment.settings_page"))
        db.session.rollback()
        scale, settings = scale_for(org.id), settings_for(org.id)
    db.session.commit()
    return render_template("assessment/settings.html", scale=scale, settings=settings, methods=METHODS,
                           errors=errors), 422 if errors else 200
