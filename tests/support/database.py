"""Real databases for the tests: a migrated SQLite file or a PostgreSQL database.

`DATABASE_URL` chooses the server (SQLite when unset). Each test run gets its
own PostgreSQL database, created here and dropped at the end, so runs never
see each other's rows.
"""
from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from service.config import normalise_database_url


def server_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    return normalise_database_url(url) if url else None


def is_postgres(url: str | None) -> bool:
    return bool(url and url.startswith("postgresql"))


@contextmanager
def fresh_postgres_database(base_url: str):
    """Create an empty database on the server of `base_url`, yield its URL, drop it."""
    name = f"mbtest_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(sa.engine.make_url(base_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(base_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrate(url: str, instance: Path) -> None:
    """Run the real Alembic migrations against `url`."""
    import flask_migrate

    from service import create_app

    app = create_app({"DATABASE_URL": url, "SERVICE_ENV": "testing", "STORAGE_URL": str(instance / "blobs"),
                      "PASSWORD_HASH_PROFILE": "fast"})
    with app.app_context():
        flask_migrate.upgrade()
        from service.extensions import db

        db.engine.dispose()


def empty_all(engine: sa.Engine) -> None:
    """Empty every table between tests (PostgreSQL) and restart the sequences.

    DELETE with the session in replica mode, not TRUNCATE: replica mode skips
    the row triggers (the audit log's append-only guard) and the foreign-key
    checks, as TRUNCATE did, but a TRUNCATE of all ~55 tables gives each table
    and index a new file and invalidates every connection's catalog cache; it
    cost 100-600 ms per test against 10-25 ms for these DELETEs on a few rows
    (the PostgreSQL run is ~1,400 tests). Replica mode needs a superuser (the
    CI server's `postgres`); any other role falls back to TRUNCATE.
    """
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"))]
        if not tables:
            return
        superuser = conn.execute(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()
        if not superuser:
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            return
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        conn.execute(sa.text("; ".join(f'DELETE FROM "{t}"' for t in tables)))
        for (sequence,) in conn.execute(sa.text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")):
            conn.execute(sa.text(f'ALTER SEQUENCE "{sequence}" RESTART'))


def copy_sqlite(template: Path, target: Path) -> str:
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"
