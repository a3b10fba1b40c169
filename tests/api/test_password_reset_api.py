"""POST /api/v1/password-reset and /confirm: the JSON twin of the reset pages,
through the same actions (service/auth/reset.py): the same answer for unknown
addresses, a single-use mailed token, problem+json naming the field, and the
same per-address throttle as the pages."""
from __future__ import annotations

import re

import pytest

from service.extensions import db
from service.models import PasswordReset
from tests.support.factory import PASSWORD
from tests.support.signin import form_csrf, sign_in

NEW_PASSWORD = "a brand new passphrase"


def _token(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"/password/reset/(\S+)", body).group(1)


def test_reset_through_the_api_is_single_use_and_ends_tokens(app, factory, smtp_server):
    student = factory.person("student", factory.org())
    secret = factory.token(student)
    client = app.test_client()
    asked = client.post("/api/v1/password-reset", json={"email": student.email.upper()})
    assert asked.status_code == 202 and asked.json["status"] == "requested"
    token = _token(smtp_server.wait_for(1)[0])

    short = client.post("/api/v1/password-reset/confirm", json={"token": token, "new_password": "short"})
    assert short.status_code == 422 and short.mimetype == "application/problem+json"
    assert [e["field"] for e in short.json["errors"]] == ["new_password"]
    assert "at least 10 characters" in short.json["errors"][0]["detail"]

    done = client.post("/api/v1/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert done.status_code == 200 and done.json["status"] == "done"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    sign_in(app.test_client(), student, NEW_PASSWORD)
    sign_in(app.test_client(), student, PASSWORD, expect=401)

    again = client.post("/api/v1/password-reset/confirm", json={"token": token, "new_password": "yet another one!"})
    assert again.status_code == 422 and again.json["errors"][0]["field"] == "token"
    # The page refuses the spent link too: one action behind both.
    assert client.get(f"/password/reset/{token}").status_code == 404


def test_an_unknown_address_gets_the_same_answer_and_no_mail(app, factory, smtp_server):
    student = factory.person("student", factory.org())
    client = app.test_client()
    known = client.post("/api/v1/password-reset", json={"email": student.email})
    unknown = client.post("/api/v1/password-reset", json={"email": "nobody@example.test"})
    assert (known.status_code, known.json) == (unknown.status_code, unknown.json)
    assert len(smtp_server.wait_for(1)) == 1
    with pytest.raises(AssertionError):
        smtp_server.wait_for(2, timeout=1)
    assert db.session.scalar(db.select(db.func.count()).select_from(PasswordReset)) == 1


def test_bad_bodies_are_problems_naming_the_field(app):
    client = app.test_client()
    r = client.post("/api/v1/password-reset", json={})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert r.json["errors"][0]["field"] == "email"
    r = client.post("/api/v1/password-reset/confirm", json={"token": "x" * 43})
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "new_password"
    r = client.post("/api/v1/password-reset/confirm", json={"token": "made-up", "new_password": NEW_PASSWORD})
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "token"


def test_page_and_api_share_one_throttle_per_address(app, factory):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    client = app.test_client()
    for _ in range(2):
        assert client.post("/api/v1/password-reset", json={"email": "someone@example.test"}).status_code == 202
    csrf = form_csrf(client, "/password/forgot")
    assert client.post("/password/forgot", data={"email": "x@example.test", "csrf_token": csrf}).status_code == 200
    # Three requests from this address: the next is refused by the API and by the page alike.
    refused = client.post("/api/v1/password-reset", json={"email": "someone@example.test"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.json["type"].endswith("too-many-attempts")
    assert client.post("/password/forgot", data={"email": "x@example.test", "csrf_token": csrf}).status_code == 429
    wrong = client.post("/api/v1/password-reset/confirm", json={"token": "made-up", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 429
