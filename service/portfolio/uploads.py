"""Receiving an upload safely: the bytes reach the blob store, their type is
decided from their content, and only then may a row refer to them.

Nothing here touches the database. The caller commits the version row only
after `receive_upload` returned, so a refused, failed or interrupted upload
never leaves a row; at worst it leaves an unreferenced blob, which
`cleanup-blobs` removes after a grace period. The caller says what happens
around the store through two callbacks: `on_stored(digest)` once the bytes are
in the store, and `discard(digest)` for bytes refused after they were stored.

Two routes, one contract:
* Local store: the request body is streamed once into the store (hashing on
  the way), then inspected in place (a local blob opens as a seekable file).
  Refused bytes are handed to `discard`: blobs are shared by content, so
  whether they may go is decided by who else uses them (service/blobstore.py),
  never by who wrote them.
* Other stores (S3): the body is spooled to a temporary file and inspected
  there first, so a refused upload never reaches the bucket at all.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from storage import BlobStore, BlobTooLarge, StorageError
from storage.local import LocalBlobStore

from .inspection import Inspection, Limits, UploadRejected, inspect_upload, safe_filename

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ReceivedUpload:
    """An inspected upload, safely in the blob store."""

    digest: str
    size: int
    inspection: Inspection
    original_filename: str | None
    filename: str  # sanitised, with an extension that matches the content


class StoredBlobMismatch(StorageError):
    """The store reports other bytes than we sent it."""


class _Counting:
    """Counts what the store reads, to check the store's report against it."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        self.count += len(data)
        return data


def _nothing(digest: str) -> None:
    return None


def receive_upload(store: BlobStore, stream: BinaryIO, filename: str | None, *, max_bytes: int,
                   tmp_dir: str | None = None, on_stored: Callable[[str], object] = _nothing,
                   discard: Callable[[str], object] = _nothing) -> ReceivedUpload:
    """Store and inspect `stream`; raises UploadRejected or StorageError.

    `on_stored(digest)` is called as soon as the bytes are in the store;
    `discard(digest)` with bytes that were stored and then refused (the
    default keeps them for `cleanup-blobs`)."""
    if isinstance(store, LocalBlobStore):
        return _store_then_inspect(store, stream, filename, max_bytes, on_stored, discard)
    return _spool_inspect_then_store(store, stream, filename, max_bytes, tmp_dir, on_stored)


def _limits(max_bytes: int) -> Limits:
    return Limits(max_bytes=max_bytes)


def _result(digest, size, inspection, filename) -> ReceivedUpload:
    return ReceivedUpload(digest, size, inspection, filename[:255] if filename else None,
                          safe_filename(filename, inspection))


def _put_verified(store: BlobStore, stream: BinaryIO, max_bytes: int):
    counting = _Counting(stream)
    try:
        blob = store.put(counting, max_bytes=max_bytes)
    except BlobTooLarge:
        raise UploadRejected("too_large", f"the upload is larger than the limit of {max_bytes} bytes") from None
    if blob.size != counting.count or store.size(blob.digest) != blob.size:
        raise StoredBlobMismatch(f"sent {counting.count} bytes; the store holds {blob.size} under {blob.digest}")
    return blob


def _store_then_inspect(store: LocalBlobStore, stream, filename, max_bytes, on_stored, discard) -> ReceivedUpload:
    blob = _put_verified(store, stream, max_bytes)
    on_stored(blob.digest)
    try:
        if blob.size == 0:
            raise UploadRejected("empty_file", "the upload is empty")
        with store.open(blob.digest) as stored:
            inspection = inspect_upload(stored, filename, limits=_limits(max_bytes))
    except BaseException:
        discard(blob.digest)
        raise
    return _result(blob.digest, blob.size, inspection, filename)


def _spool_inspect_then_store(store, stream, filename, max_bytes, tmp_dir, on_stored) -> ReceivedUpload:
    if tmp_dir:
        os.makedirs(tmp_dir, exist_ok=True)
    with tempfile.TemporaryFile(dir=tmp_dir, prefix="upload-") as spool:
        size = _spool(stream, spool, max_bytes)
        if size == 0:
            raise UploadRejected("empty_file", "the upload is empty")
        spool.seek(0)
        inspection = inspect_upload(spool, filename, limits=_limits(max_bytes))
        spool.seek(0)
        blob = _put_verified(store, spool, size)
        on_stored(blob.digest)
    return _result(blob.digest, blob.size, inspection, filename)


def _spool(source: BinaryIO, target: BinaryIO, max_bytes: int) -> int:
    size = 0
    while chunk := source.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise UploadRejected("too_large", f"the upload is larger than the limit of {max_bytes} bytes")
        target.write(chunk)
    return size


__all__ = ["ReceivedUpload", "StoredBlobMismatch", "receive_upload"]
