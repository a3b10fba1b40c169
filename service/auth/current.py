"""Who is making this request, and with which scopes.

Runs before every request: a bearer token wins over a session cookie. Views
read `current_person()` and guard themselves with the decorators below.
"""
from __future__ import annotations

import functools

from flask import g, redirect, request, session, url_for

from ..errors import Problem
from ..models import Person
from . import sessions
from .csrf import SAFE_METHODS, csrf_ok
from .tokens import ALL_SCOPES, find_valid_token, note_use


def load_identity() -> None:
    g.person = None
    g.token = None
    g.scopes = frozenset()
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Problem(401, "Authorization header must be 'Bearer <token>'.",
                          headers={"WWW-Authenticate": 'Bearer error="invalid_request"'})
        token = find_valid_token(secret.strip())
        if token is None:
            raise Problem(401, "The bearer token is invalid, expired or revoked.",
                          headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        note_use(token)
        g.person, g.token, g.scopes = token.person, token, frozenset(token.scopes)
        return
    if session.get(sessions.COOKIE_KEY):
        row = sessions.current()
        person = row.person if row is not None else None
        if person is not None and person.is_active:
            g.person, g.scopes, g.login_session = person, ALL_SCOPES, row
            if request.method not in SAFE_METHODS and not csrf_ok():
                raise Problem(403, "Missing or invalid CSRF token; reload the page and try again.",
                              type="csrf-failed")
        else:
            session.clear()  # signed out elsewhere, expired, or deactivated


def require_csrf() -> None:
    """For views that take a form before anyone is signed in (sign-in, password
    reset): a login CSRF would sign the victim into the attacker's account."""
    if not csrf_ok():
        raise Problem(403, "Missing or invalid CSRF token; reload the page and try again.",
                      type="csrf-failed")


def current_person() -> Person | None:
    return g.get("person")


def require_person() -> Person:
    person = current_person()
    if person is None:
        raise Problem(401, "Sign in or send a bearer token.",
                      headers={"WWW-Authenticate": 'Bearer realm="api"'})
    return person


def require_scope(scope: str) -> None:
    require_person()
    if scope not in g.scopes:
        raise Problem(403, f"This token lacks the '{scope}' scope.", type="insufficient-scope",
                      required_scope=scope)


def api_auth(scope: str = "read"):
    """Decorator for API views: authenticated, with the given token scope."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            require_scope(scope)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def login_required(view):
    """Decorator for HTML pages: redirect to the login form."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_person() is None:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper
