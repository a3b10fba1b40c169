"""The badge class designer: name, description, criteria, a rule built from
competencies and rubric criteria, an image with a preview, approval on or off
and validity. Creating and editing go through `actions` like the API."""
from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..assessment import facts
from ..auth import current_person, login_required
from ..body_limits import accepts_body
from ..errors import Problem
from ..extensions import db
from ..models import Role
from ..policies import authorize
from . import actions, classes
from .models import BadgeClass

bp = Blueprint("badges_design", __name__)
RULE_ROWS = 4


def _staff():
    person = current_person()
    if person.role not in (Role.TEACHER.value, Role.ADMIN.value):
        raise Problem(403, "Badge classes are designed by teachers and admins.")
    return person


def _targets(actor) -> list[tuple[str, str]]:
    """Rule targets: current competencies, then academic criteria of current rubrics."""
    return facts.rule_targets(actor.organization_id)


def _rubrics(actor) -> list[tuple[str, str]]:
    return facts.current_rubrics(actor.organization_id)


def _values_of(badge_class: BadgeClass) -> dict:
    values = {k: getattr(badge_class, k) for k in ("name", "description", "criteria_narrative", "achievement_type")}
    values["needs_approval"] = badge_class.issue_mode == "approval"
    values["validity_days"] = badge_class.validity_days or ""
    values["tags"] = ", ".join(badge_class.tags or [])
    for n, cond in enumerate((badge_class.rule or {}).get("all", [])[:RULE_ROWS]):
        key = "competency" if "competency_id" in cond else "criterion"
        values[f"target-{n}"] = f"{key}:{cond.get('competency_id') or cond.get('rubric_criterion_id')}"
        values[f"level-{n}"] = cond.get("min_level", "")
    return values


def _body_from_form(form, errors: dict, *, partial: bool) -> dict:
    body = {k: form.get(k, "").strip() for k in ("name", "description", "criteria_narrative")}
    body["achievement_type"] = form.get("achievement_type") or "Badge"
    body["issue_mode"] = "approval" if form.get("needs_approval") == "on" else "auto"
    days = form.get("validity_days", "").strip()
    if days:
        if not days.isdigit() or not 1 <= int(days) <= 36500:
            errors["validity_days"] = "Give a whole number of days between 1 and 36500, or leave it empty."
        else:
            body["validity_days"] = int(days)
    else:
        body["validity_days"] = None
    body["tags"] = [t.strip()[:60] for t in form.get("tags", "").split(",") if t.strip()]
    conditions = []
    for n in range(RULE_ROWS):
        target, level = form.get(f"target-{n}", ""), form.get(f"level-{n}", "").strip()
        if not target:
            continue
        kind, _, ident = target.partition(":")
        try:
            min_level = float(level)
        except ValueError:
            errors[f"level-{n}"] = "Give the lowest level that counts, as a number (for example 3)."
            continue
        key = "competency_id" if kind == "competency" else "rubric_criterion_id"
        conditions.append({key: ident, "min_level": int(min_level) if min_level.is_integer() else min_level})
    body["rule"] = {"all": conditions} if conditions else None
    if form.get("rubric_id"):
        body["rubric_id"] = form["rubric_id"]
    for key, label in (("name", "a name"), ("description", "a description"),
                       ("criteria_narrative", "what a student must show")):
        if not body[key] and not partial:
            errors[key] = f"Give {label}."
    return body


MESSAGES = {"name": "Give a name (up to 200 characters).", "description": "Give a description.",
            "criteria_narrative": "Say what a student must show.", "image": "Upload a PNG or SVG image (up to 2 MiB, "
            "no scripts).", "rubric_id": "Choose one of your school's rubrics."}


def _save(actor, badge_class: BadgeClass | None):
    errors: dict = {}
    body = _body_from_form(request.form, errors, partial=False)
    upload = request.files.get("image")
    image = upload.read(classes.MAX_IMAGE_BYTES + 1) if upload and upload.filename else None
    if errors:
        return None, errors
    if "rubric_id" in body:
        if _is_uuid(body["rubric_id"]):
            body["rubric_id"] = uuid.UUID(body["rubric_id"])
        else:
            body.pop("rubric_id")
    try:
        if badge_class is None:
            badge_class = actions.create_badge_class(actor, body)
        else:
            actions.update_badge_class(actor, badge_class, body)
        if image is not None:
            actions.set_badge_image(actor, badge_class, image)
    except Problem as exc:
        if exc.status != 422:
            raise
        for error in exc.errors or []:
            name = error["field"].split(".")[0]
            if name == "rule":
                errors.setdefault("target-0", "Each rule line needs a competency or criterion and a level.")
            else:
                errors.setdefault(name, MESSAGES.get(name, error["detail"][:1].upper() + error["detail"][1:]))
        return badge_class, errors
    return badge_class, {}


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
        return True
    except ValueError:
        return False


def _render(actor, badge_class, values, errors, status=200):
    return render_template("badges/designer.html", badge_class=badge_class, values=values, errors=errors,
                           targets=_targets(actor), rubrics=_rubrics(actor), rows=range(RULE_ROWS),
                           types=classes.ACHIEVEMENT_TYPES), status


@bp.route("/badges/classes/new", methods=["GET", "POST"])
@accepts_body("document")
@login_required
def new_class():
    actor = _staff()
    if request.method == "POST":
        badge_class, errors = _save(actor, None)
        if not errors:
            flash(f"The badge “{badge_class.name}” was created.", "success")
            return redirect(url_for("badges_manage.manage") + f"#class-{badge_class.id}")
        return _render(actor, None, request.form.to_dict() | {"needs_approval": request.form.get("needs_approval")},
                       errors, 422)
    return _render(actor, None, {"needs_approval": True, "achievement_type": "Badge"}, {})


@bp.route("/badges/classes/<uuid:badge_class_id>/edit", methods=["GET", "POST"])
@accepts_body("document")
@login_required
def edit_class(badge_class_id: uuid.UUID):
    actor = _staff()
    badge_class = db.session.get(BadgeClass, badge_class_id)
    authorize(actor, "edit", badge_class, what="badge class")
    if request.method == "POST":
        _, errors = _save(actor, badge_class)
        if not errors:
            flash(f"The badge “{badge_class.name}” was saved. Badges already issued keep what they certified.",
                  "success")
            return redirect(url_for("badges_manage.manage") + f"#class-{badge_class.id}")
        db.session.rollback()
        return _render(actor, badge_class, request.form.to_dict(), errors, 422)
    return _render(actor, badge_class, _values_of(badge_class), {})


@bp.post("/badges/classes/<uuid:badge_class_id>/archive")
@login_required
def archive_class(badge_class_id: uuid.UUID):
    """Archive after a ticked confirmation (classes.archive, as DELETE /api/v1/badge-classes/<id>)."""
    actor = _staff()
    badge_class = db.session.get(BadgeClass, badge_class_id)
    authorize(actor, "edit", badge_class, what="badge class")
    if request.form.get("confirmed") != "yes":
        return _render(actor, badge_class, _values_of(badge_class),
                       {"confirmed": "Tick the box to confirm the archiving."}, 422)
    classes.archive(badge_class, actor=actor)
    db.session.commit()
    flash(f"The badge “{badge_class.name}” is archived: badges already issued stay valid, no new ones are awarded.",
          "success")
    return redirect(url_for("badges_manage.manage"))


def init_app(app) -> None:
    app.register_blueprint(bp)
