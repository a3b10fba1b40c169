"""The admin's signing-keys page: the organization's issuer keys (active and
retired) and key rotation, after a confirmation. Rotation is the same call as
POST /api/v1/issuer-keys/rotate (keys.rotate)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..auth import current_person, login_required
from ..extensions import db
from ..models import Organization
from ..policies import authorize
from . import keys, urls
from .models import IssuerKey

bp = Blueprint("badges_keys", __name__)
# What each key signs (EdDSA: the Data Integrity proof, and the VC-JWT too when JWT_ALGORITHM is EdDSA).
ALGORITHMS = {"EdDSA": "Ed25519: signs each credential's proof", "RS256": "RSA: signs the VC-JWT form",
              "ES256": "P-256: signs the VC-JWT form"}


@bp.route("/admin/keys", methods=["GET", "POST"])
@login_required
def signing_keys():
    actor = current_person()
    org = authorize(actor, "manage", db.session.get(Organization, actor.organization_id), what="organization")
    errors: dict[str, str] = {}
    values = {"reason": request.form.get("reason", "")}
    if request.method == "POST":
        if request.form.get("confirmed") != "yes":
            errors["confirmed"] = "Tick the box to confirm the rotation."
        else:
            keys.rotate(org, actor=actor, reason=values["reason"].strip()[:1000] or None)
            flash("New signing keys are in use. Badges signed before still verify with the retired keys.", "success")
            return redirect(url_for(".signing_keys"))
    rows = db.session.scalars(db.select(IssuerKey).where(IssuerKey.organization_id == org.id)
                              .order_by(IssuerKey.status, IssuerKey.created_at.desc(), IssuerKey.key_id)).all()
    return render_template("badges/keys.html", org=org, keys=rows, algorithms=ALGORITHMS, errors=errors,
                           values=values, did=urls.issuer_did(org.slug),
                           did_url=urls.did_document_url(org.slug), jwks_url=urls.jwks_url()), 422 if errors else 200


def init_app(app) -> None:
    app.register_blueprint(bp)
