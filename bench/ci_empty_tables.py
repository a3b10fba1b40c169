"""How long emptying the test database takes on PostgreSQL: the old per-test
TRUNCATE of every table against tests/support/database.py:empty_all (DELETE
in replica mode), interleaved on one freshly migrated database.

    DATABASE_URL=postgresql://postgres@127.0.0.1:54329/postgres .venv/bin/python bench/ci_empty_tables.py
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from tests.support import database as dbsupport


def truncate_all(engine: sa.Engine) -> None:
    """The old per-test reset (before the fifth pass)."""
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"))]
        conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


def main(rounds: int = 3, calls: int = 20) -> None:
    with dbsupport.fresh_postgres_database(os.environ["DATABASE_URL"]) as url:
        dbsupport.migrate(url, Path(tempfile.mkdtemp()))
        engine = sa.create_engine(url)
        for _ in range(rounds):
            for name, empty in (("TRUNCATE", truncate_all), ("empty_all", dbsupport.empty_all)):
                started = time.perf_counter()
                for _ in range(calls):
                    empty(engine)
                print(f"{name:9} {(time.perf_counter() - started) / calls * 1000:7.1f} ms per call", flush=True)
        engine.dispose()
    print("load average:", open("/proc/loadavg").read().split()[:3])


if __name__ == "__main__":
    main()
