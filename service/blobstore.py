"""The app's blob store, and the one place that decides when a blob may go.

Blobs are content-addressed, so one blob can be shared: two students who
upload the same file, a badge image equal to an artifact. Nothing deletes a
blob because it wrote it; every deletion asks here:

* Each feature registers the columns that reference blobs
  (`register_reference(Model.digest_column)`), so `is_referenced` knows
  every user of a blob.
* An upload in flight holds the blob it is writing (`hold()`), from before
  its bytes reach the store until the transaction that will reference them
  ends, so a concurrent refusal of the same bytes cannot delete them under
  it. A hold whose process died expires after `HOLD_SECONDS`.
* `discard(digest)` (a refused upload) deletes at once only when no row
  references the blob and no other upload holds it (or holds a blob whose
  digest is not known yet); otherwise the blob stays for `cleanup`, which
  removes unreferenced, unheld blobs older than a grace period
  (`flask cleanup-blobs`).

Holds and deletions serialize on one database lock (PostgreSQL: an advisory
lock; SQLite: the database write lock), so a hold is either seen by a
deletion or taken after it, when the blob is already gone and the upload
writes it afresh.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy import ColumnElement, Connection, delete, exists, insert, or_, select, text, update
from sqlalchemy.orm import Session

from storage import BlobStore

from .extensions import db
from .models import BlobHold, utcnow

log = logging.getLogger(__name__)

HOLD_SECONDS = 6 * 3600  # longer than the slowest upload we accept
_LOCK_KEY = 0x626C6F62  # "blob": the advisory lock holds and deletions share (PostgreSQL)
_REFERENCES: list = []


def get_store() -> BlobStore:
    store = current_app.extensions.get("blobstore")
    if store is None:
        from storage import open_store

        config = current_app.config
        options = {}
        if config["STORAGE_URL"].startswith("s3://"):
            sse = config.get("STORAGE_SSE", "AES256")
            options = {"endpoint_url": config.get("STORAGE_ENDPOINT_URL"),
                       "region_name": config.get("STORAGE_REGION"),
                       "server_side_encryption": None if sse in (None, "", "none") else sse}
        store = open_store(config["STORAGE_URL"], **options)
        current_app.extensions["blobstore"] = store
    return store


# -- references ------------------------------------------------------------------------------
def register_reference(column: Any) -> None:
    """Declare that rows keep a blob alive while `column` (a mapped column of
    hex SHA-256 digests, e.g. `ArtifactVersion.blob_digest`) names it."""
    if column not in _REFERENCES:
        _REFERENCES.append(column)


def references() -> list[Any]:
    return list(_REFERENCES)


def _referenced_clause(digest: str) -> ColumnElement[bool] | None:
    return or_(*(exists().where(column == digest) for column in _REFERENCES)) if _REFERENCES else None


def is_referenced(digest: str, *, connection: Connection | None = None) -> bool:
    """True when a registered column names `digest` or a live hold covers it."""
    clause = _referenced_clause(digest)
    held = exists().where(BlobHold.digest == digest, BlobHold.expires_at > utcnow())
    query = select(or_(clause, held) if clause is not None else held)
    return bool((connection or db.session).scalar(query))


# -- holds -----------------------------------------------------------------------------------
def _single_writer(engine: Any) -> bool:
    """SQLite: one write transaction at a time for the whole database file."""
    return engine.dialect.name == "sqlite"


@contextmanager
def _serialized(session: Session | None = None) -> Iterator[Connection]:
    """A transaction that holds the blob lock until it ends.

    Normally its own connection, committed at once (PostgreSQL: under an
    advisory lock). With a single writer (SQLite) the caller's write lock would
    make a second connection wait for the busy timeout and then fail, so when
    ``session`` (the caller's: the one whose transaction will reference the
    blob, `db.session` by default) holds that lock, the hold joins its
    transaction instead; that serializes just as well, since nobody else can
    write until it ends. (Not always: a hold written first would keep SQLite's
    only write lock for a whole upload.)"""
    joined = _writing_connection(session or db.session())
    if joined is not None:
        yield joined
        return
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        else:
            # SQLite has one writer at a time: starting with a write takes that lock.
            conn.execute(delete(BlobHold).where(BlobHold.expires_at < utcnow() - timedelta(days=1)))
        yield conn


def _writing_connection(session: Session) -> Connection | None:
    """The session's connection when, on a single-writer database, it holds the write lock."""
    if not _single_writer(session.get_bind()) or not session.in_transaction():
        return None
    conn = session.connection()
    return conn if getattr(conn.connection.dbapi_connection, "in_transaction", False) else None


class Hold:
    """An upload's claim on the blob it is writing (see the module docstring).

    ``session``: the session whose transaction will reference the blob (and
    may already have written), `db.session` by default."""

    def __init__(self, session: Session | None = None, digest: str | None = None) -> None:
        self.id = uuid.uuid4()
        self.released = False
        self.session = session
        self.digest = digest
        now = utcnow()
        with _serialized(session) as conn:
            conn.execute(insert(BlobHold).values(id=self.id, digest=digest, created_at=now,
                                                 expires_at=now + timedelta(seconds=HOLD_SECONDS)))

    def stored(self, digest: str) -> None:
        """The bytes are in the store under `digest` (nothing to write when the
        hold was taken with that digest already)."""
        if digest == self.digest:
            return
        with _serialized(self.session) as conn:
            conn.execute(update(BlobHold).where(BlobHold.id == self.id).values(digest=digest))
        self.digest = digest

    def release(self, *, _transaction_ended: bool = False) -> None:
        if self.released:
            return
        self.released = True
        try:
            # Once the caller's transaction has ended its session may not be
            # used (and holds no lock): a connection of our own then.
            with (db.engine.begin() if _transaction_ended else _serialized(self.session)) as conn:
                conn.execute(delete(BlobHold).where(BlobHold.id == self.id))
        except Exception:  # an unreleased hold only delays cleanup until it expires
            log.exception("could not release blob hold %s", self.id)

    def release_after_transaction(self, session: Session | None = None) -> None:
        """Release when `session`'s transaction (which may reference the blob) ends.

        On commit the hold row is deleted inside that transaction, so the rows
        that reference the blob and the end of the hold become visible together
        (a deletion sees one or the other, never neither) and no second write
        transaction is needed; on rollback it is released on its own connection."""
        from sqlalchemy import event

        session = session or self.session or db.session()

        def in_transaction(s: Session) -> None:
            if not self.released:
                s.execute(delete(BlobHold).where(BlobHold.id == self.id))

        def committed(_s: Session) -> None:
            self.released = True

        event.listen(session, "before_commit", in_transaction, once=True)
        event.listen(session, "after_commit", committed, once=True)
        event.listen(session, "after_rollback", lambda _s: self.release(_transaction_ended=True), once=True)


def hold(session: Session | None = None, digest: str | None = None) -> Hold:
    """A hold on the blob an upload is writing; `digest` when its bytes were hashed before they reach the store."""
    return Hold(session, digest)


def discard(digest: str, *, hold: Hold | None = None) -> bool:
    """Delete a blob nobody uses (a refused upload's bytes) now; True when deleted.

    Kept when a row references it or another upload holds it or is still
    writing bytes of unknown digest: then `cleanup` decides later."""
    now = utcnow()
    deleted = False
    with _serialized(hold.session if hold is not None else None) as conn:
        others = select(BlobHold.id).where(BlobHold.expires_at > now,
                                           or_(BlobHold.digest == digest, BlobHold.digest.is_(None)))
        if hold is not None:
            others = others.where(BlobHold.id != hold.id)
        busy = conn.scalar(select(exists(others)))
        clause = _referenced_clause(digest)
        used = clause is not None and bool(conn.scalar(select(clause)))
        if not busy and not used:
            deleted = get_store().delete(digest)
        if hold is not None:
            conn.execute(delete(BlobHold).where(BlobHold.id == hold.id))
            hold.released = True
    return deleted


# -- cleanup ---------------------------------------------------------------------------------
def cleanup(grace: timedelta) -> list[str]:
    """Delete blobs older than `grace` that nothing references or holds, each
    through `discard`; then the store's stale temporaries. Returns the digests removed."""
    store = get_store()
    with db.engine.begin() as conn:
        conn.execute(delete(BlobHold).where(BlobHold.expires_at < utcnow()))
    cutoff = utcnow() - grace
    # `put` of bytes already stored restarts the blob's age, so an upload in
    # flight keeps its blob young as well as holding it.
    candidates = [info.digest for info in list(store.iter_blobs()) if info.modified_at < cutoff]
    removed = [digest for digest in candidates if discard(digest)]
    store.remove_stale_temporaries(grace)
    return removed


@click.command("cleanup-blobs")
@click.option("--grace-hours", type=float, default=24.0, show_default=True,
              help="Only blobs older than this may go (uploads in flight are younger).")
def cleanup_blobs_command(grace_hours: float) -> None:
    """Delete stored files that no feature references."""
    if grace_hours < 0:
        raise click.BadParameter("must not be negative", param_hint="--grace-hours")
    removed = cleanup(timedelta(hours=grace_hours))
    for digest in removed:
        click.echo(f"removed {digest}")
    click.echo(f"{len(removed)} orphan blob(s) removed")


def init_app(app: Flask) -> None:
    app.cli.add_command(cleanup_blobs_command)
