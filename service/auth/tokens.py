"""Scoped, expiring bearer tokens for the API. Only their SHA-256 is stored."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from ..extensions import db
from ..models import ApiToken, Person, utcnow

TOKEN_PREFIX = "mbt_"

# What each scope lets a token do. A browser session holds every scope.
SCOPES = {
    "read": "Read everything the owner may see.",
    "write": "Create and change the owner's own data (portfolio, submissions, scores).",
    "issue": "Issue, revoke and suspend credentials.",
    "admin": "Administer the owner's organization (people, sections, keys).",
}
ALL_SCOPES = frozenset(SCOPES)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(person: Person, *, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        person_id=person.id,
        name=name,
        token_hash=hash_token(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        scopes=sorted(set(scopes)),
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(token)
    return token, secret


def find_valid_token(secret: str) -> ApiToken | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    if not token.person.is_active:
        return None
    return token
