"""Teachers' and admins' award pages: the awards list with search and filters,
one award with revoke / suspend / unsuspend (reason private unless marked
public), awarding a badge to chosen students or a CSV of students with a
preview and a confirmation, then the job's progress page.

Every write goes through `actions` (the API's functions too).
"""
from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..auth import current_person, login_required
from ..body_limits import accepts_body
from ..errors import Problem
from ..extensions import db
from ..models import Person, Role, Section
from ..policies import allowed, authorize, visible
from . import actions, jobs, manual_award
from .models import Award, BadgeClass
from .pages import PUBLIC_STATUSES, STATUS_LABELS

bp = Blueprint("badges_awards", __name__)
PAGE_SIZE = 50
MAX_CSV_BYTES = 5 * 1024 * 1024


def _staff():
    person = current_person()
    if person.role not in (Role.TEACHER.value, Role.ADMIN.value):
        raise Problem(403, "Awards are managed by teachers and admins.")
    return person


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _field_errors(problem: Problem) -> dict:
    out = {}
    for error in problem.errors or []:
        out.setdefault((error.get("field") or "form").split(".")[0], _sentence(error["detail"]))
    return out or {"form": problem.detail}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


# -- the awards list -----------------------------------------------------------------------------
@bp.get("/badges/awards")
@login_required
def awards():
    actor = _staff()
    query = visible(actor, Award).join(Person, Person.id == Award.recipient_id).join(
        BadgeClass, BadgeClass.id == Award.badge_class_id)
    text = (request.args.get("q") or "").strip()
    if text:
        like = f"%{text.lower()}%"
        query = query.where(db.or_(db.func.lower(Person.display_name).like(like),
                                   db.func.lower(Person.email).like(like),
                                   db.func.lower(BadgeClass.name).like(like)))
    chosen_status = request.args.get("status") or ""
    if chosen_status in STATUS_LABELS:
        query = query.where(Award.status == chosen_status)
    chosen_class = _uuid(request.args.get("badge_class_id"))
    if chosen_class:
        query = query.where(Award.badge_class_id == chosen_class)
    try:
        page = max(1, min(int(request.args.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    total = db.session.scalar(db.select(db.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(Award.created_at.desc(), Award.id)
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    classes = db.session.scalars(visible(actor, BadgeClass).order_by(BadgeClass.name)).all()
    return render_template("badges/awards.html", awards=rows, total=total, page=page, page_size=PAGE_SIZE,
                           classes=classes, labels=STATUS_LABELS,
                           filters={"q": text, "status": chosen_status, "badge_class_id": str(chosen_class or "")})


# -- one award: revoke, suspend, unsuspend ------------------------------------------------------
@bp.route("/badges/awards/<uuid:award_id>", methods=["GET", "POST"])
@login_required
def award_page(award_id: uuid.UUID):
    actor = _staff()
    award = db.session.get(Award, award_id)
    authorize(actor, "view", award, what="award")
    errors, values = {}, {}
    if request.method == "POST":
        action = request.form.get("action", "")
        values = {"reason": request.form.get("reason", ""), "reason_public": request.form.get("reason_public") == "on"}
        if action not in actions.STATUS_CHANGES:
            raise Problem(422, "Choose revoke, suspend or unsuspend.")
        if action == "revoke" and request.form.get("confirmed") != "yes":
            # Revoking cannot be undone: ask once more, showing what will happen.
            if not values["reason"].strip():
                errors = {"reason": "Say why (the student sees it; the public only if you choose)."}
            return render_template("badges/award.html", award=award, labels=STATUS_LABELS, errors=errors,
                                   values=values, may_change=allowed(actor, "change_status", award),
                                   confirm_revoke=not errors, public=award.status in PUBLIC_STATUSES
                                   and bool(award.credential)), 422 if errors else 200
        try:
            actions.change_status(actor, award, action, reason=values["reason"],
                                  reason_public=values["reason_public"])
        except Problem as exc:
            if exc.status not in (409, 422):
                raise
            errors = _field_errors(exc)
        else:
            done = {"revoke": "revoked", "suspend": "suspended", "unsuspend": "valid again"}[action]
            flash(f"The badge “{award.badge_class.name}” of {award.recipient.display_name} is {done}.", "success")
            return redirect(url_for(".award_page", award_id=award.id))
    return render_template("badges/award.html", award=award, labels=STATUS_LABELS, errors=errors, values=values,
                           may_change=allowed(actor, "change_status", award),
                           public=award.status in PUBLIC_STATUSES and bool(award.credential)), 422 if errors else 200


# -- award to chosen students (with a preview and a confirmation) --------------------------------
def _candidates(actor) -> list[tuple[Section, list[Person]]]:
    """Sections the actor may award, each with its active students."""
    sections = [s for s in db.session.scalars(visible(actor, Section).order_by(Section.name))
                if allowed(actor, "teach", s) or allowed(actor, "manage", s)]
    out = []
    for section in sections:
        students = [p for p in jobs.section_recipients(section.id)
                    if actor.role == Role.ADMIN.value or allowed(actor, "view", p)]
        if students:
            out.append((section, students))
    return out


@bp.route("/badges/classes/<uuid:badge_class_id>/award", methods=["GET", "POST"])
@accepts_body("document")
@login_required
def award_students(badge_class_id: uuid.UUID):
    actor = _staff()
    badge_class = db.session.get(BadgeClass, badge_class_id)
    authorize(actor, "bulk_issue", badge_class, what="badge class")
    step = request.form.get("step") if request.method == "POST" else None
    chosen = [i for i in (_uuid(v) for v in request.form.getlist("student_ids")) if i]
    if step in ("preview", "confirm"):
        if not chosen:
            return _choose_page(actor, badge_class, set(), {"student_ids": "Choose at least one student."}), 422
        recipients, skipped = actions.chosen_recipients(actor, chosen)
        if step == "confirm":
            if request.form.get("confirmed") != "yes":
                return _preview_page(actor, badge_class, recipients, skipped,
                                     {"confirmed": "Tick the box to confirm."}), 422
            try:
                job = actions.start_bulk(actor, badge_class, recipients, skipped=skipped,
                                         origin={"chosen": len(chosen), "via": request.form.get("via", "page")})
            except Problem as exc:
                if exc.status != 422:
                    raise
                return _preview_page(actor, badge_class, recipients, skipped, _field_errors(exc)), 422
            flash(f"Awarding “{badge_class.name}” to {len(recipients)} student"
                  f"{'s' if len(recipients) != 1 else ''}.", "success")
            return redirect(url_for("badges_manage.job_page", job_id=job.id))
        return _preview_page(actor, badge_class, recipients, skipped, {})
    preselected: set = set()
    section_id = _uuid(request.args.get("section_id"))
    if section_id:
        preselected = {p.id for p in actions.section_recipients(actor, section_id)}
    student_id = _uuid(request.args.get("student_id"))
    if student_id:
        preselected.add(student_id)
    return _choose_page(actor, badge_class, preselected, {})


def _choose_page(actor, badge_class, preselected, errors):
    candidates = _candidates(actor)
    have = actions.already_awarded(badge_class, [p for _, people in candidates for p in people])
    return render_template("badges/award_students.html", badge_class=badge_class, candidates=candidates,
                           preselected=preselected, have=have, errors=errors)


def _preview_page(actor, badge_class, recipients, skipped, errors, via="page"):
    have = actions.already_awarded(badge_class, recipients)
    names = {str(p.id): p for p in db.session.scalars(db.select(Person).where(
        Person.id.in_([_uuid(s["recipient_id"]) for s in skipped if s.get("recipient_id")])))} if skipped else {}
    return render_template("badges/award_preview.html", badge_class=badge_class,
                           new=[p for p in recipients if p.id not in have],
                           already=[p for p in recipients if p.id in have], recipients=recipients,
                           skipped=skipped, names=names, errors=errors, via=via)


# -- award one student by hand, citing scored evidence -------------------------------------------
@bp.route("/badges/classes/<uuid:badge_class_id>/award-one", methods=["GET", "POST"])
@login_required
def award_one(badge_class_id: uuid.UUID):
    """Pick a student, tick the scored work the badge cites, add a note: issued at once."""
    actor = _staff()
    badge_class = db.session.get(BadgeClass, badge_class_id)
    authorize(actor, "view", badge_class, what="badge class")
    students = sorted({p.id: p for _, people in _candidates(actor) for p in people}.values(),
                      key=lambda p: p.display_name)
    form = request.form if request.method == "POST" else request.args
    student = next((p for p in students if str(p.id) == form.get("recipient_id")), None)
    values = {"recipient_id": form.get("recipient_id", ""), "narrative": form.get("narrative", ""),
              "evidence_version_ids": form.getlist("evidence_version_ids")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            award, created = manual_award.issue_by_hand(
                actor, badge_class, _uuid(values["recipient_id"]),
                [v for v in (_uuid(i) for i in values["evidence_version_ids"]) if v], narrative=values["narrative"])
        except Problem as exc:
            if exc.status not in (403, 409, 422):
                raise
            errors = _field_errors(exc)
        else:
            name = award.recipient.display_name
            flash(f"“{badge_class.name}” was issued to {name}." if created
                  else f"{name} already had “{badge_class.name}”; nothing changed.", "success")
            return redirect(url_for(".award_page", award_id=award.id))
    return render_template("badges/award_one.html", badge_class=badge_class, student=student,
                           student_options=[(str(p.id), p.display_name) for p in students],
                           evidence=manual_award.scored_evidence(student) if student else [],
                           values=values, errors=errors, may_issue=actor.role == Role.TEACHER.value
                           ), 422 if errors else 200


# -- CSV upload ----------------------------------------------------------------------------------
@bp.route("/badges/classes/<uuid:badge_class_id>/upload", methods=["GET", "POST"])
@accepts_body("document")
@login_required
def bulk_upload(badge_class_id: uuid.UUID):
    """A CSV of students (email or external_id column): preview, then the same confirmation."""
    actor = _staff()
    badge_class = db.session.get(BadgeClass, badge_class_id)
    authorize(actor, "bulk_issue", badge_class, what="badge class")
    errors = {}
    if request.method == "POST":
        upload = request.files.get("csv_file")
        data = upload.read(MAX_CSV_BYTES + 1) if upload and upload.filename else b""
        if not data:
            errors["csv_file"] = "Choose a CSV file with an email or external_id column."
        elif len(data) > MAX_CSV_BYTES:
            errors["csv_file"] = "That file is larger than 5 MiB; split it into smaller files."
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                errors["csv_file"] = "That file is not UTF-8 text; save it as “CSV UTF-8” and try again."
            else:
                try:
                    recipients, skipped = actions.csv_recipients(actor, text)
                except Problem as exc:
                    errors = {"csv_file": _field_errors(exc).get("csv") or exc.detail}
                else:
                    return _preview_page(actor, badge_class, recipients, skipped, {}, via="csv")
    return render_template("badges/upload.html", badge_class=badge_class, errors=errors), 422 if errors else 200


def init_app(app) -> None:
    app.register_blueprint(bp)



