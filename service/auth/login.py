"""Checking an e-mail and password, shared by the sign-in page and POST /api/v1/tokens.

Every attempt costs one Argon2 verification whether or not the account exists
(no timing difference tells which e-mails are registered), is throttled per
account and per address (throttle.py), and a failure is written to the audit log.
"""
from __future__ import annotations

from flask import request

from .. import audit
from ..errors import Problem
from ..extensions import db
from ..models import Person
from . import throttle
from .passwords import check_password, hash_password, needs_rehash


class LoginRefused(Problem):
    pass


def authenticate(email: str, password: str) -> Person:
    """The person, or raise LoginRefused (401 wrong, 429 throttled, with Retry-After).
    Commits the failure record; on success the caller commits."""
    email = (email or "").strip().lower()
    keys = throttle.keys_for(email, request.remote_addr)
    wait = throttle.retry_after(keys)
    if wait is not None:
        audit.record("session.login_failed", email=email[:254], reason="throttled")
        db.session.commit()
        raise LoginRefused(429, f"Too many failed sign-ins; try again in {wait} seconds.",
                           type="too-many-attempts", headers={"Retry-After": str(wait)}, retry_after=wait)
    person = db.session.scalar(db.select(Person).where(Person.email == email)) if email else None
    # check_password hashes even without a stored hash: the same work either way.
    ok = check_password(person.password_hash if person is not None else None, password or "")
    if not ok or person is None or not person.is_active:
        throttle.record_failure(keys)
        audit.record("session.login_failed", obj=person, email=email[:254],
                     reason="wrong password" if person is not None else "unknown account")
        db.session.commit()
        raise LoginRefused(401, "Email or password is wrong.")
    throttle.clear(keys[0])
    if needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
    return person
