"""Who may delete a blob (service/blobstore.py): blobs are shared by content,
so cleanup and refused uploads delete only what no feature references and no
upload in flight holds. Runs on SQLite, and on PostgreSQL with DATABASE_URL."""
from __future__ import annotations

import hashlib
import io
import threading
import uuid

from service import blobstore
from service.extensions import db
from tests.support import badge_fixtures as bf, portfolio as samples
from tests.support.portfolio import stored_digests, upload


def _cleanup(app, hours="0"):
    result = app.test_cli_runner().invoke(args=["cleanup-blobs", "--grace-hours", hours])
    assert result.exit_code == 0, result.output
    return result.output


def test_every_blob_column_is_registered(app):
    """A column that names blobs but is not registered would be emptied by cleanup."""
    columns = [column for table in db.metadata.tables.values() for column in table.columns
               if column.name.endswith("digest") and table.name != "blob_holds"]
    registered = {(c.table.name, c.name) for c in (ref.expression for ref in blobstore.references())}
    assert {(c.table.name, c.name) for c in columns} == registered
    assert ("badge_classes", "image_digest") in registered and ("artifact_versions", "blob_digest") in registered


def test_cleanup_keeps_the_blobs_of_every_feature(app, client, factory):
    """Regression: `cleanup-blobs` deleted badge class images (badges registered no reference)."""
    from service.badges import classes

    school = factory.school()
    essay = upload(client, factory.auth(school["s1"]), samples.pdf(), "essay.pdf")
    assert essay.status_code == 201, essay.json
    essay_digest = essay.json["versions"][0]["sha256"]
    image = bf.tiny_png()
    badge = bf.badge_class(school["org"], image=image)
    store = blobstore.get_store()
    orphan = store.put(io.BytesIO(b"bytes whose row never committed")).digest

    output = _cleanup(app)

    assert f"removed {orphan}" in output and "1 orphan blob(s) removed" in output
    assert stored_digests(store) == {essay_digest, badge.image_digest}
    assert classes.image_bytes(badge) == (image, "image/png")
    assert client.get(f"/api/v1/artifacts/{essay.json['id']}/versions/1/content",
                      headers=factory.auth(school["s1"])).get_data() == samples.pdf()


def test_a_live_hold_keeps_a_blob_until_released(app, factory):
    store = blobstore.get_store()
    digest = store.put(io.BytesIO(b"an upload still in flight")).digest
    hold = blobstore.hold()
    assert not blobstore.discard(digest)  # an upload of unknown bytes is in flight: wait for cleanup
    hold.stored(digest)
    assert blobstore.is_referenced(digest) and not blobstore.discard(digest)
    assert _cleanup(app).endswith("0 orphan blob(s) removed\n")
    hold.release()
    assert not blobstore.is_referenced(digest) and blobstore.discard(digest)
    assert not store.exists(digest)


def _pausing_store(root):
    """The real local store whose first `open` (the first upload's inspection)
    waits until the test lets it go, to order two uploads deterministically."""
    from storage.local import LocalBlobStore

    class PausingStore(LocalBlobStore):
        paused, go, first = threading.Event(), threading.Event(), [True]

        def open(self, digest):
            if self.first.pop() if self.first else False:
                self.paused.set()
                assert self.go.wait(60), "the test never released the paused upload"
            return super().open(digest)

    return PausingStore(root)


def test_a_refused_upload_never_deletes_bytes_an_accepted_upload_uses(app, client, factory):
    """Regression: B (refused, type mismatch) wrote the blob first; A (the same
    bytes, accepted) reused it and committed; B's refusal then deleted it."""
    from storage.local import LocalBlobStore

    school = factory.school()
    headers = factory.auth(school["s1"])
    data = b"plain notes that claim to be a picture\n" * 50
    real = blobstore.get_store()
    assert isinstance(real, LocalBlobStore)  # only the local route stores before inspecting
    pausing = _pausing_store(real.root)
    app.extensions["blobstore"] = pausing
    refused = {}

    def upload_b():
        with app.test_client() as other:
            refused["response"] = upload(other, headers, data, "holiday.png")

    b = threading.Thread(target=upload_b)
    b.start()
    assert pausing.paused.wait(60)  # B's bytes are stored, its inspection waits
    accepted = upload(client, headers, data, "notes.txt")
    pausing.go.set()
    b.join(60)
    assert accepted.status_code == 201, accepted.json
    assert refused["response"].status_code == 422 and refused["response"].json["reason"] == "type_mismatch"
    digest = hashlib.sha256(data).hexdigest()
    assert real.exists(digest)
    content = client.get(f"/api/v1/artifacts/{accepted.json['id']}/versions/1/content", headers=headers)
    assert content.status_code == 200 and content.get_data() == data


def test_concurrent_refused_and_accepted_uploads_of_the_same_bytes(app, factory):
    """Pairs of uploads of the same bytes race, one refused and one accepted:
    every accepted version keeps its content, nothing answers 5xx, and
    refused bytes that nobody uses end up deleted (at once or by cleanup)."""
    school = factory.school()
    headers = factory.auth(school["s1"])
    pairs = 5  # 11 requests at once: within the connection pool (5 + 10 overflow) on SQLite
    payloads = [f"pair {n} {uuid.uuid4()}\n".encode() * 40 for n in range(pairs)]
    lonely = b"refused bytes nobody else sends\n" * 40
    results: dict = {}
    start = threading.Barrier(2 * pairs + 1)

    def send(key, data, filename):
        with app.test_client() as c:
            start.wait(60)
            results[key] = upload(c, headers, data, filename)

    threads = [threading.Thread(target=send, args=((n, kind), payloads[n], name))
               for n in range(pairs) for kind, name in (("refused", f"p{n}.png"), ("accepted", f"p{n}.txt"))]
    threads.append(threading.Thread(target=send, args=("lonely", lonely, "lonely.jpg")))
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    assert all(r.status_code < 500 for r in results.values()), {k: r.status_code for k, r in results.items()}
    store = blobstore.get_store()
    for n in range(pairs):
        assert results[(n, "refused")].status_code == 422
        accepted = results[(n, "accepted")]
        assert accepted.status_code == 201, accepted.json
        digest = accepted.json["versions"][0]["sha256"]
        assert store.exists(digest) and store.verify(digest), f"pair {n} lost its content"
    assert results["lonely"].status_code == 422
    _cleanup(app)
    assert not store.exists(hashlib.sha256(lonely).hexdigest())
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(blobstore.BlobHold)) == 0


def test_a_hold_goes_with_the_session_that_writes(app, factory):
    """A request writing through one session and uploading through another names
    the writing session. SQLite (one writer): the hold joins that session's
    transaction, so it never waits out the busy timeout on the request's own
    write lock; PostgreSQL: it commits on a connection of its own at once."""
    from sqlalchemy import func, select, update
    from sqlalchemy.orm import Session

    from service.models import BlobHold, Person

    school = factory.school()
    digest = blobstore.get_store().put(io.BytesIO(b"uploaded while another session writes")).digest

    def holds_seen(connection) -> int:
        return connection.scalar(select(func.count()).select_from(BlobHold))

    with Session(db.engine) as writer:
        writer.execute(update(Person).where(Person.id == school["s1"].id).values(display_name="Renamed"))
        hold = blobstore.hold(session=writer)  # SQLite: the writer holds the only write lock
        hold.stored(digest)
        assert holds_seen(writer) == 1
        with db.engine.connect() as observer:
            assert holds_seen(observer) == (0 if db.engine.dialect.name == "sqlite" else 1)
        assert not blobstore.discard(digest, hold=blobstore.hold(session=writer))  # still held by the first
        hold.release_after_transaction()
        writer.commit()
    assert hold.released
    with db.engine.connect() as observer:
        assert holds_seen(observer) == 0
    assert blobstore.discard(digest) and not blobstore.get_store().exists(digest)


def test_a_hold_taken_with_its_digest_ends_inside_the_referencing_commit(app, factory):
    """A small upload's hold names its digest from the start; on commit the hold
    row goes in the same transaction as the rows that reference the blob, on
    rollback it is released all the same."""
    from sqlalchemy import event, func, select

    from service.models import BlobHold

    store = blobstore.get_store()
    data = b"small upload, hashed before it is stored"
    digest = hashlib.sha256(data).hexdigest()
    hold = blobstore.hold(digest=digest)
    assert blobstore.is_referenced(digest)  # held before the bytes reach the store
    store.put(io.BytesIO(data))
    hold.stored(digest)  # nothing more to record
    assert not blobstore.discard(digest) and store.exists(digest)
    hold.release_after_transaction()
    statements = []
    listener = lambda conn, cur, statement, *rest: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert hold.released and any(s.startswith("DELETE FROM blob_holds") for s in statements)
    assert db.session.scalar(select(func.count()).select_from(BlobHold)) == 0

    other = blobstore.hold(digest=digest)
    other.release_after_transaction()
    db.session.execute(select(1))
    db.session.rollback()
    assert other.released
    assert db.session.scalar(select(func.count()).select_from(BlobHold)) == 0
    assert blobstore.discard(digest) and not store.exists(digest)


def test_uploads_on_either_side_of_the_in_memory_size_keep_their_bytes(app, client, factory):
    from service.portfolio.artifacts import SMALL_UPLOAD

    school = factory.school()
    headers = factory.auth(school["s1"])
    for size in (SMALL_UPLOAD, SMALL_UPLOAD + 1, 3 * SMALL_UPLOAD + 5):
        data = (b"notes on the lab, line after line\n" * (size // 34 + 1))[:size]
        response = upload(client, headers, data, "notes.txt")
        assert response.status_code == 201, response.json
        assert response.json["versions"][0]["sha256"] == hashlib.sha256(data).hexdigest()
        content = client.get(f"/api/v1/artifacts/{response.json['id']}/versions/1/content", headers=headers)
        assert content.get_data() == data
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(blobstore.BlobHold)) == 0
