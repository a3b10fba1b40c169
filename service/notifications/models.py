"""In-app notifications and each person's mail preference."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models.types import UTCDateTime, new_id, utcnow

KINDS = ("returned", "scored", "badge_earned", "approval_waiting")


class Notification(db.Model):
    """Something that needs a person's attention (the bell): work returned,
    a new score, a badge earned, an award waiting for approval."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_person_unread", "person_id", "read_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    # A path on this site (never an absolute URL): where the bell leads.
    url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationSetting(db.Model):
    """Per-person choice; no row means the defaults (mail on)."""

    __tablename__ = "notification_settings"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), primary_key=True)
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Kinds (KINDS in service.py) not to mail while email_enabled; the bell shows them all.
    email_muted_kinds: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
