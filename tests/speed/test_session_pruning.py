"""Old browser sessions are deleted: every sign-in leaves a `login_sessions`
row, so without pruning the table grows forever. Live sessions stay, and
ended or expired ones are kept for RETENTION (who signed in from where)."""
from __future__ import annotations

import secrets
from datetime import timedelta

from service.auth import sessions
from service.extensions import db
from service.models import LoginSession, utcnow
from tests.support.signin import sign_in


def _row(person, *, expires_in: timedelta, ended_ago: timedelta | None = None) -> LoginSession:
    now = utcnow()
    row = LoginSession(person_id=person.id, secret_hash=secrets.token_hex(32),
                       created_at=now - timedelta(days=60), last_seen_at=now - timedelta(days=60),
                       expires_at=now + expires_in, ended_at=now - ended_ago if ended_ago is not None else None)
    db.session.add(row)
    return row


def test_prune_deletes_only_sessions_past_retention(app, factory):
    org = factory.org()
    person = factory.person("teacher", org)
    old_expired = _row(person, expires_in=-sessions.RETENTION - timedelta(days=1))
    old_ended = _row(person, expires_in=timedelta(hours=1), ended_ago=sessions.RETENTION + timedelta(hours=1))
    recent_expired = _row(person, expires_in=-timedelta(days=1))
    recent_ended = _row(person, expires_in=timedelta(hours=1), ended_ago=timedelta(days=1))
    live = _row(person, expires_in=timedelta(hours=5))
    db.session.commit()
    kept_ids = {recent_expired.id, recent_ended.id, live.id}
    gone_ids = {old_expired.id, old_ended.id}

    assert sessions.prune() == 2
    db.session.commit()
    left = set(db.session.scalars(db.select(LoginSession.id).where(LoginSession.person_id == person.id)))
    assert left == kept_ids and not left & gone_ids
    assert sessions.prune() == 0  # idempotent


def test_sign_in_prunes_and_still_works(client, factory, monkeypatch):
    org = factory.org()
    person = factory.person("teacher", org)
    _row(person, expires_in=-sessions.RETENTION - timedelta(days=2))
    db.session.commit()
    monkeypatch.setattr(sessions, "_pruned_at", [float("-inf")])  # as in a fresh process

    sign_in(client, person)
    assert client.get("/home").status_code == 200
    rows = db.session.scalars(db.select(LoginSession).where(LoginSession.person_id == person.id)).all()
    assert len(rows) == 1 and rows[0].ended_at is None  # the old one is gone, the new one is live


def test_prune_sessions_command(app, factory):
    org = factory.org()
    person = factory.person("teacher", org)
    _row(person, expires_in=-sessions.RETENTION - timedelta(days=2))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["prune-sessions"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 old session" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(LoginSession)
                             .where(LoginSession.person_id == person.id)) == 0
