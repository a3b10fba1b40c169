"""Garbage collection of blobs that no database row references."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import AbstractSet, Callable

from .base import BlobStore

__all__ = ["remove_orphans"]


def remove_orphans(
    store: BlobStore,
    referenced: Callable[[str], bool] | AbstractSet[str],
    older_than: timedelta,
    *,
    now: datetime | None = None,
) -> list[str]:
    """Delete unreferenced blobs older than ``older_than``; return their digests.

    ``referenced`` is either a set of digests or a callable asked per digest
    (e.g. a database lookup).  A blob is deleted only if it is older than the
    grace period *and* not referenced, and the reference is checked after the
    age, immediately before the delete, to keep the race window small.  The
    grace period covers the gap between ``store.put`` and the commit of the
    row that references the blob; ``put`` of existing bytes restarts a blob's
    age for the same reason.  Stale temporaries of interrupted uploads
    (temp files, incomplete multipart uploads) older than the grace period
    are removed too.
    """
    if older_than < timedelta(0):
        raise ValueError("older_than must not be negative")
    is_referenced = referenced if callable(referenced) else referenced.__contains__
    cutoff = (now or datetime.now(timezone.utc)) - older_than
    removed = []
    # Materialise the listing first: deleting while an S3 paginator or
    # os.walk is running would be fragile.
    for info in list(store.iter_blobs()):
        if info.modified_at >= cutoff:
            continue
        if is_referenced(info.digest):
            continue
        if store.delete(info.digest):
            removed.append(info.digest)
    store.remove_stale_temporaries(older_than)
    return removed
