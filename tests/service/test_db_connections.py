"""PostgreSQL connection handling (service/db.py): a transaction that only read
ends with COMMIT and keeps psycopg's prepared statements; anything that wrote
or failed still rolls back; a connection is pinged only after sitting idle."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from service import db as dbmodule
from service.extensions import db
from tests.support import database as dbsupport

pytestmark = pytest.mark.skipif(not dbsupport.is_postgres(dbsupport.server_url()),
                                reason="PostgreSQL connection handling (DATABASE_URL is not PostgreSQL)")


def _organizations(app) -> set[str]:
    """Slugs as a separate connection sees them (committed rows only)."""
    with app.app_context(), db.engine.connect() as connection:
        return set(connection.execute(sa.text("SELECT slug FROM organizations")).scalars())


def _add_organization(slug: str) -> None:
    from service.models import Organization

    db.session.add(Organization(slug=slug, name=slug.title()))
    db.session.flush()


def test_a_read_only_transaction_keeps_prepared_statements(app):
    with app.app_context():
        for _ in range(6):  # psycopg prepares a statement on its fifth run
            db.session.execute(sa.text("SELECT count(*) FROM organizations WHERE slug <> :s"), {"s": "x"}).scalar()
        dbapi = db.session.connection().connection.dbapi_connection
        db.session.rollback()  # what the end of a request does
        with dbapi.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] >= 1
        dbapi.rollback()


def test_a_rolled_back_write_is_not_kept(app):
    with app.app_context():
        _add_organization("written-then-rolled-back")
        db.session.execute(sa.select(sa.literal(1))).scalar()  # a read after the write changes nothing
        db.session.rollback()
    assert "written-then-rolled-back" not in _organizations(app)


def test_a_write_before_an_error_is_not_kept(app):
    with app.app_context():
        _add_organization("written-before-error")
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.text("SELECT 1 / 0")).scalar()
        db.session.rollback()
        assert db.session.execute(sa.select(sa.literal(2))).scalar() == 2  # the connection still works
        db.session.rollback()
    assert "written-before-error" not in _organizations(app)


def test_a_failed_read_only_transaction_rolls_back(app):
    with app.app_context():
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.text("SELECT 1 / 0")).scalar()
        db.session.rollback()
        assert db.session.execute(sa.select(sa.literal(3))).scalar() == 3


def test_a_savepoint_rolled_back_inside_a_committed_transaction(app):
    with app.app_context():
        _add_organization("kept-outer")
        with db.session.begin_nested() as nested:
            _add_organization("dropped-inner")
            nested.rollback()
        db.session.commit()
    assert {"kept-outer"} <= _organizations(app)
    assert "dropped-inner" not in _organizations(app)


def test_the_end_of_a_request_rolls_back_what_a_failed_view_wrote(app):
    """A view that wrote and then failed: Flask-SQLAlchemy's teardown closes the
    session, and nothing of the write is kept."""

    @app.get("/test-only/write-then-fail")
    def write_then_fail():
        _add_organization("half-written")
        raise RuntimeError("the view fails after writing")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/test-only/write-then-fail")
    assert response.status_code == 500
    assert "half-written" not in _organizations(app)


def _kill(app, dbapi) -> None:
    """Terminate the backend of a pooled connection, from outside the pool."""
    with app.app_context():
        outside = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    with outside.connect() as other:
        other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": dbapi.info.backend_pid})
        other.commit()
    outside.dispose()


def test_a_connection_that_sat_idle_is_pinged_and_replaced_when_dead(app, monkeypatch):
    monkeypatch.setattr(dbmodule, "IDLE_PING_SECONDS", 0.0)
    with app.app_context():
        with db.engine.connect() as connection:
            dbapi = connection.connection.dbapi_connection
        _kill(app, dbapi)
        with db.engine.connect() as connection:  # the ping finds it dead: the pool connects anew
            assert connection.execute(sa.select(sa.literal(1))).scalar() == 1
            assert connection.connection.dbapi_connection is not dbapi


def test_a_connection_used_moments_ago_is_not_pinged(app, monkeypatch):
    """The bound this trades for a round trip per checkout: a connection the server
    dropped within IDLE_PING_SECONDS of its last use fails one statement, and the
    pool is then invalidated so the next checkout connects anew."""
    monkeypatch.setattr(dbmodule, "IDLE_PING_SECONDS", 3600.0)
    with app.app_context():
        with db.engine.connect() as connection:
            dbapi = connection.connection.dbapi_connection
        _kill(app, dbapi)
        with pytest.raises(sa.exc.OperationalError), db.engine.connect() as connection:
            connection.execute(sa.select(sa.literal(1))).scalar()
        with db.engine.connect() as connection:
            assert connection.execute(sa.select(sa.literal(1))).scalar() == 1


def test_identity_lookups_have_their_own_autocommit_pool_disposed_with_the_app_engine(app, monkeypatch):
    from service.extensions import _readers, read_first

    monkeypatch.setattr(dbmodule, "IDLE_PING_SECONDS", 0.0)
    statement = sa.select(sa.literal(1).label("one"))
    with app.app_context():
        assert read_first(statement, {}).one == 1
        readers = _readers(db.engine)
        assert readers is not db.engine and readers.pool is not db.engine.pool
        with readers.connect() as connection:
            dbapi = connection.connection.dbapi_connection
            assert dbapi.autocommit  # stays in autocommit: nothing to switch per lookup
        _kill(app, dbapi)
        assert read_first(statement, {}).one == 1  # pinged after sitting idle, replaced
        pool = readers.pool
        assert pool.checkedin() >= 1
        db.engine.dispose()
        assert pool.checkedin() == 0  # no connections left behind when the app's engine goes


def test_a_read_only_view_reads_on_the_reader_pool_and_cannot_write(app):
    """`extensions.read_only` (the public pages): the view's SELECTs run on the
    autocommit reader pool, with no BEGIN/COMMIT around them, and the server
    refuses a write there; afterwards the session is back on the app's engine."""
    from service.extensions import _readers, read_only

    seen = {}

    @read_only
    def view(write: bool):
        connection = db.session.connection()
        seen["engine"] = connection.engine
        seen["autocommit"] = connection.connection.dbapi_connection.autocommit
        db.session.execute(sa.text("SELECT 1")).scalar()
        if write:
            _add_organization("written-by-a-read-only-view")
        return "ok"

    with app.test_request_context("/"):
        assert view(False) == "ok"
        assert seen["engine"] is _readers(db.engine) and seen["autocommit"]
        with pytest.raises(sa.exc.InternalError, match="read-only transaction"):
            view(True)
        db.session.rollback()
        assert db.session.connection().engine is db.engine  # later work of the request is on the app's engine
        db.session.rollback()
    assert "written-by-a-read-only-view" not in _organizations(app)
