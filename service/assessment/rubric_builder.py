"""The rubric builder page: criteria x levels in one grid, each criterion
aligned to competencies, saved as a new rubric or as the next version of one
(rubrics are never edited in place; scores keep the version they used).

`actions.save_rubric` is the action the API calls too; the form only becomes
its data, validated by the same `RubricSchema`.
"""
from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from ..auth import current_person, login_required
from ..errors import Problem, flatten_messages, validation_problem
from ..extensions import db
from ..policies import allowed, authorize, visible
from .actions import save_rubric
from .models import Competency, Framework, Rubric
from .rubrics import rubric_as_data
from .schemas import RubricSchema
from .settings import scale_for

bp = Blueprint("rubric_builder", __name__, url_prefix="/assessment/rubric-builder")
LEVEL_ROWS, CRITERION_ROWS = 6, 8


def _staff():
    actor = current_person()
    if actor.role not in ("teacher", "admin"):
        raise Problem(404, "No such page.")
    return actor


@bp.get("")
@login_required
def rubrics():
    actor = _staff()
    listing = db.session.scalars(visible(actor, Rubric).where(Rubric.status == "current").order_by(Rubric.title)).all()
    return render_template("assessment/rubrics.html", rubrics=listing,
                           may_revise={r.id: allowed(actor, "revise", r) for r in listing})


def _form_values(data: dict) -> dict:
    values = {"title": data.get("title") or "", "description": data.get("description") or ""}
    for i, level in enumerate(data.get("levels") or []):
        values[f"level-{i}-label"], values[f"level-{i}-points"] = level["label"], f"{level['points']:g}"
        values[f"level-{i}-value"] = str(level["proficiency_value"])
    for j, criterion in enumerate(data.get("criteria") or []):
        values[f"crit-{j}-title"], values[f"crit-{j}-kind"] = criterion["title"], criterion.get("kind", "academic")
        values[f"crit-{j}-competencies"] = [str(c) for c in criterion.get("competency_ids") or []]
        for i, text in enumerate(criterion.get("descriptors") or []):
            values[f"crit-{j}-desc-{i}"] = text
    return values


def _data_from_form(form, errors: dict) -> dict:
    data = {"title": form.get("title", "").strip(), "description": form.get("description", "").strip() or None,
            "levels": [], "criteria": []}
    if not data["title"]:
        errors["title"] = "Give the rubric a title."
    level_rows = []
    for i in range(LEVEL_ROWS):
        label = form.get(f"level-{i}-label", "").strip()
        if not label:
            continue
        try:
            points = float(form.get(f"level-{i}-points", "") or "nan")
            value = int(form.get(f"level-{i}-value", ""))
        except ValueError:
            errors[f"level-{i}-points"] = "Give the points as a number and choose a proficiency value."
            continue
        if points != points:  # NaN: empty
            errors[f"level-{i}-points"] = "Give the points as a number."
            continue
        level_rows.append(i)
        data["levels"].append({"label": label, "points": points, "proficiency_value": value, "_row": i})
    for j in range(CRITERION_ROWS):
        title = form.get(f"crit-{j}-title", "").strip()
        if not title:
            continue
        descriptors = [form.get(f"crit-{j}-desc-{i}", "").strip() for i in level_rows]
        if not any(descriptors):
            descriptors = []
        else:
            descriptors = [d or data["levels"][n]["label"] for n, d in enumerate(descriptors)]
        ids = []
        for value in form.getlist(f"crit-{j}-competencies"):
            try:
                ids.append(uuid.UUID(value))
            except ValueError:
                errors[f"crit-{j}-competencies"] = "Choose competencies from the list."
        data["criteria"].append({"title": title, "kind": form.get(f"crit-{j}-kind") or "academic",
                                 "descriptors": descriptors, "competency_ids": ids, "_row": j})
    return data


def _problem_errors(exc: Problem, data: dict) -> dict:
    out = {}
    for error in exc.errors or []:
        parts = error["field"].split(".")
        if parts[0] == "levels" and len(parts) > 1:
            row = data["levels"][int(parts[1])]["_row"]
            field = "label" if parts[-1] == "label" else "points"
            message = (f"{error['detail'].rstrip('.')}." if parts[-1] in ("label", "points")
                       else "Choose a value of your proficiency scale for this level.")
            out.setdefault(f"level-{row}-{field}", message)
        elif parts[0] == "levels":
            out.setdefault("level-0-label", "A rubric needs at least two levels.")
        elif parts[0] == "criteria" and len(parts) > 1:
            row = data["criteria"][int(parts[1])]["_row"]
            detail = error["detail"].rstrip(".")
            field = parts[-1] if parts[-1] in ("title", "kind") else "competencies"
            out.setdefault(f"crit-{row}-{field}", detail[:1].upper() + detail[1:] + ".")
        elif parts[0] == "criteria":
            out.setdefault("crit-0-title", "A rubric needs at least one criterion.")
        else:
            out.setdefault(parts[0], error["detail"])
    return out or {"title": exc.detail}


def _render(actor, values, errors, previous=None, status=200):
    competencies = db.session.scalars(db.select(Competency).join(Framework).where(
        Framework.organization_id == actor.organization_id, Framework.status == "current")
        .order_by(Framework.title, Competency.position)).all()
    scale = scale_for(actor.organization_id)
    return render_template("assessment/rubric_builder.html", values=values, errors=errors, previous=previous,
                           competencies=competencies, scale=scale, level_rows=range(LEVEL_ROWS),
                           criterion_rows=range(CRITERION_ROWS)), status


def _save(actor, previous=None):
    errors: dict = {}
    data = _data_from_form(request.form, errors)
    values = {k: (request.form.getlist(k) if k.endswith("-competencies") else v)
              for k, v in request.form.items()}
    if not errors:
        clean = dict(data, levels=[{k: v for k, v in lv.items() if k != "_row"} for lv in data["levels"]],
                     criteria=[{k: v for k, v in c.items() if k != "_row"} for c in data["criteria"]])
        try:
            try:
                body = RubricSchema().load(clean)  # the API's schema: the same limits either way
            except ValidationError as exc:
                raise validation_problem(flatten_messages(exc.messages)) from None
            rubric = save_rubric(actor, body, previous)
        except Problem as exc:
            db.session.rollback()
            if exc.status != 422:
                raise
            errors = _problem_errors(exc, data)
        else:
            flash(f"The rubric “{rubric.title}” was saved as version {rubric.version}.", "success")
            return redirect(url_for(".rubrics"))
    return _render(actor, values, errors, previous, 422)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_rubric():
    actor = _staff()
    if request.method == "POST":
        return _save(actor)
    scale = scale_for(actor.organization_id)
    start = {"levels": [{"label": lv["label"], "points": lv["value"], "proficiency_value": lv["value"]}
                        for lv in scale.levels]}
    return _render(actor, _form_values(start), {})


@bp.route("/<uuid:rubric_id>/revise", methods=["GET", "POST"])
@login_required
def edit_rubric(rubric_id: uuid.UUID):
    actor = _staff()
    previous = db.session.get(Rubric, rubric_id)
    authorize(actor, "revise", previous, what="rubric")
    if request.method == "POST":
        return _save(actor, previous)
    return _render(actor, _form_values(rubric_as_data(previous)), {}, previous)
