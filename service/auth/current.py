"""Who is making this request, and with which scopes.

Runs before every request: a bearer token wins over a session cookie. Views
read `current_person()` and guard themselves with the decorators below.
"""
from __future__ import annotations

import functools

from flask import g, redirect, request, session, url_for

from ..errors import Problem
from ..extensions import db
from ..models import Person
from . import profile, sessions
from .csrf import SAFE_METHODS, csrf_ok
from .tokens import ALL_SCOPES, find_valid_token, note_use


def load_identity() -> None:
    """Decide who is calling (a person id and scopes) from one Core lookup; the
    person's ORM object is built later, and only if the view asks for it."""
    g.person_id = g.person = None  # (tests reuse one app context, hence one g, across requests)
    g.token = g.login_session = None
    g.identity = None  # the token's or session's row, with the caller's profile (profile.py)
    g.scopes = frozenset()
    environ = request.environ  # read directly: werkzeug's header and cookie views walk the whole environ
    header = environ.get("HTTP_AUTHORIZATION")
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
        g.person_id, g.token, g.scopes, g.identity = token.person_id, token, frozenset(token.scopes), token
        return
    if "HTTP_COOKIE" in environ and session.get(sessions.COOKIE_KEY):
        row = sessions.current()
        if row is not None and row.person__is_active:
            g.person_id, g.scopes, g.login_session, g.identity = row.person_id, ALL_SCOPES, row, row
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
    """The signed-in person (ORM object, built from the identity row on first use), or None."""
    person = g.get("person")
    if person is None and g.get("identity") is not None:
        person = g.person = profile.person_from(g.identity, db.session)
    return person


def _unauthenticated() -> Problem:
    return Problem(401, "Sign in or send a bearer token.", headers={"WWW-Authenticate": 'Bearer realm="api"'})


def require_person() -> Person:
    person = current_person()
    if person is None:
        raise _unauthenticated()
    return person


def require_scope(scope: str) -> None:
    """Signed in with `scope`; decided from the identity alone, without loading the person."""
    if g.get("person_id") is None:
        raise _unauthenticated()
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
        if g.get("person_id") is None:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper
