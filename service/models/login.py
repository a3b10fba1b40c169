"""Sign-in state kept in the database, so that every web process agrees on it.

* `LoginSession`: one row per browser sign-in. The cookie holds only a random
  secret whose SHA-256 is stored here; signing out, a password change or an
  admin ends the row, and a copied cookie stops working everywhere at once.
* `LoginThrottle`: failed sign-ins per account and per client address, with
  the time until which further tries are refused (answered with Retry-After).
* `PasswordReset`: single-use, expiring password-reset tokens, stored hashed.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .person import Person
from .types import UTCDateTime, new_id, utcnow


class LoginSession(db.Model):
    __tablename__ = "login_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    # SHA-256 of the 256-bit secret in the signed cookie (nothing to brute-force).
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Why it ended: logout, password-change, password-reset, deactivated.
    end_reason: Mapped[str | None] = mapped_column(String(32))
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    person: Mapped[Person] = relationship()


class LoginThrottle(db.Model):
    __tablename__ = "login_throttles"

    # "account:<email>" or "address:<ip>" (see service/auth/throttle.py).
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasswordReset(db.Model):
    __tablename__ = "password_resets"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip_address: Mapped[str | None] = mapped_column(String(64))

    person: Mapped[Person] = relationship()
