"""Scoped, expiring bearer tokens for the API. Only their SHA-256 is stored."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, select

from ..extensions import ReadRow, db, read_first
from ..models import ApiToken, Person, utcnow
from . import profile

TOKEN_PREFIX = "mbt_"

# What each scope lets a token do. A browser session holds every scope.
SCOPES = {
    "read": "Read everything the owner may see.",
    "write": "Create and change the owner's own data (portfolio, submissions, scores).",
    "issue": "Issue, revoke and suspend credentials.",
    "admin": "Administer the owner's organization (people, sections, keys).",
}
ALL_SCOPES = frozenset(SCOPES)

# `last_used_at` is a hint for people reviewing their tokens, not an audit
# trail: writing it on every request turned each authenticated read into a
# write (on SQLite, serialized behind the database's write lock). It moves
# at most once per token per this interval.
LAST_USED_RESOLUTION = timedelta(minutes=5)


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


# Built once, Core not ORM: the facts that decide whether a bearer token is
# good, and the caller's profile (profile.py), in one indexed lookup on every
# API request. The person's ORM object is loaded only if the view asks for it
# (`current_person()`).
_tokens = ApiToken.__table__
_BY_HASH = (select(_tokens.c.id, _tokens.c.person_id, _tokens.c.scopes, _tokens.c.revoked_at, _tokens.c.expires_at,
                   _tokens.c.last_used_at, *profile.COLUMNS)
            .select_from(_tokens.join(profile.JOIN, _tokens.c.person_id == profile.people.c.id))
            .where(_tokens.c.token_hash == bindparam("token_hash")))


def find_valid_token(secret: str) -> ReadRow | None:
    """The token's row (id, person_id, scopes, last_used_at...) if it is
    live and its owner active; read from the database on every request, so a
    revocation or deactivation takes effect at once in every process."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = read_first(_BY_HASH, {"token_hash": hash_token(secret)})
    if (token is None or token.revoked_at is not None or token.expires_at <= utcnow()
            or not token.person__is_active):
        return None
    return token


def note_use(token: ReadRow) -> None:
    """Record that the token was used, unless that was already recorded
    within LAST_USED_RESOLUTION. The conditional UPDATE lets concurrent
    requests race harmlessly: at most one of them writes."""
    now = utcnow()
    stale = now - LAST_USED_RESOLUTION
    if token.last_used_at is not None and token.last_used_at > stale:
        return
    db.session.execute(db.update(ApiToken)
                       .where(ApiToken.id == token.id,
                              (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at <= stale))
                       .values(last_used_at=now)
                       .execution_options(synchronize_session=False))
    db.session.commit()
