"""A bearer-token read must not write: last_used_at moves at most once per
LAST_USED_RESOLUTION, so authenticated API traffic is not serialized behind
the database's write lock."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from service.auth.tokens import LAST_USED_RESOLUTION
from service.extensions import db
from service.models import ApiToken
from tests.support.signin import sign_in


class Writes:
    """Counts INSERT/UPDATE/DELETE statements the engine runs."""

    def __init__(self):
        self.statements: list[str] = []

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, params, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            self.statements.append(statement)


def test_token_reads_write_once_per_interval(client, factory):
    org = factory.org()
    teacher = factory.person("teacher", org)
    headers = factory.auth(teacher, scopes=("read",))
    with Writes() as first:
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert len(first.statements) == 1 and "api_tokens" in first.statements[0]
    with Writes() as later:
        for _ in range(5):
            assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert later.statements == []
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.person_id == teacher.id))
    used = token.last_used_at
    assert used is not None

    # Once the recorded use is older than the resolution, the next read records it again.
    token.last_used_at = used - LAST_USED_RESOLUTION - timedelta(seconds=1)
    db.session.commit()
    with Writes() as stale:
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert len(stale.statements) == 1
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at > used - timedelta(seconds=1)


def test_session_reads_do_not_write(client, factory):
    org = factory.org()
    teacher = factory.person("teacher", org)

    sign_in(client, teacher)
    with Writes() as reads:
        for path in ("/home", "/api/v1/me", "/home"):
            assert client.get(path).status_code == 200
    assert reads.statements == []
