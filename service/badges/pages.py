"""Pages for earners and verifiers: the public verification page, an earner's
"my badges" with downloads and evidence sharing, and the public badge page
(Open Graph tags, add-to-LinkedIn) with its baked images.
"""
from __future__ import annotations

import uuid
from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, render_template, request, url_for
from sqlalchemy.orm import joinedload, selectinload

from .. import audit
from ..auth import current_person, login_required
from ..errors import Problem
from ..extensions import db, read_only
from ..models import Role
from ..policies import authorize, visible
from ..body_limits import accepts_body
from . import downloads, formats, urls
from .models import Award, BadgeClass
from .verification import MAX_INPUT_BYTES, InputError, verify_input

bp = Blueprint("badges_pages", __name__)

# Awards that have a signed credential anyone may look at (pending ones do not).
PUBLIC_STATUSES = ("issued", "suspended", "revoked")
STATUS_LABELS = {"issued": "Valid", "suspended": "Suspended", "revoked": "Revoked",
                 "pending_approval": "Waiting for approval", "rejected": "Not awarded"}


# -- verification page -----------------------------------------------------------
@bp.route("/verify", methods=["GET", "POST"])
@accepts_body("document")
def verify_page():
    """Paste a credential, upload a baked image, or follow /verify?url=..."""
    report, error, given = None, None, {}
    if request.method == "POST":
        if request.content_length and request.content_length > MAX_INPUT_BYTES + 64 * 1024:
            raise Problem(413, "Verification input is limited to 10 MiB.", type="payload-too-large")
        upload = request.files.get("file")
        data = upload.read(MAX_INPUT_BYTES + 1) if upload and upload.filename else None
        text = (request.form.get("credential") or "").strip()
        url = (request.form.get("url") or "").strip()
        recipient = (request.form.get("recipient") or "").strip()
        given = {"credential": text, "url": url, "file": upload.filename if data else None, "recipient": recipient}
        inputs = {"upload": data, "credential": text or None, "url": url or None, "recipient": recipient or None}
    elif request.args.get("url"):
        given = {"url": request.args["url"].strip(), "recipient": (request.args.get("recipient") or "").strip()}
        inputs = {"url": given["url"], "recipient": given["recipient"] or None}
    else:
        inputs = None
    if inputs is not None:
        try:
            report = verify_input(**inputs)
        except InputError as exc:
            error = str(exc)
    status = 422 if error else 200
    return render_template("badges/verify.html", report=report, error=error, given=given), status


# -- public badge page -----------------------------------------------------------
def _public_award(award_id: uuid.UUID, *options) -> Award:
    award = db.session.get(Award, award_id, options=options)
    if award is None or award.status not in PUBLIC_STATUSES or not award.credential:
        raise Problem(404, "No such badge.")
    return award


def _shared_evidence(award: Award) -> list[dict]:
    shared = {str(v) for v in award.shared_evidence or []}
    return [e for e in award.evidence or [] if str(e.get("artifact_version_id")) in shared]


def linkedin_url(award: Award) -> str:
    """LinkedIn's documented "add to profile" link for a certification."""
    issued = award.issued_at
    params = {"startTask": "CERTIFICATION_NAME", "name": award.badge_class.name,
              "organizationName": award.badge_class.organization.name,
              "certUrl": urls.badge_page_url(award.id), "certId": str(award.id)}
    if issued is not None:
        params.update(issueYear=issued.year, issueMonth=issued.month)
    if award.valid_until is not None:
        params.update(expirationYear=award.valid_until.year, expirationMonth=award.valid_until.month)
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


@bp.get("/badges/<uuid:award_id>")
@read_only
def badge_page(award_id: uuid.UUID):
    # The page shows the badge class, its school and the earner: one query, not four.
    award = _public_award(award_id, joinedload(Award.badge_class).joinedload(BadgeClass.organization),
                          joinedload(Award.recipient))
    credential = award.credential
    subject = credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    image_url = urls.baked_image_url(award.id, "png") if award.status != "revoked" else \
        urls.badge_class_image_url(award.badge_class_id)
    # The page shows the image from wherever it is served; og:image keeps the public URL (PNG, for
    # link previews). The page itself shows the SVG: the PNG form of a drawn badge is a plain disc.
    image_path = url_for("badges_pages.baked_image", award_id=award.id, fmt="svg") if award.status != "revoked" \
        else url_for("badges_public.achievement_image", badge_class_id=award.badge_class_id)
    return render_template(
        "badges/badge.html", award=award, badge_class=award.badge_class, organization=award.badge_class.organization,
        achievement=achievement, results=subject.get("result") or [], recipient=award.recipient,
        evidence=_shared_evidence(award), image_url=image_url, image_path=image_path, page_url=urls.badge_page_url(award.id),
        status_label=STATUS_LABELS.get(award.status, award.status), linkedin_url=linkedin_url(award),
        verify_url=url_for("badges_pages.verify_page", url=urls.credential_url(award.id)),
        issuer_url=urls.issuer_profile_url(award.badge_class.organization.slug))


@bp.get("/badges/<uuid:award_id>/image.<fmt>")
def baked_image(award_id: uuid.UUID, fmt: str):
    if fmt not in {f.name for f in formats.images()}:
        raise Problem(404, "No such badge image format.", type="not-found")
    award = _public_award(award_id)
    if award.status == "revoked":
        raise Problem(410, "This badge has been revoked.", type="not-found")
    body, mime, _name = downloads.download(award, fmt)
    response = Response(body, mimetype=mime)
    response.headers["Cache-Control"] = "public, max-age=300"
    if fmt == "svg":  # an SVG opened directly must not run anything
        response.headers["Content-Security-Policy"] = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    return response


@bp.get("/badges/<uuid:award_id>/evidence/<uuid:version_id>")
def shared_evidence(award_id: uuid.UUID, version_id: uuid.UUID):
    """Evidence the earner chose to show on the public page (nothing else)."""
    award = _public_award(award_id)
    if award.status == "revoked" or str(version_id) not in {str(e.get("artifact_version_id"))
                                                            for e in _shared_evidence(award)}:
        raise Problem(404, "No such evidence.")
    from ..portfolio.downloads import send_version, wants_inline
    from ..portfolio.models import ArtifactVersion

    version = db.session.get(ArtifactVersion, version_id)
    if version is None:
        raise Problem(404, "No such evidence.")
    if version.blob_digest is None and version.url:
        return redirect(version.url, code=303)
    return send_version(version, inline=wants_inline())


# -- my badges -------------------------------------------------------------------
def _my_award(award_id: uuid.UUID, action: str = "view") -> Award:
    award = db.session.get(Award, award_id)
    authorize(current_person(), action, award, what="badge")
    return award


@bp.get("/my/badges")
@login_required
def my_badges():
    person = current_person()
    if person.role != Role.STUDENT.value:  # only students earn badges; guardians see theirs under My children
        raise Problem(404, "Only students have badges of their own.")
    awards = db.session.scalars(visible(person, Award).where(Award.recipient_id == person.id)
                                .options(selectinload(Award.badge_class))
                                .order_by(Award.issued_at.desc(), Award.created_at.desc(), Award.id)).all()
    rows = [{"award": a, "status_label": STATUS_LABELS.get(a.status, a.status),
             "public": a.status in PUBLIC_STATUSES and bool(a.credential),
             "linkedin_url": linkedin_url(a) if a.status == "issued" else None,
             "shared": {str(v) for v in a.shared_evidence or []}} for a in awards]
    return render_template("badges/my_badges.html", rows=rows, saved=request.args.get("saved"),
                           formats=formats.registered())


@bp.get("/my/badges/<uuid:award_id>/download/<fmt>")
@login_required
def download(award_id: uuid.UUID, fmt: str):
    award = _my_award(award_id)
    if fmt not in {f.name for f in formats.registered()}:
        raise Problem(404, "No such download format.", type="not-found")
    try:
        body, mime, name = downloads.download(award, fmt)
    except downloads.DownloadError as exc:
        raise Problem(409, str(exc)) from None
    response = Response(body, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.post("/my/badges/<uuid:award_id>/sharing")
@login_required
def update_sharing(award_id: uuid.UUID):
    """The earner picks which of the badge's evidence the public page shows."""
    award = _my_award(award_id, "share_evidence")
    known = {str(e.get("artifact_version_id")) for e in award.evidence or [] if e.get("artifact_version_id")}
    chosen = request.form.getlist("evidence")
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise Problem(422, "That evidence does not belong to this badge.", type="validation-error")
    award.shared_evidence = [c for c in known if c in chosen]
    audit.record("award.share_evidence", obj=award, shared=sorted(award.shared_evidence))
    db.session.commit()
    return redirect(url_for("badges_pages.my_badges", saved=str(award.id)) + f"#award-{award.id}")


def home_links(person) -> list[dict]:
    links = [{"url": url_for("badges_pages.verify_page"), "label": "Verify a badge"}]
    if person is not None and person.role == Role.STUDENT.value:
        links.insert(0, {"url": url_for("badges_pages.my_badges"), "label": "My badges"})
    return links


def init_app(app) -> None:
    from . import ob2  # the Open Badges 2.0 hosted twin of each public badge

    app.register_blueprint(bp)
    app.register_blueprint(ob2.bp)

