"""Server-side browser sessions.

The signed cookie carries only a random secret; the `login_sessions` row it
names (by SHA-256) decides whether the sign-in is still good. Signing out
ends the row, so a copied cookie is worthless afterwards, and a password
change or reset ends every row of that person in every web process.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from datetime import timedelta

from flask import current_app, request, session
from sqlalchemy import bindparam, select

from ..extensions import ReadRow, db, read_first
from ..models import LoginSession, Person, utcnow
from . import profile

COOKIE_KEY = "sid"
# last_seen_at is refreshed at most this often, not on every request.
_TOUCH_EVERY = timedelta(minutes=5)
# Ended and expired rows are kept this long (who signed in from where, for an
# incident review), then deleted: otherwise every sign-in leaves a row forever.
RETENTION = timedelta(days=30)
# Each process prunes at a sign-in at most this often (seconds); `flask prune-sessions` any time.
PRUNE_EVERY = 3600.0
_pruned_at = [float("-inf")]
_prune_lock = threading.Lock()


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def lifetime() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"])


def start(person: Person) -> LoginSession:
    """Sign `person` in on this browser: a fresh cookie (no session fixation) and a row."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    row = LoginSession(person_id=person.id, secret_hash=_hash(secret), created_at=now, last_seen_at=now,
                       expires_at=now + lifetime(), ip_address=request.remote_addr,
                       user_agent=(request.user_agent.string or "")[:200] or None)
    db.session.add(row)
    session.clear()
    session[COOKIE_KEY] = secret
    session.permanent = True
    _prune_now_and_then()
    return row


def prune(now=None) -> int:
    """Delete sessions that ended or expired more than RETENTION ago; returns
    how many. The caller commits. Live sessions are never touched."""
    cutoff = (now or utcnow()) - RETENTION
    deleted = 0
    for old in (LoginSession.expires_at < cutoff, LoginSession.ended_at < cutoff):
        deleted += db.session.execute(db.delete(LoginSession).where(old)
                                      .execution_options(synchronize_session=False)).rowcount or 0
    return deleted


def _prune_now_and_then() -> None:
    """At a sign-in (already a write), prune once per PRUNE_EVERY per process."""
    with _prune_lock:
        if time.monotonic() - _pruned_at[0] < PRUNE_EVERY:
            return
        _pruned_at[0] = time.monotonic()
    prune()


# Built once, Core not ORM: what decides whether the cookie's sign-in is still
# good, and the caller's profile (profile.py), read on every page; the
# person's ORM object is loaded only when the view asks.
_sessions = LoginSession.__table__
_BY_HASH = (select(_sessions.c.id, _sessions.c.person_id, _sessions.c.ended_at, _sessions.c.expires_at,
                   _sessions.c.last_seen_at, *profile.COLUMNS)
            .select_from(_sessions.join(profile.JOIN, _sessions.c.person_id == profile.people.c.id))
            .where(_sessions.c.secret_hash == bindparam("secret_hash")))


def _cookie_hash() -> str | None:
    secret = session.get(COOKIE_KEY)
    if not isinstance(secret, str) or not secret:
        return None
    return _hash(secret)


def current() -> ReadRow | None:
    """The live session named by this request's cookie (id, person_id,
    is_active...), or None. Read from the database on every request: signing
    out or a password change ends it at once in every process."""
    secret_hash = _cookie_hash()
    if secret_hash is None:
        return None
    row = read_first(_BY_HASH, {"secret_hash": secret_hash})
    now = utcnow()
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        db.session.execute(db.update(LoginSession).where(LoginSession.id == row.id).values(last_seen_at=now)
                           .execution_options(synchronize_session=False))
        db.session.commit()
    return row


def end_current(reason: str = "logout") -> None:
    secret_hash = _cookie_hash()
    row = None if secret_hash is None else db.session.scalar(
        db.select(LoginSession).where(LoginSession.secret_hash == secret_hash, LoginSession.ended_at.is_(None)))
    if row is not None:
        row.ended_at, row.end_reason = utcnow(), reason
    session.clear()


def end_all(person: Person, reason: str, *, keep: LoginSession | ReadRow | None = None) -> int:
    """End every live session of `person` (but `keep`); returns how many."""
    rows = db.session.scalars(db.select(LoginSession).where(
        LoginSession.person_id == person.id, LoginSession.ended_at.is_(None))).all()
    now, ended = utcnow(), 0
    for row in rows:
        if keep is not None and row.id == keep.id:
            continue
        row.ended_at, row.end_reason = now, reason
        ended += 1
    return ended
