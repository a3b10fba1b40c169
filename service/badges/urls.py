"""Every public URL and identifier of the badges feature, in one place.

Issuance (signing) and the verifier/earner pages must agree on these exactly:
a credential names its issuer DID, keys, achievement and status list by URL,
and a verifier resolves them back through the routes in wellknown.py.
"""
from __future__ import annotations

import uuid

from flask import current_app

from openbadges.did import did_web


def base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def issuer_profile_url(slug: str) -> str:
    return f"{base_url()}/issuers/{slug}"


def issuer_did(slug: str) -> str:
    """did:web:<host>[%3Aport]:issuers:<slug> (did:web percent-encodes the port).

    did:web needs https; a plain-http development base URL still gets the same
    shaped identifier so that nothing changes shape between environments.
    """
    base = base_url()
    if base.startswith("http://"):
        base = "https://" + base[len("http://"):]
    return did_web(f"{base}/issuers/{slug}")


def did_document_url(slug: str) -> str:
    return f"{base_url()}/issuers/{slug}/did.json"


def verification_method_id(slug: str, key_id: str) -> str:
    return f"{issuer_did(slug)}#{key_id}"


def jwt_kid(slug: str, key_id: str) -> str:
    return f"{base_url()}/issuers/{slug}/keys/{key_id}"


def jwks_url() -> str:
    return f"{base_url()}/.well-known/jwks.json"


def achievement_url(badge_class_id: uuid.UUID | str) -> str:
    return f"{base_url()}/achievements/{badge_class_id}"


def badge_class_image_url(badge_class_id: uuid.UUID | str) -> str:
    return f"{base_url()}/achievements/{badge_class_id}/image"


def credential_url(award_id: uuid.UUID | str) -> str:
    return f"{base_url()}/credentials/{award_id}"


def badge_page_url(award_id: uuid.UUID | str) -> str:
    return f"{base_url()}/badges/{award_id}"


def baked_image_url(award_id: uuid.UUID | str, fmt: str = "png") -> str:
    return f"{base_url()}/badges/{award_id}/image.{fmt}"


def status_list_url(status_list_id: uuid.UUID | str) -> str:
    return f"{base_url()}/status/{status_list_id}"


def revocation_list_url(organization_slug: str) -> str:
    """1EdTechRevocationList beside the bitstring lists (for 1EdTech's validator)."""
    return f"{base_url()}/issuers/{organization_slug}/revocations"


def verify_page_url() -> str:
    return f"{base_url()}/verify"


def artifact_version_url(artifact_id: uuid.UUID | str, number: int) -> str:
    """Where the portfolio feature serves an artifact version's bytes (the
    evidence id; access follows the portfolio's rules and the earner's sharing)."""
    return f"{base_url()}/api/v1/artifacts/{artifact_id}/versions/{number}/content"
