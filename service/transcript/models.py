"""Transcript tables: versioned credit policies, the school profile, issued
transcripts (immutable once issued) and their expiring share links."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Person
from ..models.types import UTCDateTime, new_id, utcnow


class CreditPolicy(db.Model):
    """One version of an organization's credit translation rules (policy.Rules JSON).

    A version is immutable once a transcript used it (`used_at` set): changing
    the rules then makes the next version. Published at a public URL."""

    __tablename__ = "credit_policies"
    __table_args__ = (UniqueConstraint("organization_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    rules: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SchoolProfile(db.Model):
    """What a college needs to read a transcript: who the school is and how it grades."""

    __tablename__ = "school_profiles"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), unique=True)
    address: Mapped[str | None] = mapped_column(Text)
    school_code: Mapped[str | None] = mapped_column(String(32))  # CEEB or national code
    accreditation: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)
    size: Mapped[str | None] = mapped_column(String(200))
    grading: Mapped[str | None] = mapped_column(Text)  # the school's own words on its scale and grading
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Transcript(db.Model):
    """A requested, then issued (or declined) transcript of one student.

    requested -> issued -> revoked; requested -> declined. Once issued the
    signed CLR, its VC-JWT twin and the traditional view (`record`) never change."""

    __tablename__ = "transcripts"
    __table_args__ = (UniqueConstraint("status_list_id", "status_index"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    student_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    requested_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    request_note: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    policy_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("credit_policies.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    record: Mapped[dict | None] = mapped_column(JSON)  # builder output: what every view shows
    credential: Mapped[dict | None] = mapped_column(JSON)
    credential_jwt: Mapped[str | None] = mapped_column(Text)
    status_list_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("status_lists.id"))
    status_index: Mapped[int | None] = mapped_column(Integer)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    student: Mapped[Person] = relationship(foreign_keys=[student_id])
    policy: Mapped[CreditPolicy | None] = relationship()


class TranscriptShare(db.Model):
    """An expiring link to one issued transcript; the token is stored hashed."""

    __tablename__ = "transcript_shares"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    transcript_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("transcripts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    transcript: Mapped[Transcript] = relationship()


class RequirementSet(db.Model):
    """A college's published admission requirements, imported as JSON (readiness.parse)."""

    __tablename__ = "admission_requirement_sets"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    requirements: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
