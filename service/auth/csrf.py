"""CSRF protection for cookie-authenticated requests (synchronizer token).

Bearer-token requests need none: a browser never attaches those by itself.
"""
from __future__ import annotations

import hmac
import secrets

from flask import request, session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
HEADER = "X-CSRF-Token"
FORM_FIELD = "csrf_token"


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok() -> bool:
    expected = session.get("csrf")
    sent = request.headers.get(HEADER) or request.form.get(FORM_FIELD)
    return bool(expected and sent and hmac.compare_digest(expected, sent))
