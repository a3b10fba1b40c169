"""Courses, sections and enrolments.

A course carries its credit value (Carnegie units) so the transcript can
translate mastery into traditional credits; a section is one group of students
with their teachers in a school year.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, new_id, utcnow


class Course(db.Model):
    __tablename__ = "courses"
    __table_args__ = (UniqueConstraint("organization_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    # Carnegie units earned when every competency of the course is mastered.
    credit_value: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("1.00"))
    # standard | honors | ap: the credit policy weights honors and AP grades (migration 0009_transcript).
    level: Mapped[str] = mapped_column(String(16), default="standard", server_default="standard")
    # The student information system's id (OneRoster sourcedId), for re-imports.
    sourced_id: Mapped[str | None] = mapped_column(String(255), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Section(db.Model):
    __tablename__ = "sections"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    course_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("courses.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    school_year: Mapped[str | None] = mapped_column(String(9))  # e.g. 2026-2027
    term: Mapped[str | None] = mapped_column(String(50))
    # The student information system's id (OneRoster class sourcedId), for re-imports.
    sourced_id: Mapped[str | None] = mapped_column(String(255), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course | None] = relationship()
    enrolments: Mapped[list["Enrolment"]] = relationship(back_populates="section", cascade="all, delete-orphan")


class Enrolment(db.Model):
    """Membership of a person in a section, as a student or as a teacher."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("section_id", "person_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sections.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # student | teacher
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    section: Mapped[Section] = relationship(back_populates="enrolments")
