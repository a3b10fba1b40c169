"""A hold on a blob: an upload in flight that may come to reference it.

Content-addressed blobs are shared, so a blob may only be deleted when no row
references it and no upload is writing it (service/blobstore.py). `digest` is
empty while the upload's bytes are still streaming (their digest is not known
yet); such a hold keeps every deletion waiting for cleanup.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, new_id, utcnow


class BlobHold(db.Model):
    __tablename__ = "blob_holds"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    digest: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A process that died mid-upload never releases its hold; it lapses.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
