"""Public, unauthenticated JSON that verifiers fetch: issuer profiles, DID
documents, JWKS and JWKs, achievements, credentials and status lists.

Shapes and URLs are in urls.py and issuer.py; this module only serves them.
Status lists may be cached briefly; everything else changes rarely.
"""
from __future__ import annotations

import uuid

from flask import Blueprint, Response, json, render_template, request

from ..errors import Problem
from ..extensions import db, read_only
from . import classes, formats, issuer, status
from .models import Award, BadgeClass

bp = Blueprint("badges_public", __name__)

JSON_LD = "application/ld+json"


def _json(body, *, mimetype="application/json", max_age: int = 300) -> Response:
    response = Response(json.dumps(body), mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers run in other origins' pages
    return response


def _org(slug: str):
    org = issuer.organization_by_slug(slug)
    if org is None:
        raise Problem(404, "No such issuer.")
    return org


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json", JSON_LD])
    return best in ("application/json", JSON_LD)


@bp.get("/issuers/<slug>")
@read_only
def issuer_profile(slug):
    org = _org(slug)
    if _wants_json():
        return _json(issuer.profile_json(org), mimetype=JSON_LD if "ld+json" in str(request.accept_mimetypes) else
                     "application/json")
    return render_template("badges/issuer.html", org=org, profile=issuer.profile_json(org),
                           did=issuer.did_document(org)["id"])


@bp.get("/issuers/<slug>/did.json")
@read_only
def did_document(slug):
    return _json(issuer.did_document(_org(slug)), mimetype="application/did+json")


@bp.get("/issuers/<slug>/keys/<key_id>")
@read_only
def jwk(slug, key_id):
    org = _org(slug)
    row = issuer.key_by_id(org, key_id)
    if row is None or row.algorithm == "EdDSA" and row.public_key_multibase is None:
        raise Problem(404, "No such key.")
    return _json(issuer.public_jwk(org, row), mimetype="application/jwk+json")


@bp.get("/issuers/<slug>/revocations")
def revocation_list(slug):
    return _json(status.revocation_list(_org(slug)), max_age=60)


@bp.get("/.well-known/jwks.json")
@read_only
def jwks():
    return _json(issuer.jwks(), mimetype="application/jwk-set+json")


def _badge_class(badge_class_id) -> BadgeClass:
    badge_class = db.session.get(BadgeClass, _uuid(badge_class_id))
    if badge_class is None:
        raise Problem(404, "No such achievement.")
    return badge_class


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Problem(404, "Not found.") from None


@bp.get("/achievements/<badge_class_id>")
@read_only
def achievement(badge_class_id):
    return _json(classes.achievement_json(_badge_class(badge_class_id)), mimetype=JSON_LD)


@bp.get("/achievements/<badge_class_id>/image")
def achievement_image(badge_class_id):
    data, mime = classes.image_bytes(_badge_class(badge_class_id))
    response = Response(data, mimetype=mime)
    response.headers["Cache-Control"] = "public, max-age=3600"
    if mime == "image/svg+xml":  # never let an SVG run anything on our origin
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


def _reason(award: Award) -> dict:
    reason = status.public_reason(award)
    return {"reason": reason} if reason else {}


@bp.get("/credentials/<award_id>")
@read_only
def credential(award_id):
    award = db.session.get(Award, _uuid(award_id))
    if award is None or award.credential is None or award.status in ("pending_approval", "rejected", "issuing"):
        raise Problem(404, "No such credential.")
    if award.status == "revoked":
        raise Problem(410, "This credential has been revoked.", **_reason(award))
    if award.status == "suspended":
        raise Problem(409, "This credential is suspended.", **_reason(award))
    if undisclosed_evidence(award) and not _may_see_everything(award):
        # The signed document names and digests every piece of evidence; it
        # cannot be trimmed without breaking its proof, so it is served whole
        # only once the earner has made all of that evidence visible.
        from .urls import badge_page_url

        raise Problem(403, "The earner has not made this credential's evidence public. Ask them for the "
                           "credential file, or see its public badge page.", badge_page=badge_page_url(award.id))
    # The signed JSON unless the client asks for another registered form (formats.py) this award has.
    fmt = formats.by_media_type(request.accept_mimetypes.best_match(formats.negotiable()))
    if fmt is None or fmt.name == "json" or not fmt.has_form(award):
        return _json(award.credential, mimetype=JSON_LD, max_age=60)
    response = Response(fmt.render(award), mimetype=fmt.mime_type)
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def undisclosed_evidence(award: Award) -> list[dict]:
    """Evidence the earner has neither shared on the badge page nor made public."""
    shared = {str(v) for v in award.shared_evidence or []}
    hidden = [e for e in award.evidence or [] if str(e.get("artifact_version_id")) not in shared]
    if not hidden:
        return []
    from ..portfolio.models import ArtifactVersion

    public = set()
    for e in hidden:
        try:
            version = db.session.get(ArtifactVersion, uuid.UUID(str(e.get("artifact_version_id"))))
        except ValueError:
            continue
        if version is not None and version.artifact is not None and version.artifact.visibility == "public":
            public.add(str(version.id))
    return [e for e in hidden if str(e.get("artifact_version_id")) not in public]


def _may_see_everything(award: Award) -> bool:
    """The earner, their teachers, guardians and school admins (session or bearer token)."""
    from ..auth import current_person
    from ..policies import allowed

    person = current_person()
    return person is not None and allowed(person, "view", award)


@bp.get("/status/<status_list_id>")
def status_list(status_list_id):
    body = status.published_credential(_uuid(status_list_id))
    if body is None:
        raise Problem(404, "No such status list.")
    # Short cache: a revocation should be visible within a minute.
    return _json(body, mimetype="application/vc+ld+json", max_age=60)
