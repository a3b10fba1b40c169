"""Sign-in throttling per account and per client address, kept in the database
so that every gunicorn worker (and every host) counts the same failures.

After LOGIN_MAX_FAILURES wrong passwords for one e-mail address (known or
not: the answer must not reveal which accounts exist), or
LOGIN_MAX_FAILURES_PER_ADDRESS from one client address, within
LOGIN_LOCKOUT_SECONDS, further tries are refused for LOGIN_LOCKOUT_SECONDS
(doubling with each further failure, up to a day) with a Retry-After.
"""
from __future__ import annotations

import math
from datetime import timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import LoginThrottle, utcnow

_MAX_LOCK = timedelta(days=1)


def keys_for(email: str, address: str | None) -> list[str]:
    keys = [f"account:{email[:280]}"]
    if address:
        keys.append(f"address:{address}")
    return keys


def _limit(key: str) -> int:
    config = current_app.config
    return config["LOGIN_MAX_FAILURES"] if key.startswith("account:") else config["LOGIN_MAX_FAILURES_PER_ADDRESS"]


def retry_after(keys: list[str]) -> int | None:
    """Seconds until these keys may try again, or None when they may now."""
    now = utcnow()
    rows = db.session.scalars(db.select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
    waits = [(r.locked_until - now).total_seconds() for r in rows if r.locked_until and r.locked_until > now]
    return max(1, math.ceil(max(waits))) if waits else None


def record_failure(keys: list[str]) -> None:
    """Count one failure against each key (in the caller's transaction)."""
    window = timedelta(seconds=current_app.config["LOGIN_LOCKOUT_SECONDS"])
    now = utcnow()
    for key in keys:
        row = db.session.get(LoginThrottle, key, with_for_update=True)
        if row is None:
            try:
                with db.session.begin_nested():  # another worker may insert the same key
                    row = LoginThrottle(key=key, failures=0, first_failure_at=now)
                    db.session.add(row)
            except IntegrityError:
                row = db.session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
        if row.first_failure_at < now - window and not (row.locked_until and row.locked_until > now):
            row.failures, row.first_failure_at = 0, now  # an old streak no longer counts
        row.failures += 1
        over = row.failures - _limit(key)
        if over >= 0:
            row.locked_until = now + min(window * (2 ** min(over, 16)), _MAX_LOCK)


def clear(key: str) -> None:
    row = db.session.get(LoginThrottle, key)
    if row is not None:
        db.session.delete(row)
