"""Self-service password reset by e-mail.

A reset token is 256 random bits, mailed as a link and stored only as its
SHA-256; it works once, for PASSWORD_RESET_MINUTES, and using it ends every
session and API token of the account (account.set_password). Asking for a
reset answers the same whether or not the address has an account, and the
mail leaves from a background thread so the answer takes the same time too.

`ask_for_reset` and `reset_with_token` are the actions the pages
(/password/forgot, /password/reset/<token>) and the API (POST
/api/v1/password-reset, .../confirm) share: both count every request and every
unusable link against the client address (throttle.py, 429 with Retry-After).
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from datetime import timedelta

from flask import current_app, request

from .. import audit
from ..errors import Problem, field_error, validation_problem
from ..extensions import db
from ..models import PasswordReset, Person, utcnow
from . import throttle
from .account import set_password
from .passwords import password_problems

log = logging.getLogger(__name__)

# At most this many live reset links per account: the form cannot be used to flood a mailbox.
MAX_OPEN_RESETS = 3


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_reset(email: str) -> None:
    """Mail a reset link if `email` belongs to an active account. Commits."""
    email = (email or "").strip().lower()
    person = db.session.scalar(db.select(Person).where(Person.email == email)) if email else None
    if person is None or not person.is_active or not person.password_hash:
        audit.record("person.password_reset_requested", email=email[:254], sent=False)
        db.session.commit()
        return
    now = utcnow()
    open_resets = db.session.scalar(db.select(db.func.count()).select_from(PasswordReset).where(
        PasswordReset.person_id == person.id, PasswordReset.used_at.is_(None), PasswordReset.expires_at > now))
    if open_resets >= MAX_OPEN_RESETS:
        audit.record("person.password_reset_requested", obj=person, sent=False, reason="too many open links")
        db.session.commit()
        return
    token = secrets.token_urlsafe(32)
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    db.session.add(PasswordReset(person_id=person.id, token_hash=_hash(token), created_at=now,
                                 expires_at=now + timedelta(minutes=minutes), ip_address=request.remote_addr))
    audit.record("person.password_reset_requested", obj=person, sent=True)
    db.session.commit()
    link = f"{current_app.config['PUBLIC_BASE_URL']}/password/reset/{token}"
    text = (f"Hello {person.display_name},\n\nSomeone (we hope you) asked to reset the password of your account.\n"
            f"Choose a new password here within {minutes} minutes; the link works once:\n\n{link}\n\n"
            "If you did not ask for this, ignore this message: your password stays as it is.\n")
    _send_in_background(person.email, "Reset your password", text)


def _send_in_background(to: str, subject: str, text: str) -> None:
    from ..mail import MailError, send_mail

    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def send():
        with app.app_context():
            try:
                send_mail(to, subject, text)
            except MailError:
                log.exception("password reset mail to %s failed", to)

    threading.Thread(target=send, name="password-reset-mail", daemon=True).start()


def find_usable(token: str) -> PasswordReset | None:
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(db.select(PasswordReset).where(PasswordReset.token_hash == _hash(token)))
    if row is None or row.used_at is not None or row.expires_at <= utcnow() or not row.person.is_active:
        return None
    return row


class ResetLinkSpent(Exception):
    """Another request used the link first."""


def complete_reset(row: PasswordReset, new_password: str) -> Person:
    """Set the new password and spend this and every other open link of the account. The caller commits."""
    now = utcnow()
    # Spend it atomically: of two requests racing with one link, one wins.
    spent = db.session.execute(db.update(PasswordReset).where(
        PasswordReset.id == row.id, PasswordReset.used_at.is_(None)).values(used_at=now)).rowcount
    if spent != 1:
        raise ResetLinkSpent()
    for other in db.session.scalars(db.select(PasswordReset).where(
            PasswordReset.person_id == row.person_id, PasswordReset.used_at.is_(None))):
        other.used_at = now
    set_password(row.person, new_password, reason="password_reset")
    return row.person


# -- the actions the pages and the API share ------------------------------------------------------
def _address_key() -> list[str]:
    return [f"reset:{request.remote_addr or 'unknown'}"]


def _refuse_if_throttled() -> None:
    wait = throttle.retry_after(_address_key())
    if wait is not None:
        raise Problem(429, f"Too many password-reset attempts from here; try again in {wait} seconds.",
                      type="too-many-attempts", headers={"Retry-After": str(wait)}, retry_after=wait)


def ask_for_reset(email: str) -> None:
    """Mail a link if the address has an account; the same answer either way. Counts against
    the client address (429 once over LOGIN_MAX_FAILURES_PER_ADDRESS). Commits."""
    _refuse_if_throttled()
    throttle.record_failure(_address_key())  # every request counts: no flooding of anyone's mailbox
    request_reset(email)


def reset_with_token(token: str, new_password: str, confirm: str | None = None) -> Person:
    """Set a new password with a mailed link. Raises a 422 problem naming `token`,
    `new_password` or `confirm_password`; an unusable link counts against the address. Commits."""
    _refuse_if_throttled()
    row = find_usable(token)
    if row is None:
        throttle.record_failure(_address_key())
        db.session.commit()
        raise validation_problem([field_error("token", "This link is not valid: it was already used, it expired, "
                                                       "or it is mistyped. Ask for a new one.")])
    errors = [field_error("new_password", f"The new password {p}.") for p in password_problems(new_password)][:1]
    if confirm is not None and new_password != confirm:
        errors.append(field_error("confirm_password", "The two passwords differ."))
    if errors:
        raise validation_problem(errors)
    try:
        person = complete_reset(row, new_password)
    except ResetLinkSpent:
        db.session.rollback()
        raise validation_problem([field_error("token", "This link was just used; ask for a new one.")]) from None
    db.session.commit()
    return person
