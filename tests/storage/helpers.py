"""Test helpers shared by the storage tests: generated streams and leftover probes."""

from __future__ import annotations

import hashlib
import io

from storage.local import LocalBlobStore

MiB = 1024 * 1024


class GeneratedStream(io.RawIOBase):
    """Deterministic pseudo-random bytes produced on demand (never all in memory).

    ``fail_after`` makes the stream raise part-way, like a dropped client
    connection during an upload.
    """

    def __init__(self, size: int, *, seed: bytes = b"seed", fail_after: int | None = None):
        self.size = size
        self.fail_after = fail_after
        self._seed = seed
        self._pos = 0
        self._block = b""
        self._block_no = -1

    def readable(self) -> bool:
        return True

    def _block_at(self, n: int) -> bytes:
        # 64 KiB blocks derived from SHAKE-256, cached one at a time.
        if n != self._block_no:
            self._block = hashlib.shake_256(self._seed + n.to_bytes(8, "big")).digest(65536)
            self._block_no = n
        return self._block

    def readinto(self, b) -> int:
        if self.fail_after is not None and self._pos >= self.fail_after:
            raise ConnectionResetError("client went away mid-upload")
        want = min(len(b), self.size - self._pos)
        if self.fail_after is not None:
            want = min(want, self.fail_after - self._pos)
        done = 0
        while done < want:
            block = self._block_at((self._pos + done) // 65536)
            off = (self._pos + done) % 65536
            take = min(want - done, 65536 - off)
            b[done:done + take] = block[off:off + take]
            done += take
        self._pos += done
        return done

    @classmethod
    def digest_of(cls, size: int, seed: bytes = b"seed") -> str:
        h = hashlib.sha256()
        s = cls(size, seed=seed)
        while chunk := s.read(MiB):
            h.update(chunk)
        return h.hexdigest()


def leftovers(store) -> list:
    """Traces of unfinished uploads a backend could have left behind."""
    if isinstance(store, LocalBlobStore):
        tmp = store.root / "tmp"
        return sorted(tmp.iterdir()) if tmp.exists() else []
    c = store.client
    uploads = c.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])
    objects = c.list_objects_v2(Bucket=store.bucket, Prefix=f"{store.prefix}tmp/").get("Contents", [])
    return [u["Key"] for u in uploads] + [o["Key"] for o in objects]


def count_calls(store, operation: str) -> list:
    """Record real boto3 calls of one S3 operation (an event hook, not a mock)."""
    calls = []
    store.client.meta.events.register(
        f"before-call.s3.{operation}", lambda **kw: calls.append(operation)
    )
    return calls
