"""Every public URL and identifier of the badges feature, built and parsed in one place.

Issuance (signing) and the verifier/earner pages must agree on these exactly:
a credential names its issuer DID, keys, achievement and status list by URL,
and a verifier resolves them back through the routes in wellknown.py. Each
`*_of` function below is the inverse of a builder above it: it recognises our
own URL through the router (`service/urls.own_route`), never by a pattern of
its own, so a URL is ours exactly when the app serves it.
"""
from __future__ import annotations

import functools
import uuid
from typing import NamedTuple

from openbadges.did import did_web

from ..urls import base_url, own_route


def issuer_profile_url(slug: str) -> str:
    return f"{base_url()}/issuers/{slug}"


def issuer_did(slug: str) -> str:
    """did:web:<host>[%3Aport]:issuers:<slug> (did:web percent-encodes the port).

    did:web needs https; a plain-http development base URL still gets the same
    shaped identifier so that nothing changes shape between environments.
    """
    return _issuer_did(base_url(), slug)


@functools.lru_cache(maxsize=1024)
def _issuer_did(base: str, slug: str) -> str:
    # memoized: did_web parses the URL, and a verification asks for the same DIDs many times
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


# -- parsing: our own URLs back to what they name -------------------------------------------------
CREDENTIAL_ENDPOINTS = ("badges_public.credential", "badges_pages.badge_page")  # credential_url, badge_page_url


def _uuid(value: object) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def award_id_of(url: str) -> uuid.UUID | None:
    """The award behind credential_url() or badge_page_url(), else None."""
    route = own_route(url)
    return _uuid(route.args["award_id"]) if route and route.endpoint in CREDENTIAL_ENDPOINTS else None


def status_list_id_of(url: str) -> uuid.UUID | None:
    """The status list behind status_list_url(), else None."""
    route = own_route(url)
    return _uuid(route.args["status_list_id"]) if route and route.endpoint == "badges_public.status_list" else None


def artifact_version_of(url: str) -> tuple[uuid.UUID, int] | None:
    """(artifact id, version number) behind artifact_version_url(), else None."""
    route = own_route(url)
    if route is None or route.endpoint != "portfolio.VersionContent":
        return None
    return route.args["artifact_id"], route.args["number"]


class KeyDocument(NamedTuple):
    kind: str  # "did" (did_document_url), "jwk" (jwt_kid) or "jwks" (jwks_url)
    slug: str | None = None
    key_id: str | None = None


def key_document_of(url: str) -> KeyDocument | None:
    """Which of our key documents ``url`` is, else None."""
    route = own_route(url)
    if route is None:
        return None
    if route.endpoint == "badges_public.did_document":
        return KeyDocument("did", route.args["slug"])
    if route.endpoint == "badges_public.jwk":
        return KeyDocument("jwk", route.args["slug"], route.args["key_id"])
    if route.endpoint == "badges_public.jwks":
        return KeyDocument("jwks")
    return None


def issuer_slug_of(issuer_id: str) -> str | None:
    """The slug of issuer_did(slug), else None (exactly: a longer or re-encoded DID is not ours)."""
    prefix = issuer_did("x")[:-1]  # did:web:<host>:issuers:
    if not isinstance(issuer_id, str) or not issuer_id.startswith(prefix):
        return None
    slug = issuer_id[len(prefix):]
    return slug if slug and ":" not in slug and "%" not in slug and issuer_did(slug) == issuer_id else None
