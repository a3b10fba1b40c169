"""Badge tables: issuer signing keys, badge classes (OB 3.0 Achievements),
awarded credentials, and Bitstring Status Lists.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, Uuid
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Organization, Person
from ..models.types import UTCDateTime, new_id, utcnow


class IssuerKey(db.Model):
    """One signing key of an organization.

    The private key is stored only wrapped with KEY_ENCRYPTION_KEY
    (openbadges.keys: AES-256-GCM). Retired keys stay published in the DID
    document and JWKS so credentials signed before a rotation still verify.
    """

    __tablename__ = "issuer_keys"
    __table_args__ = (UniqueConstraint("organization_id", "key_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    # JOSE algorithm: EdDSA (Data Integrity eddsa-rdfc-2022, and JWT), RS256 or ES256 (VC-JWT).
    algorithm: Mapped[str] = mapped_column(String(8))
    # The fragment of the verification method / the JWK `kid` suffix, e.g. "key-3".
    key_id: Mapped[str] = mapped_column(String(64))
    public_jwk: Mapped[dict] = mapped_column(JSON)
    # Multikey (z6Mk...) for Ed25519 keys; null for RSA / P-256.
    public_key_multibase: Mapped[str | None] = mapped_column(String(128))
    wrapped_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)  # active | retired
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()


class BadgeClass(db.Model):
    """What a badge certifies: an OB 3.0 Achievement plus the rule that awards it."""

    __tablename__ = "badge_classes"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # OB 3.0 achievementType vocabulary (Badge, Competency, Certificate, ...).
    achievement_type: Mapped[str] = mapped_column(String(64), default="Badge")
    criteria_narrative: Mapped[str] = mapped_column(Text)
    # The badge image in the artifact store (PNG or SVG); null -> generated image.
    image_digest: Mapped[str | None] = mapped_column(String(64))
    image_mime_type: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[list] = mapped_column(JSON, default=list)
    # [{"targetName", "targetUrl", "targetCode", "targetFramework", "targetType", "competency_id"}]
    alignments: Mapped[list] = mapped_column(JSON, default=list)
    # OB 3.0 ResultDescription list derived from the rubric's proficiency levels.
    result_descriptions: Mapped[list] = mapped_column(JSON, default=list)
    # The machine rule, e.g. {"all": [{"competency_id": "...", "min_level": 3}]} or
    # {"all": [{"rubric_criterion_id": "...", "min_level": 3}]}; null -> manual only.
    rule: Mapped[dict | None] = mapped_column(JSON)
    # auto: issue as soon as the rule holds; approval: queue for a teacher.
    issue_mode: Mapped[str] = mapped_column(String(16), default="approval")
    validity_days: Mapped[int | None] = mapped_column(Integer)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()


class Award(db.Model):
    """One badge for one student: the signed credential and its life cycle.

    `award_key` makes issuance idempotent: retries, concurrent requests and
    resumed bulk jobs all compute the same key, and the unique constraint lets
    only one row in.
    """

    __tablename__ = "awards"
    # The awards list (API and pages) pages through an organization's awards newest first.
    # Home pages count an organization's awards by status (pending, valid) from the index alone.
    __table_args__ = (Index("ix_awards_org_created", "organization_id", "created_at"),
                      Index("ix_awards_org_status", "organization_id", "status"),
                      # A person's valid badges (their home page), not every valid award of the school.
                      Index("ix_awards_recipient_status", "recipient_id", "status"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    badge_class_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("badge_classes.id"), index=True)
    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    award_key: Mapped[str] = mapped_column(String(200), unique=True)
    # pending_approval -> issued -> revoked | suspended (suspended -> issued again)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # How it came about: auto (rule), manual (teacher), bulk (job id in detail).
    source: Mapped[str] = mapped_column(String(16))
    awarded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    # What justified it: artifact versions with digests and rubric results.
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    results: Mapped[list] = mapped_column(JSON, default=list)
    # The signed OB 3.0 credential (Data Integrity eddsa-rdfc-2022) and its VC-JWT twin.
    credential: Mapped[dict | None] = mapped_column(JSON)
    credential_jwt: Mapped[str | None] = mapped_column(Text)
    signing_key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("issuer_keys.id"))
    # Which evidence the earner shows on the public badge page (artifact version ids).
    shared_evidence: Mapped[list] = mapped_column(JSON, default=list)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_reason: Mapped[str | None] = mapped_column(Text)
    # A revocation or suspension reason is private (issuer, earner) unless the
    # issuer chose to publish it on public pages and documents.
    status_reason_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    badge_class: Mapped[BadgeClass] = relationship()
    recipient: Mapped[Person] = relationship(foreign_keys=[recipient_id])
    status_entries: Mapped[list["StatusListEntry"]] = relationship(back_populates="award")


class StatusList(db.Model):
    """A W3C Bitstring Status List of one organization and purpose.

    The bits live here; the signed BitstringStatusListCredential is re-signed
    and cached in `credential` whenever a bit changes (`version` increments).
    """

    __tablename__ = "status_lists"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # revocation | suspension
    size: Mapped[int] = mapped_column(Integer)
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    # Indexes are handed out in a shuffled order (herd privacy); this counts them.
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)
    credential: Mapped[dict | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatusListEntry(db.Model):
    """Which bit of which list belongs to an award."""

    __tablename__ = "status_list_entries"
    __table_args__ = (UniqueConstraint("status_list_id", "status_index"),
                      UniqueConstraint("award_id", "status_list_id"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    status_list_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("status_lists.id"), index=True)
    award_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("awards.id"), index=True)
    status_index: Mapped[int] = mapped_column(Integer)

    award: Mapped[Award] = relationship(back_populates="status_entries")
    status_list: Mapped[StatusList] = relationship()
