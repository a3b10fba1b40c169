"""Login with sessions and CSRF, and bearer tokens (hashed, scoped, expiring)."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from service.extensions import db
from service.models import ApiToken, AuditEvent, utcnow
from tests.support.factory import PASSWORD
from tests.support.signin import sign_in


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_login_sets_session_and_wrong_password_fails(client, factory):
    org = factory.org()
    student = factory.person("student", org)
    bad = sign_in(client, student, "nope nope nope", expect=401)
    assert bad.status_code == 401
    assert "Email or password is wrong" in bad.get_data(as_text=True)
    ok = sign_in(client, student.email.upper())
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/home")
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json["email"] == student.email
    assert me.json["organization"]["id"] == str(org.id)
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "session.login")) is not None


def test_login_redirect_refuses_open_redirect(client, factory):
    student = factory.person("student", factory.org())
    r = sign_in(client, student, next="//evil.example/x")
    assert r.headers["Location"].endswith("/home")
    r = sign_in(client, student, next="/api/v1/me")
    assert r.headers["Location"] == "/api/v1/me"


def test_session_writes_need_csrf_token(client, factory):
    org = factory.org()
    student = factory.person("student", org)
    sign_in(client, student)
    without = client.patch(f"/api/v1/people/{student.id}", json={"display_name": "New"})
    assert without.status_code == 403
    assert without.json["type"] == "/problems/csrf-failed"
    token = csrf_from(client.get("/home").get_data(as_text=True))
    with_token = client.patch(f"/api/v1/people/{student.id}", json={"display_name": "New"},
                              headers={"X-CSRF-Token": token})
    assert with_token.status_code == 200 and with_token.json["display_name"] == "New"


def test_password_change_ends_other_sessions(app, factory):
    student = factory.person("student", factory.org())
    phone, laptop = app.test_client(), app.test_client()
    for c in (phone, laptop):
        sign_in(c, student)
    token = csrf_from(laptop.get("/home").get_data(as_text=True))
    r = laptop.patch(f"/api/v1/people/{student.id}", headers={"X-CSRF-Token": token},
                     json={"current_password": PASSWORD, "new_password": "a brand new passphrase"})
    assert r.status_code == 200
    assert phone.get("/api/v1/me").status_code == 401


def test_token_exchange_is_hashed_scoped_and_expiring(client, factory):
    org = factory.org()
    student = factory.person("student", org)
    r = client.post("/api/v1/tokens", json={"email": student.email, "password": PASSWORD, "name": "cli",
                                            "scopes": ["read"], "expires_in_days": 7})
    assert r.status_code == 201, r.json
    secret = r.json["token"]
    stored = db.session.scalar(db.select(ApiToken).where(ApiToken.name == "cli"))
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (stored.token_hash, stored.prefix)
    assert timedelta(days=6) < stored.expires_at - utcnow() <= timedelta(days=7)
    auth = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=auth).json["scopes"] == ["read"]
    # read-only token may not write, even to its owner's own record
    w = client.patch(f"/api/v1/people/{student.id}", json={"display_name": "X"}, headers=auth)
    assert w.status_code == 403 and w.json["type"] == "/problems/insufficient-scope"
    assert w.json["required_scope"] == "write"


def test_token_scopes_limited_by_role(client, factory):
    student = factory.person("student", factory.org())
    r = client.post("/api/v1/tokens", json={"email": student.email, "password": PASSWORD, "scopes": ["admin"]})
    assert r.status_code == 422
    assert r.json["errors"][0]["field"] == "scopes"


def test_wrong_password_for_token(client, factory):
    student = factory.person("student", factory.org())
    r = client.post("/api/v1/tokens", json={"email": student.email, "password": "wrong password!"})
    assert r.status_code == 401
    assert r.headers["Content-Type"] == "application/problem+json"


def test_expired_revoked_and_garbage_tokens_are_refused(client, factory):
    student = factory.person("student", factory.org())
    secret = factory.token(student)
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.person_id == student.id))
    auth = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=auth).status_code == 200
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    r = client.get("/api/v1/me", headers=auth)
    assert r.status_code == 401 and "invalid_token" in r.headers["WWW-Authenticate"]
    secret2 = factory.token(student)
    assert client.delete(f"/api/v1/tokens/{_id_of(secret2)}",
                         headers={"Authorization": f"Bearer {secret2}"}).status_code == 204
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret2}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer mbt_garbage"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_deactivated_person_cannot_use_token(client, factory):
    org = factory.org()
    student = factory.person("student", org)
    secret = factory.token(student)
    student.is_active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def _id_of(secret: str):
    return db.session.scalar(db.select(ApiToken.id).where(
        ApiToken.token_hash == hashlib.sha256(secret.encode()).hexdigest()))
