"""Sign a test client in through the real sign-in form (with its CSRF token).

    from tests.support.signin import sign_in, csrf_of
    sign_in(client, person)                  # asserts the redirect
    r = sign_in(client, person, expect=None) # returns the response, whatever it is
    client.post("/some/form", data={..., "csrf_token": csrf_of(client)})
"""
from __future__ import annotations

import re

from tests.support.factory import PASSWORD

_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_csrf(client, path: str = "/login") -> str:
    """The CSRF token the form at `path` carries (starts a pre-login session)."""
    page = client.get(path)
    match = _FIELD.search(page.get_data(as_text=True))
    assert match, f"no csrf_token field on {path}"
    return match.group(1)


def csrf_of(client) -> str:
    """The CSRF token of the client's current session."""
    with client.session_transaction() as session:
        token = session.get("csrf")
    return token or form_csrf(client, "/login")


def sign_in(client, person_or_email, password: str = PASSWORD, *, next: str | None = None, expect: int | None = 302):
    email = person_or_email if isinstance(person_or_email, str) else person_or_email.email
    token = form_csrf(client)
    path = "/login" + (f"?next={next}" if next else "")
    response = client.post(path, data={"email": email, "password": password, "csrf_token": token})
    if expect is not None:
        assert response.status_code == expect, (response.status_code, response.get_data(as_text=True)[:500])
    return response


def sign_out(client):
    """Sign out through the real form (the CSRF token is required)."""
    return client.post("/logout", data={"csrf_token": csrf_of(client)})
