"""Admin pages for people, courses and sections, the OneRoster import, and the
sections list teachers see. Forms keep what was typed and name the field at
fault; writes go through `actions` (the API's functions too)."""
from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from ..api.schemas import (CourseSchema, OrganizationUpdateSchema, PersonCreateSchema, PersonUpdateSchema,
                           SectionSchema)
from ..auth import current_person, login_required
from ..body_limits import accepts_body
from ..errors import Problem
from ..extensions import db
from ..models import Course, Enrolment, GuardianLink, Organization, Person, Role, Section
from ..policies import allowed, authorize, visible
from . import actions, oneroster, staging

bp = Blueprint("roster", __name__)
PAGE_SIZE = 50
MAX_ROSTER_BYTES = 16 * 1024 * 1024  # the document body limit (service/body_limits.py)
MESSAGES = {
    "email": "Give a valid e-mail address that nobody else uses.",
    "display_name": "Give the name people see.",
    "role": "Choose a role.",
    "password": "Choose a longer password (at least 12 characters), or leave it empty.",
    "code": "Give a short course code that no other course uses.",
    "title": "Give a title.",
    "name": "Give the section a name.",
    "school_year": "Write the school year like 2026-2027.",
    "credit_value": "Give the credits as a number between 0 and 10.",
    "course_id": "Choose one of your courses.",
    "grade_level": "At most 16 characters.",
    "external_id": "At most 64 characters.",
    "given_name": "At most 100 characters.",
    "family_name": "At most 100 characters.",
}


def _admin():
    actor = current_person()
    authorize(actor, "manage", db.session.get(Organization, actor.organization_id), what="organization")
    return actor


def _staff():
    actor = current_person()
    if actor.role not in (Role.TEACHER.value, Role.ADMIN.value):
        raise Problem(404, "No such page.")
    return actor


def _load(schema, form, keys) -> tuple[dict, dict]:
    raw = {k: form.get(k, "").strip() for k in keys}
    data = {k: v for k, v in raw.items() if v != ""}
    try:
        return schema.load(data), {}
    except ValidationError as exc:
        return {}, {k: MESSAGES.get(k, "Check this value.") for k in exc.messages}


def _problem_errors(exc: Problem) -> dict:
    return {(e.get("field") or "form").split(".")[0]: MESSAGES.get((e.get("field") or "").split(".")[0],
                                                                   e["detail"][:1].upper() + e["detail"][1:])
            for e in exc.errors or []} or {"form": exc.detail}


# -- people ------------------------------------------------------------------------------------
@bp.route("/people", methods=["GET", "POST"])
@login_required
def people():
    actor = _admin()
    errors, values = {}, {}
    if request.method == "POST":
        values = request.form.to_dict()
        keys = ("role", "email", "display_name", "given_name", "family_name", "external_id", "grade_level", "password")
        body, errors = _load(PersonCreateSchema(), request.form, keys)
        if not errors:
            try:
                person = actions.create_person(actor, body)
            except Problem as exc:
                if exc.status != 422:
                    raise
                errors = _problem_errors(exc)
            else:
                flash(f"{person.display_name} was added as a {person.role}.", "success")
                return redirect(url_for(".person_page", person_id=person.id))
    query = visible(actor, Person)
    text = (request.args.get("q") or "").strip()
    if text:
        like = f"%{text.lower()}%"
        query = query.where(db.or_(db.func.lower(Person.display_name).like(like),
                                   db.func.lower(Person.email).like(like)))
    role = request.args.get("role") or ""
    if role in {r.value for r in Role}:
        query = query.where(Person.role == role)
    try:
        page = max(1, min(int(request.args.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    total = db.session.scalar(db.select(db.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(Person.display_name, Person.id).limit(PAGE_SIZE)
                              .offset((page - 1) * PAGE_SIZE)).all()
    return render_template("roster/people.html", people=rows, total=total, page=page, page_size=PAGE_SIZE,
                           filters={"q": text, "role": role}, errors=errors, values=values,
                           roles=[r.value for r in Role]), 422 if errors else 200


@bp.route("/people/<uuid:person_id>", methods=["GET", "POST"])
@login_required
def person_page(person_id: uuid.UUID):
    """One person: details (editable), sections, and guardian links (the PATCH and guardians API)."""
    actor = _admin()
    person = db.session.get(Person, person_id)
    authorize(actor, "view", person, what="person")
    errors, values, form_name = {}, {}, request.form.get("form")
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            if form_name == "details":
                body = PersonUpdateSchema().load({
                    **{k: (values.get(k) or "").strip() or None for k in
                       ("given_name", "family_name", "grade_level", "external_id")},
                    "display_name": (values.get("display_name") or "").strip(), "is_active": "is_active" in values})
                actions.update_person(actor, person, body)
                flash(f"{person.display_name}'s details are saved.", "success")
            elif form_name == "link":
                other = _uuid(values.get("other_id"))
                student, guardian_id = (person, other) if person.role == Role.STUDENT.value else \
                    (db.session.get(Person, other) if other else None, person.id)
                if student is None or student.organization_id != actor.organization_id:
                    raise Problem(422, "Choose a student.", errors=[{"field": "other_id", "detail": "choose a student"}])
                guardian = actions.link_guardian(actor, student, guardian_id, values.get("relationship_label") or None)
                flash(f"{guardian.display_name} is now a guardian of {student.display_name}.", "success")
            else:
                raise Problem(422, "Unknown form.")
            return redirect(url_for("roster.person_page", person_id=person.id))
        except ValidationError as exc:
            errors = {k: MESSAGES.get(k, "Check this value.") for k in exc.messages}
        except Problem as exc:
            if exc.status != 422:
                raise
            db.session.rollback()
            errors = {("other_id" if k in ("guardian_id", "student_id") else k): v
                      for k, v in _problem_errors(exc).items()}
    sections = db.session.execute(db.select(Section, Enrolment.role).join(Enrolment).where(
        Enrolment.person_id == person.id).order_by(Section.name)).all()
    links = db.session.scalars(db.select(Person).join(
        GuardianLink, (GuardianLink.student_id == Person.id) if person.role == Role.GUARDIAN.value
        else (GuardianLink.guardian_id == Person.id)).where(
        (GuardianLink.guardian_id == person.id) if person.role == Role.GUARDIAN.value
        else (GuardianLink.student_id == person.id))).all()
    linkable_role = {Role.STUDENT.value: Role.GUARDIAN.value, Role.GUARDIAN.value: Role.STUDENT.value}.get(person.role)
    linkable = db.session.scalars(db.select(Person).where(
        Person.organization_id == person.organization_id, Person.role == linkable_role,
        Person.id.not_in([p.id for p in links])).order_by(Person.display_name)).all() if linkable_role else []
    if not values or form_name != "details":
        values = {**{k: getattr(person, k) or "" for k in ("display_name", "given_name", "family_name",
                                                           "grade_level", "external_id")},
                  "is_active": person.is_active, **({"other_id": values.get("other_id")} if values else {})}
    return render_template("roster/person.html", person=person, sections=sections, links=links, errors=errors,
                           values=values, form_name=form_name,
                           linkable=[(str(p.id), p.display_name) for p in linkable]), 422 if errors else 200


@bp.route("/admin/organization", methods=["GET", "POST"])
@login_required
def organization_page():
    """The school's name, web address, e-mail and description (PATCH /api/v1/organization)."""
    actor = _admin()
    org = db.session.get(Organization, actor.organization_id)
    keys = ("name", "url", "email", "description")
    errors, values = {}, {k: getattr(org, k) or "" for k in keys}
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in keys}
        try:
            body = OrganizationUpdateSchema().load({k: values[k] or None for k in keys if k != "name"}
                                                   | {"name": values["name"]})
        except ValidationError as exc:
            errors = {k: ORG_MESSAGES.get(k, "Check this value.") for k in exc.messages}
        else:
            actions.update_organization(actor, body)
            flash("The school's details are saved. Badges issued from now on name them.", "success")
            return redirect(url_for("roster.organization_page"))
    return render_template("roster/organization.html", org=org, values=values, errors=errors), 422 if errors else 200


ORG_MESSAGES = {"name": "Give the school's name.", "url": "Give a full web address, such as https://school.example.",
                "email": "Give a valid e-mail address, or leave it empty.", "description": "At most 5,000 characters."}


@bp.route("/people/import", methods=["GET", "POST"])
@accepts_body("document")
@login_required
def roster_import():
    """Upload, check (a dry run: nothing kept), confirm, import. All or nothing."""
    actor = _admin()
    result, errors, token = None, {}, None
    if request.method == "POST":
        if request.form.get("stage"):
            files = staging.take(actor.id, request.form["stage"])
            if files is None:
                errors["users"] = "That upload is no longer waiting (over an hour old, or already imported): choose the files again."
        else:
            files = _roster_files(errors)
        if not errors:
            org = db.session.get(Organization, actor.organization_id)
            confirmed = request.form.get("confirmed") == "yes"
            result = oneroster.import_roster(org, files, actor=actor)
            if result.errors or not confirmed:
                db.session.rollback()  # a check, or a refusal: nothing is kept
                if not result.errors:
                    token = staging.stage(actor.id, files)
            else:
                db.session.commit()
                created = result.created
                flash(f"Roster imported: {created['people']} people, {created['courses']} courses, "
                      f"{created['sections']} sections and {created['enrolments']} enrolments added.", "success")
                return render_template("roster/import.html", result=result, errors={}, done=True)
    status = 422 if errors or (result and result.errors) else 200
    return render_template("roster/import.html", result=result, errors=errors, token=token), status


def _roster_files(errors: dict) -> dict[str, str]:
    files = {}
    for name in oneroster.FILES + ("roles.csv",):
        upload = request.files.get(name.replace(".csv", ""))
        if upload and upload.filename:
            data = upload.read(MAX_ROSTER_BYTES + 1)
            if len(data) > MAX_ROSTER_BYTES:
                errors[name.replace(".csv", "")] = "This file is larger than 16 MiB; ask for the export in parts."
                continue
            try:
                files[name] = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                errors[name.replace(".csv", "")] = "This file is not UTF-8 text."
    if "users.csv" not in files and "users" not in errors:
        errors["users"] = "Choose the users.csv file of the export."
    return files


# -- courses and sections ----------------------------------------------------------------------
@bp.route("/sections", methods=["GET", "POST"])
@login_required
def sections():
    actor = _staff()
    errors, values, form_name = {}, {}, request.form.get("form")
    if request.method == "POST":
        _admin()
        values = request.form.to_dict()
        try:
            if form_name == "course":
                body, errors = _load(CourseSchema(), request.form, ("code", "title", "subject", "credit_value"))
                if not errors:
                    course = actions.create_course(actor, body)
                    flash(f"The course {course.code} · {course.title} was added.", "success")
                    return redirect(url_for(".sections"))
            else:
                body, errors = _load(SectionSchema(), request.form, ("name", "course_id", "school_year", "term"))
                if not errors:
                    section = actions.create_section(actor, body)
                    flash(f"The section {section.name} was added.", "success")
                    return redirect(url_for(".section_page", section_id=section.id))
        except Problem as exc:
            if exc.status != 422:
                raise
            errors = _problem_errors(exc)
    listing = db.session.scalars(visible(actor, Section).order_by(Section.school_year.desc(), Section.name)).all()
    courses = db.session.scalars(db.select(Course).where(Course.organization_id == actor.organization_id)
                                 .order_by(Course.code)).all()
    counts = dict(db.session.execute(db.select(Enrolment.section_id, db.func.count(Enrolment.id)).where(
        Enrolment.role == "student", Enrolment.section_id.in_([s.id for s in listing])).group_by(
        Enrolment.section_id)).all()) if listing else {}
    return render_template("roster/sections.html", sections=listing, courses=courses, counts=counts,
                           is_admin=actor.role == Role.ADMIN.value, errors=errors, values=values,
                           form_name=form_name), 422 if errors else 200


@bp.route("/sections/<uuid:section_id>", methods=["GET", "POST"])
@login_required
def section_page(section_id: uuid.UUID):
    actor = _staff()
    section = db.session.get(Section, section_id)
    authorize(actor, "view_roster", section, what="section")
    errors = {}
    if request.method == "POST":
        person_id = _uuid(request.form.get("person_id"))
        try:
            if request.form.get("action") == "remove" and person_id:
                actions.unenrol(actor, section, person_id)
                flash("Removed from the section.", "success")
            elif person_id:
                chosen = db.session.get(Person, person_id)
                role = "teacher" if chosen is not None and chosen.role == Role.TEACHER.value else "student"
                person, _ = actions.enrol(actor, section, person_id, role)
                flash(f"{person.display_name} is now in {section.name}.", "success")
            else:
                errors["person_id"] = "Choose a person."
        except Problem as exc:
            if exc.status != 422:
                raise
            errors = _problem_errors(exc)
            errors.setdefault("person_id", errors.pop("role", None) or "Choose someone else.")
        if not errors:
            return redirect(url_for(".section_page", section_id=section.id))
    roster = db.session.execute(db.select(Person, Enrolment.role).join(Enrolment, Enrolment.person_id == Person.id)
                                .where(Enrolment.section_id == section.id)
                                .order_by(Enrolment.role.desc(), Person.display_name)).all()
    may_manage = allowed(actor, "manage", section)
    candidates = []
    if may_manage:
        enrolled = {p.id for p, _ in roster}
        candidates = [p for p in db.session.scalars(db.select(Person).where(
            Person.organization_id == section.organization_id,
            Person.role.in_((Role.STUDENT.value, Role.TEACHER.value)), Person.is_active.is_(True))
            .order_by(Person.role, Person.display_name)) if p.id not in enrolled]
    return render_template("roster/section.html", section=section, roster=roster, may_manage=may_manage,
                           candidates=candidates, errors=errors), 422 if errors else 200


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None
