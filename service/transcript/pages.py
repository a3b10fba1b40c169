"""Transcript pages: request and review, the transcript itself (print styles),
downloads, share links, the public verification page a college reaches from
the PDF's QR code or a share link, the published credit policy, and the
admins' settings (credit policy, school profile, courses). Actions go through
actions.py, as the API's do."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from ..auth import current_person, login_required
from ..errors import Problem
from ..extensions import db
from ..models import Course, Organization, Person, Role
from ..policies import allowed, visible
from . import actions, lifecycle, urls
from .api import download
from .models import Transcript, TranscriptShare
from .policy import Rules

bp = Blueprint("transcript_pages", __name__)

STATUS_LABELS = {"requested": "Waiting for the registrar", "issued": "Issued", "declined": "Declined",
                 "revoked": "Revoked"}


def _form_problem(exc: Problem) -> str:
    details = [e.get("detail") and f"{e.get('field')}: {e['detail']}" for e in (exc.errors or [])]
    return "; ".join(d for d in details if d) or exc.detail


@bp.app_template_filter("transcript_status")
def _status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@bp.route("/transcripts")
@login_required
def index():
    actor = current_person()
    transcripts = db.session.scalars(visible(actor, Transcript).order_by(Transcript.requested_at.desc())).all()
    students = []
    if actor.role == Role.ADMIN.value:
        students = db.session.scalars(db.select(Person).where(
            Person.organization_id == actor.organization_id, Person.role == Role.STUDENT.value,
            Person.is_active.is_(True)).order_by(Person.family_name, Person.display_name)).all()
    return render_template("transcript/index.html", transcripts=transcripts, students=students, actor=actor)


@bp.post("/transcripts/request")
@login_required
def request_transcript():
    actor = current_person()
    student_id = request.form.get("student_id") or None
    try:
        import uuid

        actions.request_for(actor, uuid.UUID(student_id) if student_id else None, request.form.get("note") or None)
        flash("Transcript requested. The registrar will review it.")
    except (Problem, ValueError) as exc:
        flash(_form_problem(exc) if isinstance(exc, Problem) else "Choose a student.", "error")
    return redirect(url_for(".index"))


@bp.route("/transcripts/<uuid:transcript_id>")
def detail(transcript_id):
    actor = current_person()
    transcript = db.session.get(Transcript, transcript_id)
    if transcript is None:
        abort(404)
    if actor is None or not allowed(actor, "view", transcript):
        if transcript.credential is None:
            abort(404)
        # The CLR's id: anyone holding the credential may verify it, not browse it.
        return redirect(url_for(".verify", transcript_id=transcript.id))
    shares = db.session.scalars(db.select(TranscriptShare).where(TranscriptShare.transcript_id == transcript.id)
                                .order_by(TranscriptShare.created_at.desc())).all()
    record = transcript.record or (lifecycle.preview(transcript.student) if transcript.status == "requested"
                                   and allowed(actor, "review", transcript) else None)
    if transcript.record is None:
        db.session.commit()  # a preview may create the school's defaults
    readiness = actions.readiness_for(actor, transcript, record)
    return render_template("transcript/detail.html", t=transcript, record=record, shares=shares,
                           readiness=readiness,
                           new_link=request.args.get("link"),
                           can_review=allowed(actor, "review", transcript),
                           can_share=allowed(actor, "share", transcript),
                           verification_url=urls.ids(transcript.student.organization.slug).verification(transcript.id))


def _act(transcript_id, fn, message, *args):
    try:
        fn(current_person(), transcript_id, *args)
        flash(message)
    except Problem as exc:
        if exc.status == 404:
            raise
        flash(_form_problem(exc), "error")
    return redirect(url_for(".detail", transcript_id=transcript_id))


@bp.post("/transcripts/<uuid:transcript_id>/issue")
@login_required
def issue(transcript_id):
    return _act(transcript_id, actions.issue, "Transcript issued and signed.")


@bp.post("/transcripts/<uuid:transcript_id>/decline")
@login_required
def decline(transcript_id):
    return _act(transcript_id, actions.decline, "Request declined.", request.form.get("reason") or "Declined")


@bp.post("/transcripts/<uuid:transcript_id>/revoke")
@login_required
def revoke(transcript_id):
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        flash("Give a reason for revoking.", "error")
        return redirect(url_for(".detail", transcript_id=transcript_id))
    return _act(transcript_id, actions.revoke, "Transcript revoked.", reason)


@bp.post("/transcripts/<uuid:transcript_id>/share")
@login_required
def share(transcript_id):
    try:
        days = int(request.form.get("days") or 30)
        _, token = actions.share(current_person(), transcript_id, days)
    except ValueError:
        flash("Days must be a whole number.", "error")
        return redirect(url_for(".detail", transcript_id=transcript_id))
    except Problem as exc:
        if exc.status == 404:
            raise
        flash(_form_problem(exc), "error")
        return redirect(url_for(".detail", transcript_id=transcript_id))
    flash("Share link created. Copy it now: it is shown only once.")
    return redirect(url_for(".detail", transcript_id=transcript_id, link=urls.share_url(token)))


@bp.post("/transcripts/<uuid:transcript_id>/shares/<uuid:share_id>/end")
@login_required
def end_share(transcript_id, share_id):
    return _act(transcript_id, actions.end_share, "Link withdrawn.", share_id)


@bp.route("/transcripts/<uuid:transcript_id>/download/<any(json,jwt,pdf,csv):kind>")
@login_required
def download_own(transcript_id, kind):
    transcript = actions.issued_only(actions.get_transcript(current_person(), transcript_id))
    return download(transcript, kind)


# -- public: verification, share links, published policies ---------------------------------
def _verification(transcript: Transcript) -> dict:
    from ..badges.verification import verify_source

    return verify_source(transcript.credential)


@bp.route("/transcripts/<uuid:transcript_id>/verify")
def verify(transcript_id):
    """What the PDF's QR code opens: this transcript verified now (proof, status, embedded badges,
    credits and GPA against the policy), with the totals. The full record is for share links."""
    transcript = db.session.get(Transcript, transcript_id)
    if transcript is None or transcript.credential is None:
        abort(404)
    report = _verification(transcript)
    return render_template("transcript/verify.html", t=transcript, report=report, record=None, via_link=False)


@bp.route("/t/<token>")
def shared(token):
    row, why = lifecycle.by_token(token)
    if why:
        return render_template("transcript/link_gone.html", why=why), 404 if row is None else 410
    transcript = row.transcript
    report = _verification(transcript)
    return render_template("transcript/verify.html", t=transcript, report=report, record=transcript.record,
                           via_link=True, token=token)


@bp.route("/t/<token>/download/<any(json,jwt,pdf,csv):kind>")
def shared_download(token, kind):
    row, why = lifecycle.by_token(token)
    if why:
        return render_template("transcript/link_gone.html", why=why), 404 if row is None else 410
    return download(row.transcript, kind)


def _org(slug) -> Organization:
    org = db.session.scalar(db.select(Organization).where(Organization.slug == slug))
    if org is None:
        abort(404)
    return org


@bp.route("/issuers/<slug>/credit-policy")
def policy_latest(slug):
    org = _org(slug)
    row = lifecycle.current_policy(org)
    db.session.commit()
    return redirect(url_for(".policy_page", slug=slug, version=row.version))


@bp.route("/issuers/<slug>/credit-policy/<int:version>")
def policy_page(slug, version):
    org = _org(slug)
    row = lifecycle.policy_version(org, version)
    if row is None:
        abort(404)
    rules = Rules.from_json(row.rules)
    return render_template("transcript/policy.html", org=org, row=row, rules=row.rules,
                           description=rules.describe(), json_url=urls.ids(slug).policy_json(version),
                           profile=lifecycle.profile_json(org))


@bp.route("/issuers/<slug>/credit-policy/<int:version>.json")
def policy_json(slug, version):
    org = _org(slug)
    row = lifecycle.policy_version(org, version)
    if row is None:
        abort(404)
    body = {"id": urls.ids(slug).policy_json(version), "issuer": org.name, "version": row.version,
            "immutable": row.used_at is not None, "rules": row.rules, "note": row.note,
            "description": Rules.from_json(row.rules).describe()}
    return Response(json.dumps(body, indent=2), mimetype="application/json")


# -- admins: credit policy, school profile, courses --------------------------------------------
def _admin() -> tuple[Person, Organization]:
    actor = current_person()
    if actor is None or actor.role != Role.ADMIN.value:
        abort(404)
    return actor, db.session.get(Organization, actor.organization_id)


@bp.route("/admin/transcripts", methods=["GET", "POST"])
@login_required
def settings():
    actor, org = _admin()
    error = None
    if request.method == "POST":
        try:
            if request.form.get("form") == "requirements":
                actions.import_requirements(actor, json.loads(request.form.get("requirements") or "{}"))
                flash("Requirement set imported.")
            elif request.form.get("form") == "delete-requirements":
                import uuid

                actions.delete_requirements(actor, uuid.UUID(request.form.get("set_id") or ""))
                flash("Requirement set removed.")
            elif request.form.get("form") == "policy":
                rules = json.loads(request.form.get("rules") or "{}")
                actions.save_policy(actor, rules, request.form.get("note") or None)
                flash("Credit policy saved.")
            else:
                fields_ = ("address", "school_code", "accreditation", "contact", "size", "grading")
                actions.save_profile(actor, {k: (request.form.get(k) or "").strip() or None for k in fields_})
                flash("School profile saved.")
            return redirect(url_for(".settings"))
        except json.JSONDecodeError as exc:
            error = f"not valid JSON ({exc.msg} at line {exc.lineno})"
        except Problem as exc:
            error = _form_problem(exc)
    from .models import RequirementSet

    row = lifecycle.current_policy(org)
    profile = lifecycle.school_profile(org)
    db.session.commit()
    sets = db.session.scalars(db.select(RequirementSet).where(RequirementSet.organization_id == org.id)
                              .order_by(RequirementSet.name)).all()
    return render_template("transcript/settings.html", org=org, row=row, profile=profile, error=error, sets=sets,
                           rules_text=(request.form.get("rules") if error and request.form.get("form") == "policy"
                                       else json.dumps(row.rules, indent=2))), (
        422 if error else 200)


@bp.route("/admin/courses", methods=["GET", "POST"])
@login_required
def courses():
    from ..assessment import facts

    actor, org = _admin()
    error = None
    if request.method == "POST":
        import uuid

        try:
            values = {"title": request.form.get("title") or None, "subject": request.form.get("subject") or None,
                      "level": request.form.get("level"), "credit_value": request.form.get("credit_value"),
                      "competency_ids": [uuid.UUID(v) for v in request.form.getlist("competency_ids")]}
            actions.update_course(actor, uuid.UUID(request.form.get("course_id") or ""),
                                  {k: v for k, v in values.items() if v is not None})
            flash("Course saved.")
            return redirect(url_for(".courses"))
        except ValueError:
            error = "Choose a course and valid competencies."
        except Problem as exc:
            error = _form_problem(exc)
    rows = db.session.scalars(db.select(Course).where(Course.organization_id == org.id).order_by(Course.code)).all()
    comps = facts.current_competencies(org.id)
    linked = {c.id: set(actions.course_competency_ids(c)) for c in rows}
    return render_template("transcript/courses.html", courses=rows, competencies=comps, linked=linked,
                           error=error), (422 if error else 200)


def home_links(person) -> list[dict]:
    if person is None:
        return []
    links = []
    if person.role in (Role.STUDENT.value, Role.ADMIN.value, Role.TEACHER.value, Role.GUARDIAN.value):
        links.append({"url": url_for("transcript_pages.index"), "label": "Transcripts"})
    if person.role == Role.ADMIN.value:
        links += [{"url": url_for("transcript_pages.settings"), "label": "Credit policy and school profile"},
                  {"url": url_for("transcript_pages.courses"), "label": "Courses and credits"}]
    return links
