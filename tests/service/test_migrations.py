"""The Alembic migrations build the schema from nothing on SQLite and
PostgreSQL, match the models, and downgrade cleanly."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support import database as dbsupport


def _app(url, tmp_path):
    from service import create_app

    return create_app({"DATABASE_URL": url, "SERVICE_ENV": "testing", "STORAGE_URL": str(tmp_path / "b"),
                       "PASSWORD_HASH_PROFILE": "fast"})


def _check_upgrade_matches_models_and_downgrades(url, tmp_path):
    import flask_migrate
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from service.extensions import db

    app = _app(url, tmp_path)
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            assert {"organizations", "people", "sections", "enrolments", "api_tokens", "audit_events",
                    "guardian_links", "courses", "jobs"} <= tables
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
            assert diff == [], f"models and migrations disagree: {diff}"
        _audit_log_is_append_only_in_the_database(db)
        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def _audit_log_is_append_only_in_the_database(db):
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO audit_events (occurred_at, action, detail) "
                             "VALUES (CURRENT_TIMESTAMP, 'test.event', '{}')"))
    for statement in ("UPDATE audit_events SET action = 'rewritten'", "DELETE FROM audit_events"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(sa.text(statement))
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS _nothing"))  # connection still healthy


def test_migrations_on_empty_sqlite(tmp_path):
    _check_upgrade_matches_models_and_downgrades(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path)


@pytest.mark.postgres
def test_migrations_on_empty_postgresql(tmp_path):
    server = dbsupport.server_url()
    if not dbsupport.is_postgres(server):
        pytest.skip("DATABASE_URL is not PostgreSQL (.ci/run runs this with a real server)")
    with dbsupport.fresh_postgres_database(server) as url:
        _check_upgrade_matches_models_and_downgrades(url, tmp_path)


def test_orm_refuses_to_rewrite_audit_events(app, factory):
    from service import audit
    from service.extensions import db
    from service.models import AuditLogIsAppendOnly

    event = audit.record("test.event", organization_id=factory.org().id)
    db.session.commit()
    event.action = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(event)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
