"""Server-side sessions, CSRF on sign-in and sign-out, throttled sign-in,
password change and self-service reset (issue 14)."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest

from service.extensions import db
from service.models import ApiToken, AuditEvent, LoginSession, PasswordReset, utcnow
from tests.support.factory import PASSWORD
from tests.support.signin import csrf_of, form_csrf, sign_in, sign_out

NEW_PASSWORD = "a brand new passphrase"


def cookie_of(client):
    return client.get_cookie("session").value


def test_a_copied_session_cookie_is_dead_after_logout(app, factory):
    student = factory.person("student", factory.org())
    browser, thief = app.test_client(), app.test_client()
    sign_in(browser, student)
    thief.set_cookie("session", cookie_of(browser))
    assert thief.get("/api/v1/me").status_code == 200
    assert sign_out(browser).status_code == 302
    assert browser.get("/api/v1/me").status_code == 401
    assert thief.get("/api/v1/me").status_code == 401
    row = db.session.scalar(db.select(LoginSession).where(LoginSession.person_id == student.id))
    assert row.end_reason == "logout" and row.ended_at is not None
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "session.logout")) is not None


def test_the_cookie_holds_no_identity_only_a_hashed_secret(client, factory):
    student = factory.person("student", factory.org())
    sign_in(client, student)
    with client.session_transaction() as session:
        assert "person_id" not in session
        secret = session["sid"]
    row = db.session.scalar(db.select(LoginSession).where(LoginSession.person_id == student.id))
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert timedelta(hours=11) < row.expires_at - utcnow() <= timedelta(hours=12)


def test_an_expired_session_is_refused(client, factory):
    student = factory.person("student", factory.org())
    sign_in(client, student)
    row = db.session.scalar(db.select(LoginSession).where(LoginSession.person_id == student.id))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_login_needs_the_forms_csrf_token(client, factory):
    student = factory.person("student", factory.org())
    forged = client.post("/login", data={"email": student.email, "password": PASSWORD})
    assert forged.status_code == 403
    assert client.get("/api/v1/me").status_code == 401
    wrong = client.post("/login", data={"email": student.email, "password": PASSWORD, "csrf_token": "x" * 43})
    assert wrong.status_code == 403
    assert sign_in(client, student).status_code == 302


def test_logout_needs_the_csrf_token(client, factory):
    student = factory.person("student", factory.org())
    sign_in(client, student)
    assert client.post("/logout").status_code == 403
    assert client.get("/api/v1/me").status_code == 200  # still signed in
    assert sign_out(client).status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_password_change_ends_other_sessions_and_revokes_tokens(app, factory):
    student = factory.person("student", factory.org())
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone, student)
    sign_in(laptop, student)
    secret = factory.token(student)
    r = laptop.patch(f"/api/v1/people/{student.id}", headers={"X-CSRF-Token": csrf_of(laptop)},
                     json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status_code == 200
    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 200  # the browser that changed it stays signed in
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert all(t.revoked_at is not None for t in db.session.scalars(
        db.select(ApiToken).where(ApiToken.person_id == student.id)))


def test_an_admin_resetting_a_password_ends_all_of_that_persons_sessions(app, factory):
    org = factory.org()
    admin, student = factory.person("admin", org), factory.person("student", org)
    browser = app.test_client()
    sign_in(browser, student)
    secret = factory.token(student)
    r = app.test_client().patch(f"/api/v1/people/{student.id}", headers=factory.auth(admin),
                                json={"new_password": NEW_PASSWORD})
    assert r.status_code == 200
    assert browser.get("/api/v1/me").status_code == 401
    assert browser.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_change_password_page(app, factory):
    student = factory.person("student", factory.org())
    other, client = app.test_client(), app.test_client()
    sign_in(other, student)
    sign_in(client, student)
    page = client.get("/account/password")
    assert page.status_code == 200
    token = csrf_of(client)
    wrong = client.post("/account/password", data={"csrf_token": token, "current_password": "not it at all",
                                                   "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert wrong.status_code == 422 and "current password is wrong" in wrong.get_data(as_text=True)
    ok = client.post("/account/password", data={"csrf_token": token, "current_password": PASSWORD,
                                                "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert ok.status_code == 200 and "Your password is changed" in ok.get_data(as_text=True)
    assert other.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 200
    sign_in(app.test_client(), student, NEW_PASSWORD)


# -- throttling ------------------------------------------------------------------------------------

def test_wrong_passwords_then_the_right_one_are_throttled_with_retry_after(app, factory):
    student = factory.person("student", factory.org())
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, student, "wrong password!", expect=None).status_code == 401
    blocked = sign_in(client, student, expect=None)
    assert blocked.status_code == 429
    assert 800 <= int(blocked.headers["Retry-After"]) <= 900
    # The API answers the same, as problem+json, from another "worker" (app) on the same database.
    from service import create_app

    other_worker = create_app(app.config).test_client()
    r = other_worker.post("/api/v1/tokens", json={"email": student.email, "password": PASSWORD})
    assert r.status_code == 429 and r.mimetype == "application/problem+json"
    assert r.json["type"] == "/problems/too-many-attempts" and int(r.headers["Retry-After"]) > 0
    failed = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "session.login_failed")).all()
    assert len(failed) == 7
    assert {e.detail["reason"] for e in failed} == {"wrong password", "throttled"}
    assert all(e.object_id == str(student.id) for e in failed if e.detail["reason"] == "wrong password")


def test_the_lock_lapses_and_a_success_clears_the_count(app, factory):
    from service.models import LoginThrottle

    student = factory.person("student", factory.org())
    client = app.test_client()
    for _ in range(5):
        sign_in(client, student, "wrong password!", expect=401)
    for row in db.session.scalars(db.select(LoginThrottle)):
        row.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    sign_in(client, student)
    assert db.session.get(LoginThrottle, f"account:{student.email}") is None


def test_one_address_trying_many_accounts_is_throttled(app, factory):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 8
    org = factory.org()
    people = [factory.person("student", org) for _ in range(9)]
    client = app.test_client()
    for person in people[:8]:
        assert client.post("/api/v1/tokens", json={"email": person.email, "password": "wrong password!"},
                           environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 401
    r = client.post("/api/v1/tokens", json={"email": people[8].email, "password": PASSWORD},
                    environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert r.status_code == 429
    # Another address is not held back by it.
    r = client.post("/api/v1/tokens", json={"email": people[8].email, "password": PASSWORD},
                    environ_base={"REMOTE_ADDR": "203.0.113.10"})
    assert r.status_code == 201


def test_unknown_accounts_cost_the_same_password_work(app, factory, monkeypatch):
    """An unknown e-mail runs one Argon2 computation, as a real account does,
    and is throttled the same way: neither timing nor answers tell which exist."""
    from argon2 import PasswordHasher

    from service.auth import passwords

    calls = []

    class Counting(PasswordHasher):
        def hash(self, *a, **kw):
            calls.append("hash")
            return super().hash(*a, **kw)

        def verify(self, *a, **kw):
            calls.append("verify")
            return super().verify(*a, **kw)

    student = factory.person("student", factory.org())
    monkeypatch.setitem(passwords._PROFILES, "fast", Counting(time_cost=1, memory_cost=8, parallelism=1))
    client = app.test_client()
    known = client.post("/api/v1/tokens", json={"email": student.email, "password": "wrong password!"})
    work_known, calls[:] = len(calls), []
    unknown = client.post("/api/v1/tokens", json={"email": "nobody@example.test", "password": "wrong password!"})
    assert (known.status_code, unknown.status_code) == (401, 401)
    assert known.json["detail"] == unknown.json["detail"]
    assert work_known == len(calls) == 1
    for _ in range(4):
        client.post("/api/v1/tokens", json={"email": "nobody@example.test", "password": "wrong password!"})
    assert client.post("/api/v1/tokens", json={"email": "nobody@example.test",
                                               "password": "x" * 10}).status_code == 429


# -- password reset -------------------------------------------------------------------------------

def _reset_link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"https://badges\.test(/password/reset/\S+)", body).group(1)


def test_password_reset_by_email_is_single_use_and_ends_sessions(app, factory, smtp_server):
    student = factory.person("student", factory.org())
    signed_in = app.test_client()
    sign_in(signed_in, student)
    secret = factory.token(student)
    client = app.test_client()
    r = client.post("/password/forgot", data={"email": student.email, "csrf_token": form_csrf(client,
                                                                                             "/password/forgot")})
    assert r.status_code == 200 and "If that address belongs to an account" in r.get_data(as_text=True)
    message = smtp_server.wait_for(1)[0]
    assert message["To"] == student.email and "Reset your password" in message["Subject"]
    path = _reset_link(message)
    token = path.rsplit("/", 1)[1]
    stored = db.session.scalar(db.select(PasswordReset).where(PasswordReset.person_id == student.id))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in stored.token_hash
    assert client.get(path).status_code == 200
    csrf = form_csrf(client, path)
    mismatch = client.post(path, data={"csrf_token": csrf, "new_password": NEW_PASSWORD, "confirm_password": "x"})
    assert mismatch.status_code == 422
    done = client.post(path, data={"csrf_token": csrf, "new_password": NEW_PASSWORD,
                                   "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302 and "/login" in done.headers["Location"]
    assert signed_in.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    sign_in(app.test_client(), student, NEW_PASSWORD)
    sign_in(app.test_client(), student, PASSWORD, expect=401)
    # Single use.
    assert client.get(path).status_code == 404
    assert client.post(path, data={"csrf_token": csrf, "new_password": "another passphrase!",
                                   "confirm_password": "another passphrase!"}).status_code == 404


def test_reset_links_expire(app, factory, smtp_server):
    student = factory.person("student", factory.org())
    client = app.test_client()
    client.post("/password/forgot", data={"email": student.email,
                                          "csrf_token": form_csrf(client, "/password/forgot")})
    path = _reset_link(smtp_server.wait_for(1)[0])
    row = db.session.scalar(db.select(PasswordReset).where(PasswordReset.person_id == student.id))
    assert timedelta(minutes=59) < row.expires_at - utcnow() <= timedelta(minutes=60)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(path).status_code == 404


def test_reset_for_an_unknown_address_answers_the_same_and_mails_nobody(app, factory, smtp_server):
    client = app.test_client()
    csrf = form_csrf(client, "/password/forgot")
    r = client.post("/password/forgot", data={"email": "nobody@example.test", "csrf_token": csrf})
    assert r.status_code == 200 and "If that address belongs to an account" in r.get_data(as_text=True)
    with pytest.raises(AssertionError):
        smtp_server.wait_for(1, timeout=1)
    assert client.post("/password/forgot", data={"email": "x@example.test"}).status_code == 403  # CSRF
