"""Changing a password, and everything that must end with the old one."""
from __future__ import annotations

from .. import audit
from ..extensions import db
from ..models import ApiToken, LoginSession, Person, utcnow
from . import sessions
from .passwords import hash_password


def set_password(person: Person, new_password: str, *, reason: str,
                 keep_session: LoginSession | None = None) -> None:
    """Store the new password; end every other browser session and revoke every
    API token, since whoever knew the old password may hold them. The caller commits."""
    person.password_hash = hash_password(new_password)
    person.session_version += 1
    ended = sessions.end_all(person, reason, keep=keep_session)
    now = utcnow()
    tokens = db.session.scalars(db.select(ApiToken).where(ApiToken.person_id == person.id,
                                                          ApiToken.revoked_at.is_(None))).all()
    for token in tokens:
        token.revoked_at = now
    audit.record(f"person.{reason}", obj=person, sessions_ended=ended, tokens_revoked=len(tokens))
