"""`extensions.read_first`, the identity lookup's driver-level read: the row it
returns is the row SQLAlchemy's Core would return (same values and types, by
attribute and by key), on SQLite and PostgreSQL alike."""
from __future__ import annotations

import datetime
import uuid

import pytest
import sqlalchemy as sa

from service.auth import sessions, tokens
from service.extensions import _readers, db, read_first
from tests.support.signin import sign_in


def _core_first(statement, params):
    with _readers(db.engine).connect() as connection:
        return connection.execute(statement, params).first()


def test_the_token_lookup_reads_what_core_reads(app, factory):
    person = factory.person("teacher", factory.org(), given_name="Ada", family_name=None)
    factory.token(person, ("read", "write"))
    db.session.commit()
    token_hash = db.session.scalar(db.select(tokens.ApiToken.token_hash))
    params = {"token_hash": token_hash}
    ours, core = read_first(tokens._BY_HASH, params), _core_first(tokens._BY_HASH, params)
    assert tuple(ours) == tuple(core) and ours._mapping == dict(core._mapping)
    assert isinstance(ours.person_id, uuid.UUID) and ours.person_id == person.id
    assert ours.scopes == ["read", "write"] and ours.person__family_name is None
    assert ours.expires_at.tzinfo is datetime.timezone.utc
    assert read_first(tokens._BY_HASH, {"token_hash": "0" * 64}) is None


def test_the_session_lookup_reads_what_core_reads(app, factory):
    person = factory.person("student", factory.org())
    db.session.commit()
    sign_in(app.test_client(), person)
    secret_hash = db.session.scalar(db.select(sessions.LoginSession.secret_hash))
    params = {"secret_hash": secret_hash}
    ours, core = read_first(sessions._BY_HASH, params), _core_first(sessions._BY_HASH, params)
    assert tuple(ours) == tuple(core) and ours._mapping == dict(core._mapping)
    assert ours.person__is_active is True and ours.ended_at is None


def test_literals_and_driver_errors(app):
    with app.app_context():
        assert read_first(sa.select(sa.literal(7).label("seven")), {}).seven == 7
        with pytest.raises(sa.exc.DBAPIError):
            read_first(sa.select(sa.column("x")).select_from(sa.table("no_such_table")), {})
        assert read_first(sa.select(sa.literal(1).label("one")), {}).one == 1  # the pool goes on
