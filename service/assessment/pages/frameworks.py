"""Competency frameworks: the list, import, and one framework's page."""
from __future__ import annotations

import json
import uuid

from flask import redirect, render_template, request, url_for

from ...auth import login_required
from ...body_limits import accepts_body
from ...extensions import db
from ...models import Organization
from ...policies import allowed, authorize, visible
from ..framework_import import FrameworkImportError, read_case_package, read_csv
from ..frameworks import items_of, save_draft
from ..models import Framework
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


@bp.get("/frameworks/<uuid:framework_id>")
@login_required
def framework_page(framework_id: uuid.UUID):
    framework = db.session.get(Framework, framework_id)
    authorize(_actor(), "view", framework, what="framework")
    return render_template("assessment/framework.html", framework=framework, items=items_of(framework))
