"""Portfolio tables: artifacts and their immutable versions, competency tags,
showcases (ordered collections) and share links."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (BigInteger, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid,
                        event, select)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models.types import UTCDateTime, new_id, utcnow

VISIBILITIES = ("private", "teachers", "link", "public")
KINDS = ("file", "link")


class Artifact(db.Model):
    """One piece of a student's work: a file or a link, with its history."""

    __tablename__ = "artifacts"
    __table_args__ = (CheckConstraint("kind IN ('file', 'link')", name="kind"),
                      CheckConstraint("visibility IN ('private', 'teachers', 'link', 'public')", name="visibility"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    reflection: Mapped[str | None] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(16), default="private")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    versions: Mapped[list["ArtifactVersion"]] = relationship(
        back_populates="artifact", order_by="ArtifactVersion.number", cascade="all, delete-orphan")
    tags: Mapped[list["CompetencyTag"]] = relationship(
        order_by="CompetencyTag.competency_ref", cascade="all, delete-orphan")

    @property
    def current_version(self) -> "ArtifactVersion | None":
        return self.versions[-1] if self.versions else None

    @property
    def is_locked(self) -> bool:
        return any(v.locked_at is not None for v in self.versions)


class ArtifactVersion(db.Model):
    """An immutable snapshot: the bytes (by SHA-256 digest) or the URL.

    Once locked (evidence for a score or a credential) a version can never be
    changed or deleted; the ORM listeners below enforce it for every caller.
    """

    __tablename__ = "artifact_versions"
    __table_args__ = (UniqueConstraint("artifact_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    artifact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("artifacts.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    blob_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    size: Mapped[int | None] = mapped_column(BigInteger)
    mime_type: Mapped[str | None] = mapped_column(String(120))
    # True when the content must never be rendered inline (SVG, PDF with scripts).
    active_content: Mapped[bool] = mapped_column(default=False)
    original_filename: Mapped[str | None] = mapped_column(String(255))
    filename: Mapped[str | None] = mapped_column(String(255))  # sanitised, used for downloads
    url: Mapped[str | None] = mapped_column(String(2000))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_reason: Mapped[str | None] = mapped_column(String(200))

    artifact: Mapped[Artifact] = relationship(back_populates="versions")


class VersionLocked(RuntimeError):
    """A locked artifact version was about to be changed or deleted."""


def _was_locked(connection, target) -> bool:
    # Ask the database, not the session: the in-memory value may be unloaded or already changed.
    table = ArtifactVersion.__table__
    return connection.scalar(select(table.c.locked_at).where(table.c.id == target.id)) is not None


@event.listens_for(ArtifactVersion, "before_update")
def _refuse_locked_update(mapper, connection, target):
    if _was_locked(connection, target):
        raise VersionLocked(f"version {target.number} is locked ({target.locked_reason}) and cannot change")


@event.listens_for(ArtifactVersion, "before_delete")
def _refuse_locked_delete(mapper, connection, target):
    if _was_locked(connection, target):
        raise VersionLocked(f"version {target.number} is locked ({target.locked_reason}) and cannot be deleted")


class CompetencyTag(db.Model):
    """An artifact tagged with a competency it demonstrates.

    `competency_ref` is a stable string id: the assessment feature's
    competencies did not exist when this table was made.
    """

    __tablename__ = "artifact_competency_tags"
    __table_args__ = (UniqueConstraint("artifact_id", "competency_ref"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    artifact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("artifacts.id"), index=True)
    competency_ref: Mapped[str] = mapped_column(String(200))
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Showcase(db.Model):
    """A collection of artifacts in the order the student chose, with its own visibility."""

    __tablename__ = "showcases"
    __table_args__ = (CheckConstraint("visibility IN ('private', 'teachers', 'link', 'public')",
                                      name="visibility"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(16), default="private")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    items: Mapped[list["ShowcaseItem"]] = relationship(
        order_by="ShowcaseItem.position", cascade="all, delete-orphan")


class ShowcaseItem(db.Model):
    __tablename__ = "showcase_items"
    __table_args__ = (UniqueConstraint("showcase_id", "artifact_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    showcase_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("showcases.id"), index=True)
    artifact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("artifacts.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    artifact: Mapped[Artifact] = relationship()


class ShareLink(db.Model):
    """An unguessable, expiring, revocable link to one artifact or showcase.

    Only the SHA-256 of the token is stored (the token has 256 bits of
    entropy, so an unsalted hash is enough and can be looked up by index).
    """

    __tablename__ = "share_links"
    __table_args__ = (CheckConstraint("(artifact_id IS NULL) <> (showcase_id IS NULL)", name="one_target"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    artifact_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("artifacts.id"), index=True)
    showcase_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("showcases.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    artifact: Mapped[Artifact | None] = relationship()
    showcase: Mapped[Showcase | None] = relationship()
