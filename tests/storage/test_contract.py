"""The BlobStore contract, run against the local and the S3 (moto server) backend."""

from __future__ import annotations

import hashlib
import io
import tracemalloc
import urllib.request
from datetime import timedelta

import pytest

from storage import (
    BlobNotFound,
    BlobTooLarge,
    InvalidDigest,
    StorageError,
    remove_orphans,
)
from storage.local import LocalBlobStore
from storage.s3 import S3BlobStore
from tests.storage.helpers import GeneratedStream, count_calls, leftovers

MiB = 1024 * 1024


def test_round_trip(store):
    data = b"portfolio artifact \x00\xff bytes"
    blob = store.put(io.BytesIO(data))
    assert blob.digest == hashlib.sha256(data).hexdigest()
    assert blob.size == len(data) and blob.created
    assert store.exists(blob.digest)
    assert store.size(blob.digest) == len(data)
    with store.open(blob.digest) as f:
        assert f.read() == data
    assert store.verify(blob.digest)
    assert [(i.digest, i.size) for i in store.iter_blobs()] == [(blob.digest, len(data))]
    assert store.delete(blob.digest) is True
    assert not store.exists(blob.digest)
    assert store.delete(blob.digest) is False
    with pytest.raises(BlobNotFound):
        store.open(blob.digest)
    with pytest.raises(BlobNotFound):
        store.size(blob.digest)


def test_empty_blob(store):
    blob = store.put(io.BytesIO(b""))
    assert blob.digest == hashlib.sha256(b"").hexdigest() and blob.size == 0
    with store.open(blob.digest) as f:
        assert f.read() == b""


def test_same_bytes_are_stored_once(store):
    first = store.put(io.BytesIO(b"same"))
    second = store.put(io.BytesIO(b"same"))
    assert first.digest == second.digest
    assert first.created and not second.created
    assert len(list(store.iter_blobs())) == 1


@pytest.mark.parametrize("bad", ["../../etc/passwd", "A" * 64, "ab", "g" * 64, "0" * 63 + "/"])
def test_invalid_digest_is_refused(store, bad):
    for op in (store.open, store.exists, store.size, store.delete, store.verify):
        with pytest.raises(InvalidDigest):
            op(bad)


def test_large_stream_uses_bounded_memory(store):
    size = 40 * MiB
    expected = GeneratedStream.digest_of(size)
    parts = count_calls(store, "UploadPart") if isinstance(store, S3BlobStore) else None

    tracemalloc.start()
    try:
        blob = store.put(GeneratedStream(size))
        _, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        h = hashlib.sha256()
        with store.open(blob.digest) as f:
            while chunk := f.read(MiB):
                h.update(chunk)
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    print(f"\n{type(store).__name__}: {size} bytes, put peak {put_peak}, read peak {read_peak}")
    assert blob.digest == expected and blob.size == size
    assert h.hexdigest() == expected
    # Streaming means memory is bounded by a chunk / one part, not the file.
    assert put_peak < size / 4, f"put peak {put_peak} bytes for a {size}-byte stream"
    assert read_peak < size / 8, f"read peak {read_peak} bytes for a {size}-byte blob"
    if parts is not None:
        assert len(parts) == size // store.part_size  # the multipart path ran
    assert leftovers(store) == []


def test_multipart_upload_of_existing_bytes_deduplicates(store):
    size = 11 * MiB  # three S3 parts, the last one short
    first = store.put(GeneratedStream(size))
    second = store.put(GeneratedStream(size))
    assert first.digest == second.digest and not second.created
    assert len(list(store.iter_blobs())) == 1
    assert store.verify(first.digest)
    assert leftovers(store) == []


@pytest.mark.parametrize("size", [100, 12 * MiB], ids=["small", "multipart"])
def test_size_limit_stores_nothing(store, size):
    with pytest.raises(BlobTooLarge) as exc:
        store.put(GeneratedStream(size), max_bytes=size - 1)
    assert exc.value.max_bytes == size - 1
    assert list(store.iter_blobs()) == []
    assert leftovers(store) == []
    # Exactly at the limit is allowed.
    blob = store.put(GeneratedStream(size), max_bytes=size)
    assert blob.size == size


@pytest.mark.parametrize("fail_after", [1000, 7 * MiB], ids=["first-part", "multipart"])
def test_interrupted_upload_leaves_nothing(store, fail_after):
    with pytest.raises(ConnectionResetError):
        store.put(GeneratedStream(20 * MiB, fail_after=fail_after))
    assert list(store.iter_blobs()) == []
    assert leftovers(store) == []


def corrupt(store, digest: str) -> None:
    if isinstance(store, LocalBlobStore):
        path = store.path_for(digest)
        raw = bytearray(path.read_bytes())
        raw[len(raw) // 2] ^= 0x01  # flip one bit on disk
        path.write_bytes(bytes(raw))
    else:
        # Bit rot / tampering: different bytes under the digest key.
        store.client.put_object(Bucket=store.bucket, Key=store.key_for(digest), Body=b"tampered")


def test_verify_detects_corruption(store):
    blob = store.put(io.BytesIO(b"original artifact bytes" * 100))
    assert store.verify(blob.digest)
    corrupt(store, blob.digest)
    assert store.verify(blob.digest) is False


def make_stale_temporary(store) -> None:
    """What a crash mid-upload leaves behind."""
    if isinstance(store, LocalBlobStore):
        tmp = store.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        (tmp / "upload-crashed.part").write_bytes(b"half an upload")
    else:
        store.client.create_multipart_upload(Bucket=store.bucket, Key=f"{store.prefix}tmp/crashed")
        store.client.put_object(Bucket=store.bucket, Key=f"{store.prefix}tmp/completed-not-copied", Body=b"x")


@pytest.mark.parametrize("as_callable", [False, True], ids=["set", "callable"])
def test_cleanup_removes_only_old_orphans(store, as_callable, backdate):
    with backdate(store, 3600):  # written an hour ago
        old_orphan = store.put(io.BytesIO(b"old orphan")).digest
        old_kept = store.put(io.BytesIO(b"old but referenced")).digest
        refreshed = store.put(io.BytesIO(b"old, uploaded again")).digest
        make_stale_temporary(store)
    young = store.put(io.BytesIO(b"young orphan")).digest
    assert not store.put(io.BytesIO(b"old, uploaded again")).created  # restarts its age

    refs = {old_kept}
    asked = []

    def is_referenced(digest: str) -> bool:
        asked.append(digest)
        return digest in refs

    # Half an hour: far from both ages, however slow a loaded machine is.
    removed = remove_orphans(store, is_referenced if as_callable else refs, timedelta(minutes=30))

    assert removed == [old_orphan]
    assert not store.exists(old_orphan)
    assert store.exists(old_kept) and store.exists(young) and store.exists(refreshed)
    assert leftovers(store) == []
    if as_callable:
        assert young not in asked  # young blobs need no database lookup


def test_cleanup_never_removes_referenced_blobs(store):
    digests = [store.put(io.BytesIO(bytes([i]) * 10)).digest for i in range(5)]
    removed = remove_orphans(store, set(digests), timedelta(0))
    assert removed == []
    assert all(store.exists(d) for d in digests)


def test_presigned_url_forces_attachment(store):
    data = b"%PDF-1.7 pretend"
    blob = store.put(io.BytesIO(data))
    url = store.presigned_url(blob.digest, 'report "final" \u00e9t\u00e9.pdf', "application/pdf", expires=60)
    if isinstance(store, LocalBlobStore):
        assert url is None  # the app streams local blobs itself
        return
    with urllib.request.urlopen(url, timeout=10) as resp:
        body = resp.read()
        disposition = resp.headers["Content-Disposition"]
        content_type = resp.headers["Content-Type"]
    assert body == data
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''report%20%22final%22%20%C3%A9t%C3%A9.pdf" in disposition
    assert content_type == "application/pdf"


def test_check_passes_on_a_usable_store(store):
    store.check()


def test_check_fails_when_unusable(tmp_path, s3_endpoint):
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(StorageError):
        LocalBlobStore(tmp_path / "file" / "blobs").check()
    with pytest.raises(StorageError):
        S3BlobStore("no-such-bucket-here", endpoint_url=s3_endpoint).check()
