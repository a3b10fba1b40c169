"""SQLite write transactions queue for the write lock (service/sqlite_writes.py):
a second writer waits until the first transaction ends, in this process and in
another; reads never wait; ending a transaction in any way lets the next in;
and nothing that used to fail after the busy timeout now waits forever."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from service.sqlite_writes import QueuedWritesConnection

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "queued.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=wal")
        conn.execute("CREATE TABLE t (x INTEGER)")
    return path


def connect(path, timeout=10.0) -> QueuedWritesConnection:
    return sqlite3.connect(path, timeout=timeout, factory=QueuedWritesConnection, check_same_thread=False)


def rows(path) -> list[int]:
    with sqlite3.connect(path) as conn:
        return sorted(x for (x,) in conn.execute("SELECT x FROM t"))


def write_in_thread(path, value: int) -> tuple[threading.Thread, threading.Event]:
    done = threading.Event()

    def write():
        conn = connect(path)
        conn.execute("INSERT INTO t VALUES (?)", (value,))
        conn.commit()
        conn.close()
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    return thread, done


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_a_second_writer_waits_until_the_first_transaction_ends(path, end):
    first = connect(path)
    first.execute("INSERT INTO t VALUES (1)")
    assert first.in_transaction
    thread, done = write_in_thread(path, 2)
    assert not done.wait(0.3)  # queued behind the open transaction
    reader = connect(path)
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (0,)  # reads never queue (WAL)
    getattr(first, end)()
    assert done.wait(10)
    thread.join()
    assert rows(path) == ([1, 2] if end == "commit" else [2])


def test_a_writer_in_another_process_waits_too(path):
    first = connect(path)
    first.execute("INSERT INTO t VALUES (1)")
    script = ("import sqlite3, sys; from service.sqlite_writes import QueuedWritesConnection as Q; "
              "c = sqlite3.connect(sys.argv[1], timeout=30, factory=Q); c.execute('INSERT INTO t VALUES (2)'); "
              "c.commit(); print('written', flush=True)")
    other = subprocess.Popen([sys.executable, "-c", script, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    with pytest.raises(subprocess.TimeoutExpired):
        other.wait(timeout=1.5)  # waiting in the queue (flock), not failing
    first.commit()
    assert other.communicate(timeout=30)[0].strip() == "written"
    assert rows(path) == [1, 2]


def test_the_same_thread_writing_on_a_second_connection_is_not_queued_behind_itself(path):
    first = connect(path)
    first.execute("INSERT INTO t VALUES (1)")
    second = connect(path, timeout=0.2)
    # As without the queue: SQLite's busy timeout answers, instead of waiting forever.
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        second.execute("INSERT INTO t VALUES (2)")
    second.rollback()
    first.commit()
    second.execute("INSERT INTO t VALUES (3)")
    second.commit()
    assert rows(path) == [1, 3]


def test_reads_and_autocommit_writes_do_not_hold_the_queue(path):
    reader = connect(path)
    reader.execute("SELECT * FROM t").fetchall()
    autocommit = connect(path)
    autocommit.isolation_level = None
    autocommit.execute("INSERT INTO t VALUES (1)")
    thread, done = write_in_thread(path, 2)
    assert done.wait(10)
    thread.join()
    assert rows(path) == [1, 2]


def test_a_failed_write_keeps_its_place_until_its_transaction_ends(path):
    first = connect(path)
    first.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.OperationalError):
        first.execute("INSERT INTO missing VALUES (1)")
    thread, done = write_in_thread(path, 2)
    assert not done.wait(0.3)
    first.rollback()
    assert done.wait(10)
    thread.join()
    assert rows(path) == [2]


def test_the_apps_sqlite_engine_queues_its_writers(app):
    from service.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        with db.engine.connect() as conn:
            assert isinstance(conn.connection.dbapi_connection, QueuedWritesConnection)
