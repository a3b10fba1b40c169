"""The public documents that let anyone check our signatures: an issuer's OB
Profile, its did:web DID document, the service JWKS and each JWT key's JWK.

All of them list current AND retired keys, so credentials signed before a
rotation still verify. Revoked keys would be left out (none exist yet).
"""
from __future__ import annotations

from openbadges import did as obdid
from openbadges.keys import PublicKey
from openbadges.models import Profile

from ..extensions import db
from ..models import Organization
from . import keys, urls
from .models import IssuerKey


def organization_by_slug(slug: str) -> Organization | None:
    return db.session.scalar(db.select(Organization).where(Organization.slug == slug))


def profile(org: Organization) -> Profile:
    """The issuer as an OB 3.0 Profile; its id is the issuer DID."""
    extra = {}
    if org.parent is not None:
        extra["parentOrg"] = {"id": urls.issuer_did(org.parent.slug), "type": ["Profile"], "name": org.parent.name}
    return Profile(id=urls.issuer_did(org.slug), name=org.name, url=org.url or urls.issuer_profile_url(org.slug),
                   email=org.email, description=org.description, extra=extra)


def profile_json(org: Organization) -> dict:
    from openbadges.models import OB_V3_CONTEXT, VC_V2_CONTEXT

    return {"@context": [VC_V2_CONTEXT, OB_V3_CONTEXT], **profile(org).to_json()}


def credential_issuer(org: Organization) -> dict:
    """The compact Profile embedded in each credential (id, type, name, url)."""
    return Profile(id=urls.issuer_did(org.slug), name=org.name,
                   url=org.url or urls.issuer_profile_url(org.slug)).to_json()


def did_document(org: Organization) -> dict:
    """did:web document: every published Ed25519 key as a Multikey method."""
    rows = [r for r in keys.published_keys(org.id) if r.public_key_multibase and r.algorithm == "EdDSA"]
    did = urls.issuer_did(org.slug)
    doc = obdid.did_document(did, [PublicKey.from_multikey(r.public_key_multibase) for r in rows],
                             fragments=[r.key_id for r in rows])
    # Tell resolvers where the human-readable profile lives.
    doc["alsoKnownAs"] = [urls.issuer_profile_url(org.slug)]
    return doc


def public_jwk(org: Organization, row: IssuerKey) -> dict:
    jwk = dict(row.public_jwk)
    jwk.update(kid=urls.jwt_kid(org.slug, row.key_id), alg=row.algorithm, use="sig")
    return jwk


def jwks() -> dict:
    """Every organization's published signing keys, JWT and Data Integrity (Ed25519)
    alike: whoever holds a kid or a key finds it here (issue 11)."""
    rows = db.session.execute(db.select(IssuerKey, Organization)
                              .join(Organization, Organization.id == IssuerKey.organization_id)
                              .where(IssuerKey.status.in_(("active", "retired")))
                              .order_by(Organization.slug, IssuerKey.created_at)).all()
    return {"keys": [public_jwk(org, row) for row, org in rows]}


def key_by_id(org: Organization, key_id: str) -> IssuerKey | None:
    return db.session.scalar(db.select(IssuerKey).where(
        IssuerKey.organization_id == org.id, IssuerKey.key_id == key_id,
        IssuerKey.status.in_(("active", "retired"))))
