"""Behaviour specific to the local filesystem backend."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from storage.local import LocalBlobStore


def test_layout_is_sharded_by_digest(tmp_path):
    store = LocalBlobStore(tmp_path)
    blob = store.put(io.BytesIO(b"hello"))
    d = hashlib.sha256(b"hello").hexdigest()
    assert blob.digest == d
    assert (tmp_path / "sha256" / d[:2] / d[2:4] / d).read_bytes() == b"hello"


def test_identical_blob_is_not_rewritten(tmp_path):
    store = LocalBlobStore(tmp_path)
    d = store.put(io.BytesIO(b"once")).digest
    path = store.path_for(d)
    os.utime(path, (1_000_000, 1_000_000))
    inode = path.stat().st_ino
    again = store.put(io.BytesIO(b"once"))
    assert not again.created
    assert path.stat().st_ino == inode  # same file, not replaced
    assert path.stat().st_mtime > 1_000_000  # but its age restarted


def test_iter_blobs_ignores_foreign_files(tmp_path):
    store = LocalBlobStore(tmp_path)
    d = store.put(io.BytesIO(b"real")).digest
    (tmp_path / "sha256" / "zz").mkdir()
    (tmp_path / "sha256" / "zz" / "notes.txt").write_text("x")
    # A valid digest filed under the wrong shard is not a blob either.
    (tmp_path / "sha256" / "zz" / ("0" * 64)).write_text("x")
    assert [i.digest for i in store.iter_blobs()] == [d]


def test_delete_tidies_empty_shards(tmp_path):
    store = LocalBlobStore(tmp_path)
    d = store.put(io.BytesIO(b"gone soon")).digest
    store.delete(d)
    assert not (tmp_path / "sha256" / d[:2]).exists()


def test_stale_temp_files_only_when_old(tmp_path):
    from datetime import timedelta

    store = LocalBlobStore(tmp_path)
    store.check()
    old = tmp_path / "tmp" / "upload-old.part"
    new = tmp_path / "tmp" / "upload-new.part"
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    os.utime(old, (1_000_000, 1_000_000))
    assert store.remove_stale_temporaries(timedelta(hours=1)) == [str(old)]
    assert new.exists() and not old.exists()


def test_default_root():
    assert LocalBlobStore().root == Path("instance/blobs")


def test_digest_is_right_for_one_chunk_and_many(tmp_path):
    """The first chunk is hashed in the caller's thread, later ones on a helper thread."""
    from storage.base import CHUNK_SIZE

    store = LocalBlobStore(tmp_path)
    for size in (0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 17):
        data = os.urandom(size)
        blob = store.put(io.BytesIO(data))
        assert (blob.digest, blob.size) == (hashlib.sha256(data).hexdigest(), size)
        assert store.open(blob.digest).read() == data
