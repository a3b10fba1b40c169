"""The blob store contract shared by every backend.

Blobs are immutable byte strings addressed by the lowercase hex SHA-256 of
their content (64 characters, no prefix).  Because the address *is* the
content hash, a store never needs a separate integrity record and storing
the same bytes twice is free (deduplication).
"""

from __future__ import annotations

import abc
import concurrent.futures
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO, Iterator
from urllib.parse import quote

__all__ = [
    "CHUNK_SIZE",
    "BlobInfo",
    "BlobNotFound",
    "BlobStore",
    "BlobTooLarge",
    "InvalidDigest",
    "StorageError",
    "StoredBlob",
    "content_disposition",
    "validate_digest",
]

# Streaming granularity for reads, writes and hashing.
CHUNK_SIZE = 1024 * 1024

_DIGEST_RE = re.compile(r"\A[0-9a-f]{64}\Z")


class StorageError(Exception):
    """Base class for every error raised by a blob store."""


class BlobTooLarge(StorageError):
    """The incoming stream exceeded ``max_bytes``; nothing was stored."""

    def __init__(self, max_bytes: int):
        super().__init__(f"blob exceeds the limit of {max_bytes} bytes")
        self.max_bytes = max_bytes


class BlobNotFound(StorageError, KeyError):
    """No blob is stored under this digest."""

    def __init__(self, digest: str):
        super().__init__(digest)
        self.digest = digest

    def __str__(self) -> str:  # KeyError would repr() the argument
        return f"no blob stored under sha256 {self.digest}"


class InvalidDigest(StorageError, ValueError):
    """The string is not a lowercase hex SHA-256 digest."""


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """Result of :meth:`BlobStore.put`."""

    digest: str
    size: int
    # False when identical bytes were already stored (deduplicated).
    created: bool = True


@dataclass(frozen=True, slots=True)
class BlobInfo:
    """One entry of :meth:`BlobStore.iter_blobs`; ``modified_at`` is aware UTC."""

    digest: str
    size: int
    modified_at: datetime


def validate_digest(digest: str) -> str:
    """Return ``digest`` if it is 64 lowercase hex characters, else raise.

    Every backend calls this before building a path or key, so a digest can
    never smuggle ``../`` or a different key prefix into storage.
    """
    if not isinstance(digest, str) or not _DIGEST_RE.match(digest):
        raise InvalidDigest(f"not a lowercase hex sha256 digest: {digest!r}")
    return digest


def content_disposition(filename: str | None) -> str:
    """An RFC 6266 ``attachment`` header value for ``filename``.

    The quoted ``filename`` is an ASCII-only fallback; the exact name goes in
    ``filename*`` (RFC 5987), so no quote, backslash or control character can
    break out of the header.
    """
    if not filename:
        return "attachment"
    name = "".join(
        ch for ch in unicodedata.normalize("NFC", filename)
        if unicodedata.category(ch)[0] != "C"
    )
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r'["\\]', "_", ascii_name).strip() or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


class OverlappedSha256:
    """SHA-256 computed on a helper thread while the caller reads and writes.

    Hashing a gigabyte costs about as much CPU as receiving it; hashlib and
    file I/O both release the GIL, so hashing chunk N while chunk N+1 is read
    and written hides most of it. At most one chunk is in flight; chunks must
    not be mutated after `update` (bytes never are).

    The first chunk is hashed in the caller's thread and the helper thread
    starts with the second: most uploads are one chunk (up to 1 MiB), and
    starting and joining a thread cost them more than the hashing
    (1.5 ms of a 32 KiB upload's ~10 ms, bench/bench_load.py).
    """

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._pending: concurrent.futures.Future | None = None
        self._chunks = 0

    def update(self, chunk: bytes) -> None:
        self._chunks += 1
        if self._chunks == 1:
            self._hash.update(chunk)  # done before returning: the caller may reuse its buffer
            return
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sha256")
        if not isinstance(chunk, bytes):  # a reusable buffer could change while hashed
            chunk = bytes(chunk)
        self._wait()
        self._pending = self._pool.submit(self._hash.update, chunk)

    def hexdigest(self) -> str:
        self._wait()
        return self._hash.hexdigest()

    def _wait(self) -> None:
        if self._pending is not None:
            self._pending.result()
            self._pending = None

    def __enter__(self) -> "OverlappedSha256":
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)


def hash_stream(stream: BinaryIO) -> tuple[str, int]:
    """SHA-256 hex digest and length of everything left in ``stream``."""
    h = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK_SIZE):
        h.update(chunk)
        size += len(chunk)
    return h.hexdigest(), size


class BlobStore(abc.ABC):
    """Content-addressed, write-once blob storage.

    Implementations must make ``put`` atomic: either the complete blob is
    visible under its digest, or nothing new is visible at all.
    """

    @abc.abstractmethod
    def put(self, stream: BinaryIO, *, max_bytes: int | None = None) -> StoredBlob:
        """Store everything readable from ``stream`` and return its address.

        The stream is read in chunks and never held in memory as a whole.
        Raises :class:`BlobTooLarge` (storing nothing) once more than
        ``max_bytes`` bytes have been read.  Storing bytes that are already
        present refreshes the blob's modification time (so a fresh upload is
        protected by the orphan-cleanup grace period) but does not rewrite it.
        """

    @abc.abstractmethod
    def open(self, digest: str) -> BinaryIO:
        """A readable binary stream of the blob; the caller closes it.

        Raises :class:`BlobNotFound`.
        """

    @abc.abstractmethod
    def exists(self, digest: str) -> bool:
        """Whether a blob is stored under ``digest``."""

    @abc.abstractmethod
    def size(self, digest: str) -> int:
        """Size in bytes; raises :class:`BlobNotFound`."""

    @abc.abstractmethod
    def delete(self, digest: str) -> bool:
        """Remove the blob; returns False if it was not there."""

    @abc.abstractmethod
    def iter_blobs(self) -> Iterator[BlobInfo]:
        """Every stored blob, in no particular order."""

    @abc.abstractmethod
    def remove_stale_temporaries(self, older_than: timedelta) -> list[str]:
        """Delete leftovers of interrupted uploads older than ``older_than``.

        Returns a description (path, key or upload id) of each removed item.
        """

    @abc.abstractmethod
    def check(self) -> None:
        """Raise :class:`StorageError` if the store is not usable (readiness)."""

    def verify(self, digest: str) -> bool:
        """Re-hash the stored bytes; False means the blob is corrupt."""
        with self.open(digest) as stream:
            actual, _ = hash_stream(stream)
        return actual == digest

    def presigned_url(
        self,
        digest: str,
        filename: str | None = None,
        content_type: str = "application/octet-stream",
        *,
        expires: int = 300,
    ) -> str | None:
        """A time-limited direct download URL, or None if the backend has none.

        When a URL is returned it always forces ``Content-Disposition:
        attachment`` so a browser never renders an uploaded file inline.
        """
        return None
