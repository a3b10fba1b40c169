"""Competency frameworks: the list, import, and one framework's page."""
from __future__ import annotations

import json
import uuid

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from ...auth import login_required
from ...body_limits import accepts_body
from ...extensions import db
from ...models import Organization
from ...policies import allowed, authorize, visible
from ..framework_import import FrameworkImportError, read_case_package, read_csv
from ..frameworks import items_of, new_version, save_draft, update_framework
from ..models import Framework
from ..schemas import FrameworkUpdateSchema, NewVersionSchema
from .common import _actor, bp


@bp.route("/frameworks", methods=["GET", "POST"])
@login_required
@accepts_body("document")
def frameworks():
    actor = _actor()
    org = db.session.get(Organization, actor.organization_id)
    can_import = allowed(actor, "manage", org)
    problems: list[str] = []  # what is wrong with the file, shown under the file field
    values = {k: request.form.get(k, "") for k in ("format", "title", "subject", "school_year")}
    if request.method == "POST":
        authorize(actor, "manage", org, what="organization")
        upload = request.files.get("file")
        raw = upload.read().decode("utf-8", errors="replace") if upload else ""
        try:
            if not raw.strip():
                raise FrameworkImportError(["choose a CASE JSON package or a CSV file"])
            if request.form.get("format") == "case":
                try:
                    package = json.loads(raw)
                except ValueError:
                    raise FrameworkImportError(["the file is not valid JSON"]) from None
                draft = read_case_package(package)
            else:
                draft = read_csv(raw, request.form.get("title") or "Imported framework",
                                 subject=request.form.get("subject") or None)
            framework = save_draft(org.id, draft, actor=actor, school_year=request.form.get("school_year") or None)
            db.session.commit()
            return redirect(url_for("assessment.framework_page", framework_id=framework.id))
        except FrameworkImportError as exc:
            db.session.rollback()
            problems = [e[:1].upper() + e[1:] for e in exc.errors]
    listing = db.session.scalars(visible(actor, Framework).order_by(Framework.title, Framework.version.desc())).all()
    errors = {"file": "The file could not be imported:" if len(problems) > 1 else problems[0]} if problems else {}
    return render_template("assessment/frameworks.html", frameworks=listing, can_import=can_import, values=values,
                           errors=errors, problems=problems if len(problems) > 1 else []), 422 if errors else 200


@bp.route("/frameworks/<uuid:framework_id>", methods=["GET", "POST"])
@login_required
def framework_page(framework_id: uuid.UUID):
    """One framework's items; admins set its mastery method or start its next version here
    (as PATCH /frameworks/<id> and POST /frameworks/<id>/versions)."""
    actor = _actor()
    framework = db.session.get(Framework, framework_id)
    authorize(actor, "view", framework, what="framework")
    errors: dict[str, str] = {}
    values = {"title": framework.title, "mastery_method": framework.mastery_method or "",
              "school_year": "", "new_title": ""}
    if request.method == "POST":
        authorize(actor, "manage", framework, what="framework")
        form = request.form
        try:
            if form.get("form") == "version":
                values.update(school_year=form.get("school_year", "").strip(), new_title=form.get("new_title", "").strip())
                body = NewVersionSchema().load({"school_year": values["school_year"] or None,
                                                "title": values["new_title"] or None})
                copy = new_version(framework, actor=actor, school_year=body["school_year"], title=body["title"])
                db.session.commit()
                flash(f"Version {copy.version} of “{copy.title}” is now current; scores keep the version they used.",
                      "success")
                return redirect(url_for("assessment.framework_page", framework_id=copy.id))
            values.update(title=form.get("title", "").strip(), mastery_method=form.get("mastery_method", ""))
            body = FrameworkUpdateSchema().load({"title": values["title"],
                                                 "mastery_method": values["mastery_method"] or None})
            update_framework(framework, body, actor=actor)
            db.session.commit()
            flash("The framework is saved.", "success")
            return redirect(url_for("assessment.framework_page", framework_id=framework.id))
        except ValidationError as exc:
            messages = {"title": "Give a title (at most 300 characters).", "school_year": "Write it like 2027-2028.",
                        "mastery_method": "Choose a mastery method."}
            errors = {("new_title" if k == "title" and form.get("form") == "version" else k): messages.get(k, "Check this value.")
                      for k in exc.messages}
    from .settings import METHOD_LABELS

    return render_template("assessment/framework.html", framework=framework, items=items_of(framework),
                           can_manage=allowed(actor, "manage", framework), values=values, errors=errors,
                           methods=[("", "The school's method (Settings)")] + list(METHOD_LABELS.items())
                           ), 422 if errors else 200
