"""Blob store on the local filesystem.

Layout under ``root``::

    sha256/ab/cd/abcd...   one file per blob, named by its digest
    tmp/upload-*.part      uploads in progress (same filesystem as sha256/)

A blob becomes visible only through an atomic ``os.replace`` of a fully
written and fsynced temp file, so a crash never leaves a partial blob under
its final name; at worst a ``.part`` file remains for
:meth:`LocalBlobStore.remove_stale_temporaries`.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import BinaryIO, Iterator

from .base import (
    CHUNK_SIZE,
    BlobInfo,
    OverlappedSha256,
    BlobNotFound,
    BlobStore,
    BlobTooLarge,
    StorageError,
    StoredBlob,
    validate_digest,
)

__all__ = ["LocalBlobStore"]

_TEMP_PREFIX = "upload-"
_TEMP_SUFFIX = ".part"


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class LocalBlobStore(BlobStore):
    """Content-addressed blobs in a directory tree (default ``instance/blobs``)."""

    def __init__(self, root: str | os.PathLike[str] = "instance/blobs"):
        self.root = Path(root)
        self._blobs = self.root / "sha256"
        self._tmp = self.root / "tmp"

    def __repr__(self) -> str:
        return f"LocalBlobStore({str(self.root)!r})"

    def path_for(self, digest: str) -> Path:
        """Filesystem path of a blob (whether or not it exists)."""
        validate_digest(digest)
        return self._blobs / digest[:2] / digest[2:4] / digest

    def put(self, stream: BinaryIO, *, max_bytes: int | None = None) -> StoredBlob:
        self._tmp.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX, dir=self._tmp)
        tmp_path = Path(tmp_name)
        try:
            size = 0
            with os.fdopen(fd, "wb") as out, OverlappedSha256() as h:
                while chunk := stream.read(CHUNK_SIZE):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise BlobTooLarge(max_bytes)
                    h.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
                digest = h.hexdigest()
            final = self.path_for(digest)
            if final.is_file() and final.stat().st_size == size:
                # Identical bytes already stored: keep the old file, restart its
                # grace period so orphan cleanup cannot race this new upload.
                os.utime(final)
                tmp_path.unlink()
                return StoredBlob(digest, size, created=False)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_path, final)
            _fsync_dir(final.parent)
            return StoredBlob(digest, size, created=True)
        except BaseException:
            tmp_path.unlink(missing_ok=True)
            raise

    def open(self, digest: str) -> BinaryIO:
        try:
            return open(self.path_for(digest), "rb", buffering=CHUNK_SIZE)
        except FileNotFoundError:
            raise BlobNotFound(digest) from None

    def exists(self, digest: str) -> bool:
        return self.path_for(digest).is_file()

    def size(self, digest: str) -> int:
        try:
            return self.path_for(digest).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(digest) from None

    def delete(self, digest: str) -> bool:
        path = self.path_for(digest)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        for parent in (path.parent, path.parent.parent):
            try:
                parent.rmdir()  # tidy empty shard directories
            except OSError:
                break
        return True

    def iter_blobs(self) -> Iterator[BlobInfo]:
        if not self._blobs.is_dir():
            return
        for dirpath, _dirs, files in os.walk(self._blobs):
            for name in files:
                try:
                    path = self.path_for(name)
                except ValueError:
                    continue  # not ours (e.g. an editor's backup file)
                if str(path.parent) != dirpath:
                    continue  # a digest filed under the wrong shard
                try:
                    st = path.stat()
                except FileNotFoundError:
                    continue  # deleted concurrently
                yield BlobInfo(name, st.st_size, datetime.fromtimestamp(st.st_mtime, timezone.utc))

    def remove_stale_temporaries(self, older_than: timedelta) -> list[str]:
        if not self._tmp.is_dir():
            return []
        cutoff = time.time() - older_than.total_seconds()
        removed = []
        for path in self._tmp.glob(f"{_TEMP_PREFIX}*{_TEMP_SUFFIX}"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(str(path))
            except FileNotFoundError:
                continue
        return removed

    def check(self) -> None:
        try:
            self._blobs.mkdir(parents=True, exist_ok=True)
            self._tmp.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"blob root {self.root} is not usable: {exc}") from exc
        for d in (self._blobs, self._tmp):
            if not os.access(d, os.R_OK | os.W_OK | os.X_OK):
                raise StorageError(f"blob directory {d} is not readable and writable")
