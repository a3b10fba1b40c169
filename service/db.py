"""PostgreSQL connection handling: when a pooled connection is pinged, and how a
read-only transaction ends.

Both save round trips and server work on every request (bench/profile_mix.py):

* A pooled connection is pinged before use only when it has been idle for
  IDLE_PING_SECONDS or longer. A connection used moments ago is alive unless the
  server restarted or dropped it in that moment; then the statement fails, the
  pool is invalidated (SQLAlchemy does that on a disconnect error) and the next
  request gets fresh connections. SQLAlchemy's `pool_pre_ping` pinged on every
  checkout: one more round trip per checkout, 4-5 of them per score.
* A transaction that only ran SELECTs ends with COMMIT where SQLAlchemy would
  roll it back (the end of a request, a session closed after reading, the pool
  taking a connection back). On the server the two are the same for a
  transaction that changed nothing, but psycopg forgets every prepared
  statement of the connection after a ROLLBACK (it cannot know which ones a
  failed transaction left behind), so the statements a worker runs again and
  again were never kept prepared and the server parsed and planned each one
  anew. A transaction that sent anything but a SELECT, or that failed on the
  server, still rolls back. Statements are seen as SQLAlchemy sends them (the
  service sends all its SQL that way); a SELECT that changed something would
  be kept, and the service has none (`pg_advisory_xact_lock` and `FOR UPDATE`
  locks end with COMMIT as with ROLLBACK).
"""
from __future__ import annotations

import functools
import time

from psycopg.pq import TransactionStatus
from sqlalchemy import event, exc

from .extensions import db

IDLE_PING_SECONDS = 5.0
_CHECKED_IN = "db.checked_in_at"  # on the pool record's info: when the connection was last given back
_READ_ONLY = "db.read_only"  # on the pool record's info: this transaction has only sent SELECTs so far


def init_postgres(app) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    ping_when_idle(engine.pool)
    event.listen(engine, "begin", _note_begin)
    event.listen(engine, "commit", _note_end)
    event.listen(engine, "before_cursor_execute", _note_statement)
    # This engine's dialect only (each engine has its own instance).
    engine.dialect.do_rollback = functools.partial(_end_read_only, engine.dialect.do_rollback)  # type: ignore[method-assign]


def ping_when_idle(pool) -> None:
    """Ping a connection of `pool` before use only after IDLE_PING_SECONDS unused (see above)."""
    event.listen(pool, "checkout", _ping_if_idle)
    event.listen(pool, "checkin", _note_checkin)


def _note_checkin(dbapi_connection, record) -> None:
    if record is not None:
        record.info[_CHECKED_IN] = time.monotonic()


def _ping_if_idle(dbapi_connection, record, proxy) -> None:
    idle_since = record.info.get(_CHECKED_IN)
    if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
        return  # new, or used moments ago
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(";")  # the cheapest statement: what SQLAlchemy's psycopg ping sends
        if not dbapi_connection.autocommit:
            dbapi_connection.rollback()  # the ping opened a transaction: leave the connection idle
    except Exception as error:  # dead: the pool drops it and checks out another
        raise exc.DisconnectionError(str(error)) from error


def _note_begin(connection) -> None:
    connection.info[_READ_ONLY] = True


def _note_end(connection) -> None:
    connection.info.pop(_READ_ONLY, None)


def _note_statement(connection, cursor, statement, parameters, context, executemany) -> None:
    if statement.lstrip()[:6].upper() != "SELECT":
        connection.info[_READ_ONLY] = False


def _end_read_only(rollback, connection) -> None:
    """The dialect's do_rollback: COMMIT a transaction that only read (see above).
    `connection` is the pool's proxy: its `info` is the pool record's."""
    try:
        read_only = connection.info.pop(_READ_ONLY, False)
    except NotImplementedError:  # the engine's first connect passes a bare pool record
        read_only = False
    dbapi_connection = getattr(connection, "dbapi_connection", None)
    if read_only and dbapi_connection is not None and \
            dbapi_connection.info.transaction_status == TransactionStatus.INTRANS:
        dbapi_connection.commit()
    else:
        rollback(connection)
