"""Blob store on Amazon S3 or an S3-compatible service, through boto3.

Keys under ``s3://bucket/prefix``::

    <prefix>sha256/ab/cd/abcd...   one object per blob
    <prefix>tmp/<uuid>             large uploads in progress

Upload design: the key is the content digest, which is only known once the
whole stream has been read.  A stream that fits in one part (``part_size``,
8 MiB by default) is hashed in memory and written straight to its final key.
A larger stream goes to a temporary key as a multipart upload, hashed part by
part (one part buffer in memory, reused), and is then copied server-side to
its digest key and the temporary object deleted.  A failure at any step
aborts the multipart upload / deletes the temporary object, and a crash in
between is swept up by :meth:`S3BlobStore.remove_stale_temporaries`.
Readers never see a partial object under a digest key.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, BinaryIO, Iterator

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .base import (
    CHUNK_SIZE,
    BlobInfo,
    BlobNotFound,
    BlobStore,
    BlobTooLarge,
    StorageError,
    StoredBlob,
    content_disposition,
    validate_digest,
)

__all__ = ["S3BlobStore"]

MIN_PART_SIZE = 5 * 1024 * 1024  # S3's minimum for every part but the last
MAX_PARTS = 10_000  # S3's limit per multipart upload
MAX_SINGLE_COPY = 5 * 1024**3  # CopyObject limit; larger objects copy in parts
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


class _MemoryReader(io.RawIOBase):
    """A seekable read-only view of a buffer, so a part is sent without copies."""

    def __init__(self, view: memoryview):
        self._view = view
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = min(len(b), len(self._view) - self._pos)
        b[:n] = self._view[self._pos:self._pos + n]
        self._pos += n
        return n

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos


class _BodyReader(io.RawIOBase):
    """Adapts botocore's StreamingBody to a raw stream for io.BufferedReader."""

    def __init__(self, body: Any):
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self._body.read(len(b))
        b[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


def _fill(stream: BinaryIO, view: memoryview) -> int:
    """Read from ``stream`` until ``view`` is full or the stream ends."""
    readinto = getattr(stream, "readinto", None)
    n = 0
    while n < len(view):
        if readinto is not None:
            got = readinto(view[n:]) or 0
        else:
            data = stream.read(len(view) - n)
            got = len(data)
            view[n:n + got] = data
        if got == 0:
            break
        n += got
    return n


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3BlobStore(BlobStore):
    """Content-addressed blobs in an S3 bucket.

    Credentials come from the normal boto3 chain (environment, config files,
    instance role).  ``server_side_encryption`` is sent on every write
    ("AES256" by default; "aws:kms" with ``sse_kms_key_id``; None for stores
    that do not offer it).
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        server_side_encryption: str | None = "AES256",
        sse_kms_key_id: str | None = None,
        part_size: int = 8 * 1024 * 1024,
        addressing_style: str | None = None,
        client: Any = None,
    ):
        if not bucket:
            raise ValueError("an S3 bucket name is required")
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes (S3 minimum)")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.part_size = part_size
        self._sse: dict[str, str] = {}
        if server_side_encryption:
            self._sse["ServerSideEncryption"] = server_side_encryption
            if sse_kms_key_id:
                self._sse["SSEKMSKeyId"] = sse_kms_key_id
        if client is None:
            # Path-style by default for custom endpoints: most S3-compatible
            # stores (MinIO, Ceph, moto) are not set up for bucket subdomains.
            style = addressing_style or ("path" if endpoint_url else "auto")
            client = boto3.session.Session().client(
                "s3",
                endpoint_url=endpoint_url,
                region_name=region_name,
                config=Config(
                    signature_version="s3v4",
                    s3={"addressing_style": style},
                    retries={"mode": "standard", "max_attempts": 3},
                ),
            )
        self.client = client

    # Objects above this size are copied with UploadPartCopy in parts this big.
    max_single_copy = MAX_SINGLE_COPY

    def __repr__(self) -> str:
        return f"S3BlobStore('s3://{self.bucket}/{self.prefix}')"

    # -- keys -----------------------------------------------------------------

    def key_for(self, digest: str) -> str:
        """Object key of a blob (whether or not it exists)."""
        validate_digest(digest)
        return f"{self.prefix}sha256/{digest[:2]}/{digest[2:4]}/{digest}"

    @property
    def _tmp_prefix(self) -> str:
        return f"{self.prefix}tmp/"

    # -- writes ---------------------------------------------------------------

    def put(self, stream: BinaryIO, *, max_bytes: int | None = None) -> StoredBlob:
        buf = bytearray(self.part_size)
        view = memoryview(buf)
        h = hashlib.sha256()
        n = _fill(stream, view)
        size = n
        if max_bytes is not None and size > max_bytes:
            raise BlobTooLarge(max_bytes)
        h.update(view[:n])
        if n < self.part_size:
            # The whole stream fit in one part: the digest is already known.
            digest = h.hexdigest()
            if self._refresh_if_present(digest, size):
                return StoredBlob(digest, size, created=False)
            self._call(
                self.client.put_object,
                Bucket=self.bucket, Key=self.key_for(digest), Body=_MemoryReader(view[:n]),
                ContentLength=n, ContentType="application/octet-stream", **self._sse,
            )
            return StoredBlob(digest, size, created=True)
        return self._put_multipart(stream, view, n, h, max_bytes)

    def _put_multipart(self, stream, view, n, h, max_bytes) -> StoredBlob:
        tmp_key = f"{self._tmp_prefix}{uuid.uuid4().hex}"
        upload_id = self._call(
            self.client.create_multipart_upload,
            Bucket=self.bucket, Key=tmp_key, ContentType="application/octet-stream", **self._sse,
        )["UploadId"]
        completed = False
        try:
            parts = []
            size = n
            while n:
                number = len(parts) + 1
                if number > MAX_PARTS:
                    raise StorageError(f"stream needs more than {MAX_PARTS} parts; raise part_size")
                resp = self._call(
                    self.client.upload_part,
                    Bucket=self.bucket, Key=tmp_key, UploadId=upload_id, PartNumber=number,
                    Body=_MemoryReader(view[:n]), ContentLength=n,
                )
                parts.append({"PartNumber": number, "ETag": resp["ETag"]})
                n = _fill(stream, view)
                size += n
                if max_bytes is not None and size > max_bytes:
                    raise BlobTooLarge(max_bytes)
                h.update(view[:n])
            self._call(
                self.client.complete_multipart_upload,
                Bucket=self.bucket, Key=tmp_key, UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
            completed = True
            digest = h.hexdigest()
            created = not self._refresh_if_present(digest, size)
            if created:
                self._copy(tmp_key, self.key_for(digest), size)
            return StoredBlob(digest, size, created=created)
        finally:
            # Runs on success too: the temporary object is never kept.
            try:
                if completed:
                    self.client.delete_object(Bucket=self.bucket, Key=tmp_key)
                else:
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=tmp_key, UploadId=upload_id
                    )
            except (BotoCoreError, ClientError):
                pass  # left for remove_stale_temporaries; keep the original error

    def _refresh_if_present(self, digest: str, size: int) -> bool:
        """If the blob exists, restart its age (for the cleanup grace period)."""
        key = self.key_for(digest)
        head = self._head(key)
        if head is None or head["ContentLength"] != size:
            return False
        # Copying an object onto itself with new metadata bumps LastModified
        # without sending the bytes again.
        self._copy(key, key, size)
        return True

    def _copy(self, src: str, dst: str, size: int) -> None:
        source = {"Bucket": self.bucket, "Key": src}
        meta = {"ContentType": "application/octet-stream", "MetadataDirective": "REPLACE"}
        if size <= self.max_single_copy:
            self._call(
                self.client.copy_object,
                Bucket=self.bucket, Key=dst, CopySource=source, **meta, **self._sse,
            )
            return
        upload_id = self._call(
            self.client.create_multipart_upload,
            Bucket=self.bucket, Key=dst, ContentType="application/octet-stream", **self._sse,
        )["UploadId"]
        try:
            parts = []
            for number, start in enumerate(range(0, size, self.max_single_copy), start=1):
                end = min(start + self.max_single_copy, size) - 1
                resp = self._call(
                    self.client.upload_part_copy,
                    Bucket=self.bucket, Key=dst, UploadId=upload_id, PartNumber=number,
                    CopySource=source, CopySourceRange=f"bytes={start}-{end}",
                )
                parts.append({"PartNumber": number, "ETag": resp["CopyPartResult"]["ETag"]})
            self._call(
                self.client.complete_multipart_upload,
                Bucket=self.bucket, Key=dst, UploadId=upload_id, MultipartUpload={"Parts": parts},
            )
        except BaseException:
            try:
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=dst, UploadId=upload_id)
            except (BotoCoreError, ClientError):
                pass
            raise

    # -- reads ----------------------------------------------------------------

    def open(self, digest: str) -> BinaryIO:
        try:
            resp = self.client.get_object(Bucket=self.bucket, Key=self.key_for(digest))
        except ClientError as exc:
            if _code(exc) in _NOT_FOUND:
                raise BlobNotFound(digest) from None
            raise StorageError(f"S3 get_object failed: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 get_object failed: {exc}") from exc
        return io.BufferedReader(_BodyReader(resp["Body"]), CHUNK_SIZE)

    def _head(self, key: str) -> dict | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in _NOT_FOUND:
                return None
            raise StorageError(f"S3 head_object failed: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 head_object failed: {exc}") from exc

    def exists(self, digest: str) -> bool:
        return self._head(self.key_for(digest)) is not None

    def size(self, digest: str) -> int:
        head = self._head(self.key_for(digest))
        if head is None:
            raise BlobNotFound(digest)
        return int(head["ContentLength"])

    def delete(self, digest: str) -> bool:
        key = self.key_for(digest)
        if self._head(key) is None:
            return False
        self._call(self.client.delete_object, Bucket=self.bucket, Key=key)
        return True

    def iter_blobs(self) -> Iterator[BlobInfo]:
        root = f"{self.prefix}sha256/"
        for obj in self._list_objects(root):
            digest = obj["Key"].rsplit("/", 1)[-1]
            try:
                if self.key_for(digest) != obj["Key"]:
                    continue  # misfiled or foreign object
            except ValueError:
                continue
            yield BlobInfo(digest, int(obj["Size"]), obj["LastModified"].astimezone(timezone.utc))

    def _list_objects(self, prefix: str) -> Iterator[dict]:
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                yield from page.get("Contents", [])
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"S3 list_objects_v2 failed: {exc}") from exc

    # -- maintenance ----------------------------------------------------------

    def remove_stale_temporaries(self, older_than: timedelta) -> list[str]:
        cutoff = datetime.now(timezone.utc) - older_than
        removed = []
        paginator = self.client.get_paginator("list_multipart_uploads")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for upload in page.get("Uploads", []):
                    if upload["Initiated"] < cutoff:
                        self.client.abort_multipart_upload(
                            Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                        )
                        removed.append(f"multipart:{upload['Key']}:{upload['UploadId']}")
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"S3 multipart cleanup failed: {exc}") from exc
        for obj in self._list_objects(self._tmp_prefix):
            if obj["LastModified"] < cutoff:
                self._call(self.client.delete_object, Bucket=self.bucket, Key=obj["Key"])
                removed.append(obj["Key"])
        return removed

    def check(self) -> None:
        self._call(self.client.head_bucket, Bucket=self.bucket)

    def presigned_url(
        self,
        digest: str,
        filename: str | None = None,
        content_type: str = "application/octet-stream",
        *,
        expires: int = 300,
    ) -> str:
        if not 1 <= expires <= 7 * 24 * 3600:
            raise ValueError("expires must be between 1 second and 7 days (SigV4 limit)")
        return self._call(
            self.client.generate_presigned_url,
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": self.key_for(digest),
                "ResponseContentDisposition": content_disposition(filename),
                "ResponseContentType": content_type,
            },
            ExpiresIn=expires,
        )

    @staticmethod
    def _call(fn, *args, **kwargs):
        """Run a boto3 call, turning transport/service errors into StorageError."""
        try:
            return fn(*args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"S3 {getattr(fn, '__name__', 'call')} failed: {exc}") from exc
