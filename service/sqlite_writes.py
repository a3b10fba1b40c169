"""SQLite writers wait in a queue instead of SQLite's busy handler.

SQLite lets one transaction write at a time. A writer that finds the lock
taken sleeps in growing steps (1, 2, 5 ... 100 ms) and tries again, so the
lock often sits free while its waiters sleep, and a newcomer can take it
before a writer that has waited for a second. Under bench_load.py's mix
(three gunicorn workers, four threads each) a score or an upload spent a
median 30-70 ms and a p99 of 1-2 s inside the worker, most of it asleep there.

Here a connection takes a lock before its transaction's first write
statement and lets it go when the transaction ends (commit, rollback, close):
a lock per process (threading) and, between processes, an exclusive `flock`
on a file beside the database (`<database>-writer`). Both hand over as soon
as they are released. SQLite's own lock and busy timeout still decide; this
only orders the writers before they ask for it. Readers never take it
(WAL: they do not wait for writers).

Never a new deadlock: a thread already writing on another connection skips
the queue (SQLite's busy timeout answers it, as before), and the wait in the
process lock gives up after the busy timeout.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class _WriterQueue:
    """The writers of one database file in this process."""

    def __init__(self, path: str):
        self.path = path
        self.lock = threading.Lock()
        self.owner: int | None = None  # the thread holding it
        self.fd: int | None = None

    def acquire(self, timeout: float) -> bool:
        me = threading.get_ident()
        if self.owner == me:  # this thread already writes on another connection
            return False
        if not self.lock.acquire(timeout=timeout):
            return False
        try:
            if self.fd is None:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)  # releases the GIL while it waits
        except BaseException:
            self.lock.release()
            raise
        self.owner = me
        return True

    def release(self) -> None:
        self.owner = None
        try:
            if self.fd is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.lock.release()


_queues: dict[tuple[int, str], _WriterQueue] = {}
_queues_lock = threading.Lock()


def _queue(database: str) -> _WriterQueue:
    key = (os.getpid(), database)  # a forked child opens its own file (flock is per open file)
    with _queues_lock:
        queue = _queues.get(key)
        if queue is None:
            queue = _queues[key] = _WriterQueue(database + "-writer")
        return queue


class QueuedWritesConnection(sqlite3.Connection):
    """sqlite3.Connection (the `factory` of sqlite3.connect) whose write transactions queue."""

    def __init__(self, database, timeout: float = 5.0, *args, **kwargs):
        super().__init__(database, timeout, *args, **kwargs)
        name = os.fspath(database)
        self._writers = None if name in ("", ":memory:") or name.startswith("file:") else _queue(os.path.abspath(name))
        self._wait = timeout
        self._holding = False

    def cursor(self, factory=None):
        return super().cursor(factory or QueuedWritesCursor)

    # sqlite3's own shortcuts make a plain cursor in C, not through cursor() above
    def execute(self, sql, parameters=(), /):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters, /):
        return self.cursor().executemany(sql, seq_of_parameters)

    def before(self, sql: str) -> None:
        if (self._writers is not None and not self._holding and self.isolation_level is not None
                and sql.lstrip()[:7].upper().startswith(_WRITES)):
            self._holding = self._writers.acquire(self._wait)

    def after(self) -> None:
        if self._holding and not self.in_transaction:  # the statement failed before its BEGIN, or ended it
            self._end()

    def _end(self) -> None:
        if self._holding and self._writers is not None:
            self._holding = False
            self._writers.release()

    def commit(self):
        self._ending(super().commit)

    def rollback(self):
        self._ending(super().rollback)

    def _ending(self, end) -> None:
        try:
            end()
        finally:
            if not self.in_transaction:  # still open when the commit failed: keep the place
                self._end()

    def close(self):
        try:
            super().close()
        finally:
            self._end()

    def __del__(self):
        if getattr(self, "_holding", False):
            self._end()


class QueuedWritesCursor(sqlite3.Cursor):
    connection: QueuedWritesConnection

    def execute(self, sql, parameters=(), /):
        return self._queued(super().execute, sql, parameters)

    def executemany(self, sql, seq_of_parameters, /):
        return self._queued(super().executemany, sql, seq_of_parameters)

    def _queued(self, run, sql, parameters):
        connection = self.connection
        connection.before(sql)
        try:
            return run(sql, parameters)
        finally:
            connection.after()
