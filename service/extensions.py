"""The shared extension objects, created once and bound to an app in create_app."""
from __future__ import annotations

import collections
import functools
import threading
import weakref

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names: Alembic needs them to alter constraints on SQLite
# (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


_READ_BIND = "extensions.read_bind"  # session.info: the engine a read_only view's session reads on


class RoutedSession(FlaskSession):
    """Flask-SQLAlchemy's session, which a `read_only` view points at the reader pool."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None:
            bind = self.info.get(_READ_BIND)
        return super().get_bind(mapper, clause, bind, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": RoutedSession})
migrate = Migrate(render_as_batch=True, compare_type=True)


def init_sqlite(app) -> None:
    """On SQLite, set SQLITE_JOURNAL_MODE on each new connection of the app's engine.
    WAL: readers never wait for a committing writer nor block one, which is what
    lets several gunicorn workers share one file (bench/bench_load.py)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    mode = app.config["SQLITE_JOURNAL_MODE"]

    @event.listens_for(engine, "connect")
    def _journal_mode(dbapi_connection, record):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA journal_mode={mode}")
        cursor.close()


# What read_first returns: a namedtuple with `_mapping`, read like SQLAlchemy's Row.
ReadRow = tuple


def read_first(statement, params: dict) -> ReadRow | None:
    """The first row of a prebuilt Core select (None if none), on a pooled
    connection taken for just this statement: no ORM session setup and
    teardown. Used for who-is-calling before every request; the connection is
    back in the pool before the view runs, so a request never holds two (the
    pool bounds concurrent requests, not statements).

    The statement runs on the driver's own cursor, compiled once per engine
    (`_Plan`): SQLAlchemy's execution context and result object (and, on
    psycopg, the cursor description they read: an object per column) cost
    about 75 of the 130 us this lookup took on PostgreSQL (bench/profile_mix.py).
    The row is read as SQLAlchemy would (its result processors) and answers
    by attribute and `_mapping` like a Row. A driver error discards the
    connection and is raised as SQLAlchemy's DBAPIError, as Core would."""
    engine = reader_engine()
    plan = _plan(engine, statement)
    connection = engine.raw_connection()  # the pool's checkout events still run (service/db.py pings)
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(plan.sql, plan.bind(params))
            values = cursor.fetchone()
        finally:
            cursor.close()
    except engine.dialect.loaded_dbapi.Error as error:
        connection.invalidate(error)
        raise DBAPIError.instance(plan.sql, params, error, engine.dialect.loaded_dbapi.Error,
                                  dialect=engine.dialect) from error
    finally:
        connection.close()
    return None if values is None else plan.row(values)


class _Plan:
    """A Core select compiled for one engine: its SQL, its parameters in the
    driver's style, and how to turn the driver's tuple into a row."""

    def __init__(self, engine, statement):
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        if compiled.escaped_bind_names:
            raise ValueError("read_first takes plain bind parameter names")
        self.sql = compiled.string
        binds = compiled.binds.items()  # by the name in the SQL (literals get made-up ones)
        # Values written into the statement (literals); the caller's params add to them.
        self._defaults = {name: bind.effective_value for name, bind in binds if not bind.required}
        self._bind_processors = [(name, process) for name, bind in binds
                                 if (process := bind.type.dialect_impl(dialect).bind_processor(dialect))]
        self._names = compiled.positiontup if compiled.positional else None
        columns = statement.selected_columns
        self._processors = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
        self._plain = not any(self._processors)
        self._row_class = _row_class(tuple(columns.keys()))

    def bind(self, params: dict):
        values = {**self._defaults, **params}
        for name, process in self._bind_processors:
            values[name] = process(values[name])
        return values if self._names is None else [values[name] for name in self._names]

    def row(self, values):
        if not self._plain:
            values = [value if process is None or value is None else process(value)
                      for process, value in zip(self._processors, values)]
        return self._row_class(*values)


def _row_class(keys: tuple[str, ...]):
    base = collections.namedtuple("Row", keys)

    class ReadRow(base):  # type: ignore[misc,valid-type]
        """Read by attribute (`row.person_id`) or by key (`row._mapping["person__id"]`), like a Row."""

        __slots__ = ()

        @property
        def _mapping(self) -> dict:
            return self._asdict()

    return ReadRow


_plans: dict = {}
_MAX_PLANS = 64  # a handful of prebuilt statements; a caller passing new ones each time cannot grow it


def _plan(engine, statement) -> _Plan:
    key = (statement, engine)
    plan = _plans.get(key)
    if plan is None:
        if len(_plans) >= _MAX_PLANS:
            _plans.clear()
        plan = _plans[key] = _Plan(engine, statement)
    return plan


_reader_engines: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_reader_lock = threading.Lock()


def _readers(engine):
    """On PostgreSQL, one SELECT needs no transaction: autocommit saves the
    BEGIN and ROLLBACK round trips around it. (SQLite's driver never begins
    one for a SELECT.) Its own small pool of connections that stay in
    autocommit: taking one from the app's pool and switching it to autocommit
    and back cost about 70 us of psycopg calls per lookup (bench/profile_mix.py).
    Idle connections are pinged as the app's are (service/db.py); disposed
    with the app's engine."""
    if engine.dialect.name != "postgresql":
        return engine
    readers = _reader_engines.get(engine)
    if readers is None:
        with _reader_lock:
            readers = _reader_engines.get(engine)
            if readers is None:
                from .db import ping_when_idle

                # Short lookups, one per request at most: as many as a worker has threads, more only in a burst.
                readers = create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_size=4, max_overflow=16)
                event.listen(readers, "connect", _refuse_writes)
                ping_when_idle(readers.pool)
                event.listen(engine, "engine_disposed", lambda _engine: readers.dispose())
                _reader_engines[engine] = readers
    return readers


def reader_engine():
    """The engine for a statement that only reads committed data and needs no
    transaction of its own (see `_readers`): on PostgreSQL the autocommit,
    server-side read-only pool; on SQLite the app's engine."""
    return _readers(db.engine)


def read_only(view):
    """For views that only read (the public pages verifiers and visitors fetch).
    On PostgreSQL the request's ORM session reads on the reader pool above, in
    autocommit: no BEGIN and COMMIT round trips around the view's SELECTs (two
    of a public page's three). Each SELECT sees its own snapshot, as it does in
    the READ COMMITTED transaction it replaces; the server refuses any write.
    A session that is already in a transaction (something earlier in the
    request used it) stays as it is. On SQLite nothing changes."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        engine = db.engine
        readers = _readers(engine)
        session = db.session()
        if readers is engine or session.in_transaction():
            return view(*args, **kwargs)
        session.info[_READ_BIND] = readers
        try:
            return view(*args, **kwargs)
        finally:
            # Gives the reader connection back (a rollback never writes: nothing the view
            # might have added can reach the app's engine); the next use of the session
            # starts on the app's engine.
            session.rollback()
            del session.info[_READ_BIND]

    return wrapper


def _refuse_writes(dbapi_connection, record) -> None:
    """Reader connections are read-only on the server: a `read_only` view that
    tried to write would fail, not write outside any transaction."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # a SET inside a transaction would be undone by its rollback
    dbapi_connection.execute("SET default_transaction_read_only = on")
    dbapi_connection.autocommit = autocommit


def commit_keeping_loaded() -> None:
    """Commit the request's session without expiring the objects it holds, for a
    view that answers with what it has just written: the answer is built from
    the values sent, instead of a new transaction that reads them all back
    (an upload's answer: the artifact, its versions and tags, 3 SELECTs and 2
    round trips more). Only for objects whose columns the database does not
    change on its own (no server-side defaults or triggers)."""
    session = db.session()
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep
