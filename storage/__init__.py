"""Artifact blob storage: content-addressed, write-once, local or S3.

    store = open_store("file:///srv/blobs")          # or a plain path
    store = open_store("s3://bucket/prefix", endpoint_url=..., region_name=...)
    blob = store.put(upload_stream, max_bytes=50 * 2**20)
    with store.open(blob.digest) as f: ...

Digests are lowercase hex SHA-256 strings (64 characters).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .base import (
    BlobInfo,
    BlobNotFound,
    BlobStore,
    BlobTooLarge,
    InvalidDigest,
    StorageError,
    StoredBlob,
    content_disposition,
    validate_digest,
)
from .cleanup import remove_orphans

__all__ = [
    "BlobInfo",
    "BlobNotFound",
    "BlobStore",
    "BlobTooLarge",
    "InvalidDigest",
    "StorageError",
    "StoredBlob",
    "content_disposition",
    "open_store",
    "remove_orphans",
    "validate_digest",
]


def open_store(url: str, **options: Any) -> BlobStore:
    """Build a blob store from a URL.

    * ``file:///abs/path`` or a plain filesystem path -> :class:`~storage.local.LocalBlobStore`
      (no options accepted).
    * ``s3://bucket/optional/prefix`` -> :class:`~storage.s3.S3BlobStore`; options are
      passed through: ``endpoint_url``, ``region_name``, ``server_side_encryption``
      (default "AES256", None to disable), ``sse_kms_key_id``, ``part_size``,
      ``addressing_style``.

    Raises ValueError for an unsupported scheme or a malformed URL.
    """
    if not url or not isinstance(url, str):
        raise ValueError("a storage URL is required")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    # A one-letter scheme is a Windows drive letter ("C:\\blobs"), not a URL.
    if scheme in ("", "file") or len(scheme) == 1:
        if options:
            raise ValueError(f"local storage takes no options: {sorted(options)}")
        from .local import LocalBlobStore

        if scheme == "file":
            if parts.netloc not in ("", "localhost"):
                raise ValueError(f"file URL must be local: {url!r}")
            path = unquote(parts.path)
            if not path:
                raise ValueError(f"file URL has no path: {url!r}")
            return LocalBlobStore(Path(path))
        return LocalBlobStore(Path(url))
    if scheme == "s3":
        if not parts.netloc:
            raise ValueError(f"S3 URL needs a bucket: {url!r}")
        from .s3 import S3BlobStore

        return S3BlobStore(parts.netloc, unquote(parts.path).strip("/"), **options)
    raise ValueError(f"unsupported storage URL scheme {parts.scheme!r}")
