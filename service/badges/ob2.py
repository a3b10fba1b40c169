"""Open Badges 2.0 hosted assertions, for backpacks that only accept 2.0.

Each issued award also exists as a 2.0 Assertion with HostedBadge
verification: the assertion, its BadgeClass and the issuer Profile are plain
JSON at stable URLs on our own host (2.0 hosted verification requires the same
origin). The recipient is the same salted SHA-256 e-mail hash as in the 3.0
credential. A revoked award answers `{"id", "revoked": true, ...}`, the 2.0 way.
"""
from __future__ import annotations

import uuid

from flask import Blueprint, Response, json

from ..errors import Problem
from ..extensions import db
from . import issuer, urls
from .models import Award, BadgeClass
from .status import public_reason

bp = Blueprint("badges_ob2", __name__)

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
_PUBLIC = ("issued", "suspended", "revoked")


def assertion_url(award_id) -> str:
    return f"{urls.base_url()}/badges/{award_id}/ob2"


def badge_class_url(badge_class_id) -> str:
    return f"{urls.base_url()}/ob2/badge-classes/{badge_class_id}"


def issuer_url(slug: str) -> str:
    return f"{urls.base_url()}/ob2/issuers/{slug}"


def _recipient(award: Award) -> dict:
    subject = (award.credential or {}).get("credentialSubject") or {}
    identity = next((i for i in subject.get("identifier") or []
                     if isinstance(i, dict) and i.get("identityType") == "emailAddress"), None)
    if identity is None or not identity.get("hashed"):
        raise Problem(404, "This badge has no 2.0 form (no hashed e-mail recipient).")
    out = {"type": "email", "hashed": True, "identity": identity["identityHash"]}
    if identity.get("salt"):
        out["salt"] = identity["salt"]
    return out


def assertion(award: Award) -> dict:
    if award.status == "revoked":
        return {"@context": OB2_CONTEXT, "id": assertion_url(award.id), "type": "Assertion", "revoked": True,
                "revocationReason": public_reason(award) or "revoked by the issuer"}
    body = {
        "@context": OB2_CONTEXT, "type": "Assertion", "id": assertion_url(award.id),
        "recipient": _recipient(award), "badge": badge_class_url(award.badge_class_id),
        "verification": {"type": "HostedBadge"},
        "issuedOn": award.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "image": urls.baked_image_url(award.id, "png"),
        "evidence": [{"id": e["url"], **({"name": e["name"]} if e.get("name") else {})}
                     for e in award.evidence or [] if e.get("url")],
    }
    if award.valid_until is not None:
        body["expires"] = award.valid_until.strftime("%Y-%m-%dT%H:%M:%SZ")
    if award.status == "suspended":  # 2.0 has no suspension; closest honest answer
        body["revoked"] = True
        body["revocationReason"] = f"suspended: {public_reason(award) or 'by the issuer'}"
    return body


def badge_class_json(badge_class: BadgeClass) -> dict:
    return {
        "@context": OB2_CONTEXT, "type": "BadgeClass", "id": badge_class_url(badge_class.id),
        "name": badge_class.name, "description": badge_class.description,
        "image": urls.badge_class_image_url(badge_class.id),
        "criteria": {"narrative": badge_class.criteria_narrative},
        "issuer": issuer_url(badge_class.organization.slug),
        "tags": list(badge_class.tags or []),
        "alignment": [{"targetName": a["targetName"], "targetUrl": a["targetUrl"],
                       **{k: a[k] for k in ("targetCode", "targetFramework", "targetDescription") if a.get(k)}}
                      for a in badge_class.alignments or []],
    }


def issuer_json(org) -> dict:
    body = {"@context": OB2_CONTEXT, "type": "Issuer", "id": issuer_url(org.slug), "name": org.name,
            "url": org.url or urls.issuer_profile_url(org.slug)}
    if org.email:
        body["email"] = org.email
    return body


def _json(body: dict, status: int = 200) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/ld+json")
    response.headers["Access-Control-Allow-Origin"] = "*"  # backpacks fetch these cross-origin
    return response


@bp.get("/badges/<uuid:award_id>/ob2")
def hosted_assertion(award_id: uuid.UUID):
    award = db.session.get(Award, award_id)
    if award is None or award.status not in _PUBLIC or not award.credential:
        raise Problem(404, "No such badge.")
    return _json(assertion(award), 410 if award.status == "revoked" else 200)


@bp.get("/ob2/badge-classes/<uuid:badge_class_id>")
def hosted_badge_class(badge_class_id: uuid.UUID):
    badge_class = db.session.get(BadgeClass, badge_class_id)
    if badge_class is None:
        raise Problem(404, "No such badge class.")
    return _json(badge_class_json(badge_class))


@bp.get("/ob2/issuers/<slug>")
def hosted_issuer(slug: str):
    org = issuer.organization_by_slug(slug)
    if org is None:
        raise Problem(404, "No such issuer.")
    return _json(issuer_json(org))
