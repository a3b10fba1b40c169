"""Assessment tables: competency frameworks, proficiency scales, rubrics,
submissions and their scores, calibration, learning plans.

Versioning: a framework or rubric is never edited once in use; a revision is a
new row with the same `key` and the next `version`. Competencies keep a stable
`identifier` (the CASE identifier when imported) across framework versions,
so mastery history follows a competency from one school year to the next
while every score still points at the exact version it used.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
                        Uuid)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models.types import UTCDateTime, new_id, utcnow

DEFAULT_LEVELS = [
    {"value": 1, "label": "Beginning", "code": "B"},
    {"value": 2, "label": "Developing", "code": "D"},
    {"value": 3, "label": "Proficient", "code": "P"},
    {"value": 4, "label": "Advanced", "code": "A"},
]


class ProficiencyScale(db.Model):
    """The organization's own levels (labels and codes), lowest first."""

    __tablename__ = "proficiency_scales"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="Proficiency scale")
    # [{"value": 1, "label": "Beginning", "code": "B"}, ...] ascending by value
    levels: Mapped[list[dict]] = mapped_column(JSON)
    # The first level that counts as proficient; below it reads "not yet proficient".
    proficient_value: Mapped[int] = mapped_column(Integer, default=3)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AssessmentSettings(db.Model):
    """Per-organization choices: mastery method, reassessment rule, graduation levels."""

    __tablename__ = "assessment_settings"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), unique=True)
    mastery_method: Mapped[str] = mapped_column(String(32), default="decaying_average")
    decay_weight: Mapped[float] = mapped_column(Float, default=0.65)
    evidence_required: Mapped[int] = mapped_column(Integer, default=3)
    # Null: mastered at the scale's proficient value.
    mastery_threshold: Mapped[float | None] = mapped_column(Float)
    reassessment_requires_new_evidence: Mapped[bool] = mapped_column(Boolean, default=False)
    # {competency identifier: required level} for the graduation snapshot;
    # domains not listed need the proficient value.
    graduation_requirements: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Framework(db.Model):
    """One version of a competency framework (a CASE CFDocument when imported)."""

    __tablename__ = "frameworks"
    __table_args__ = (UniqueConstraint("organization_id", "key", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    key: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id, index=True)  # shared by all versions
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="current")  # current | superseded
    school_year: Mapped[str | None] = mapped_column(String(9))
    title: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(8), default="manual")  # manual | case | csv
    source_identifier: Mapped[str | None] = mapped_column(String(255))
    source_uri: Mapped[str | None] = mapped_column(String(500))
    creator: Mapped[str | None] = mapped_column(String(300))
    # Overrides of the organization's mastery method for this framework.
    mastery_method: Mapped[str | None] = mapped_column(String(32))
    mastery_params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list["Competency"]] = relationship(back_populates="framework", order_by="Competency.position")


class Competency(db.Model):
    """Any node below a framework: domain, competency, measurement topic, learning target."""

    __tablename__ = "competencies"
    __table_args__ = (UniqueConstraint("framework_id", "identifier"),
                      Index("ix_competencies_org_identifier", "organization_id", "identifier"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    framework_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("frameworks.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("competencies.id"), index=True)
    # Stable across framework versions (CASE CFItem identifier when imported).
    identifier: Mapped[str] = mapped_column(String(255))
    uri: Mapped[str | None] = mapped_column(String(500))
    human_code: Mapped[str | None] = mapped_column(String(64))
    statement: Mapped[str] = mapped_column(Text)
    abbreviated_statement: Mapped[str | None] = mapped_column(String(300))
    item_type: Mapped[str | None] = mapped_column(String(64))  # Domain, Competency, Learning Target...
    subject: Mapped[str | None] = mapped_column(String(100))
    grade_levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    depth: Mapped[int] = mapped_column(Integer, default=0)

    framework: Mapped[Framework] = relationship(back_populates="items")
    parent: Mapped["Competency | None"] = relationship(remote_side=[id])

    @property
    def label(self) -> str:
        short = self.abbreviated_statement or self.statement
        return f"{self.human_code} {short}" if self.human_code else short


class CompetencyAssociation(db.Model):
    """A CASE association other than the hierarchy (precedes, isRelatedTo...).

    isChildOf is held as `Competency.parent_id`; `precedes` chains form the
    learning continuums across grade levels. A destination outside the
    framework keeps only its identifier and URI."""

    __tablename__ = "competency_associations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    framework_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("frameworks.id"), index=True)
    identifier: Mapped[str | None] = mapped_column(String(255))
    association_type: Mapped[str] = mapped_column(String(32))
    origin_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("competencies.id"), index=True)
    destination_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("competencies.id"), index=True)
    destination_identifier: Mapped[str | None] = mapped_column(String(255))
    destination_uri: Mapped[str | None] = mapped_column(String(500))
    sequence_number: Mapped[int | None] = mapped_column(Integer)


class CourseCompetency(db.Model):
    """The competencies a course addresses: the columns of its sections' dashboards."""

    __tablename__ = "course_competencies"
    __table_args__ = (UniqueConstraint("course_id", "competency_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id"), index=True)
    competency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("competencies.id"), index=True)


class Rubric(db.Model):
    """One version of a rubric; never changed once created (revise = new version)."""

    __tablename__ = "rubrics"
    __table_args__ = (UniqueConstraint("organization_id", "key", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    key: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="current")  # current | superseded
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    levels: Mapped[list["RubricLevel"]] = relationship(order_by="RubricLevel.position",
                                                       cascade="all, delete-orphan")
    criteria: Mapped[list["RubricCriterion"]] = relationship(order_by="RubricCriterion.position",
                                                             cascade="all, delete-orphan")


class RubricLevel(db.Model):
    """A column: its points and the proficiency-scale value it stands for."""

    __tablename__ = "rubric_levels"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    rubric_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rubrics.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    points: Mapped[float] = mapped_column(Float)
    proficiency_value: Mapped[int] = mapped_column(Integer)


class RubricCriterion(db.Model):
    """A row, aligned to one or more competencies (academic) or to none (habit of work)."""

    __tablename__ = "rubric_criteria"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    rubric_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rubrics.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    # academic: counts toward mastery; habit: effort, participation... reported apart.
    kind: Mapped[str] = mapped_column(String(16), default="academic")
    # One descriptor per level, in level order.
    descriptors: Mapped[list[str]] = mapped_column(JSON, default=list)

    alignments: Mapped[list["CriterionAlignment"]] = relationship(cascade="all, delete-orphan")

    @property
    def competency_ids(self) -> list[uuid.UUID]:
        return [a.competency_id for a in self.alignments]


class CriterionAlignment(db.Model):
    __tablename__ = "criterion_alignments"
    __table_args__ = (UniqueConstraint("criterion_id", "competency_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    criterion_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rubric_criteria.id"), index=True)
    competency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("competencies.id"), index=True)

    competency: Mapped[Competency] = relationship()


class Submission(db.Model):
    """Evidence a student offers toward a competency or a badge, for one section.

    `badge_class_id` references the badges feature's table (foreign key added
    in migration 0005_links, after 0004 created it). Each reassessment is a new
    row pointing at the attempt before it, so no attempt is ever lost."""

    __tablename__ = "submissions"
    # A student's submissions by status (their home page): with only the status index to pick
    # from, SQLite read every scored submission of the school.
    # The review queue (a teacher's sections, submitted): by section and status, not every
    # submitted piece of the school.
    __table_args__ = (Index("ix_submissions_student_status", "student_id", "status"),
                      Index("ix_submissions_section_status", "section_id", "status"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    student_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sections.id"), index=True)
    rubric_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rubrics.id"), index=True)
    competency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("competencies.id"))
    badge_class_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("badge_classes.id"))
    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    # submitted -> scored | returned; returned/scored -> a new attempt
    status: Mapped[str] = mapped_column(String(16), default="submitted", index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("submissions.id"))
    return_feedback: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    evidence: Mapped[list["SubmissionEvidence"]] = relationship(cascade="all, delete-orphan")
    rubric: Mapped[Rubric] = relationship()


class SubmissionEvidence(db.Model):
    __tablename__ = "submission_evidence"
    __table_args__ = (UniqueConstraint("submission_id", "artifact_version_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    submission_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("submissions.id"), index=True)
    artifact_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("artifact_versions.id"), index=True)


class Assessment(db.Model):
    """One teacher's scoring of a submission with one rubric version.

    kind "official" counts toward mastery; "calibration" is a blind moderation
    score and never does."""

    __tablename__ = "assessments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    submission_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("submissions.id"), index=True)
    assessor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    rubric_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rubrics.id"))
    kind: Mapped[str] = mapped_column(String(16), default="official")
    calibration_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("calibration_sessions.id"), index=True)
    feedback: Mapped[str | None] = mapped_column(Text)
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    scores: Mapped[list["CriterionScore"]] = relationship(cascade="all, delete-orphan")
    submission: Mapped[Submission] = relationship()


class CriterionScore(db.Model):
    __tablename__ = "criterion_scores"
    __table_args__ = (UniqueConstraint("assessment_id", "criterion_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessments.id"), index=True)
    criterion_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rubric_criteria.id"), index=True)
    level_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rubric_levels.id"))
    # Copied from the level so reports never depend on rubric joins.
    points: Mapped[float] = mapped_column(Float)
    level_value: Mapped[int] = mapped_column(Integer)
    feedback: Mapped[str | None] = mapped_column(Text)


class CalibrationSession(db.Model):
    """The same work sent to several teachers for blind scoring."""

    __tablename__ = "calibration_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    rubric_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rubrics.id"))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rubric: Mapped[Rubric] = relationship()
    items: Mapped[list["CalibrationItem"]] = relationship(cascade="all, delete-orphan")
    raters: Mapped[list["CalibrationRater"]] = relationship(cascade="all, delete-orphan")


class CalibrationItem(db.Model):
    __tablename__ = "calibration_items"
    __table_args__ = (UniqueConstraint("session_id", "submission_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calibration_sessions.id"), index=True)
    submission_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("submissions.id"))


class CalibrationRater(db.Model):
    __tablename__ = "calibration_raters"
    __table_args__ = (UniqueConstraint("session_id", "rater_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calibration_sessions.id"), index=True)
    rater_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)


class LearningPlan(db.Model):
    __tablename__ = "learning_plans"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    student_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    goals: Mapped[list["PlanGoal"]] = relationship(order_by="PlanGoal.target_date", cascade="all, delete-orphan")
    comments: Mapped[list["PlanComment"]] = relationship(order_by="PlanComment.created_at",
                                                         cascade="all, delete-orphan")


class PlanGoal(db.Model):
    """A competency or badge to reach by a date."""

    __tablename__ = "plan_goals"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("learning_plans.id"), index=True)
    competency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("competencies.id"))
    badge_class_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("badge_classes.id"))
    description: Mapped[str | None] = mapped_column(Text)
    target_date: Mapped[date | None] = mapped_column(Date)
    planned_evidence: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    competency: Mapped[Competency | None] = relationship()


class PlanComment(db.Model):
    __tablename__ = "plan_comments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("learning_plans.id"), index=True)
    goal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("plan_goals.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MasteryState(db.Model):
    """A student's current mastery of one competency (one row per pair with
    evidence), as `progress.mastery_table` would calculate it now.

    Derived data: `mastery_store` rewrites a student's rows from the official
    scores when a score commits, and rebuilds the organization when its
    mastery settings or frameworks change, so heatmaps read a few rows instead
    of recomputing every student's scores per request."""

    __tablename__ = "mastery_states"
    __table_args__ = (UniqueConstraint("student_id", "competency_id"),
                      Index("ix_mastery_states_org_competency", "organization_id", "competency_id"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    student_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    competency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("competencies.id"))
    level: Mapped[float] = mapped_column(Float)
    mastered: Mapped[bool] = mapped_column(Boolean)
    evidence_count: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(32))
    # When the latest piece of evidence counted here was scored.
    evidence_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MasteryInterval(db.Model):
    """A span during which a student had mastered a competency (open while
    still mastered). Most pairs have one; a later low score can end a span and
    a later high one start another. Reports count the spans that cover each
    month end (proficiency) and the first span's start (pace)."""

    __tablename__ = "mastery_intervals"
    __table_args__ = (Index("ix_mastery_intervals_student_competency", "student_id", "competency_id"),
                      # Covering: the reports' pace count reads this index alone (0013_mastery).
                      Index("ix_mastery_intervals_org_first_cover", "organization_id", "first", "mastered_from",
                            "student_id", "competency_id"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    student_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    competency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("competencies.id"))
    mastered_from: Mapped[datetime] = mapped_column(UTCDateTime)
    mastered_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The pair's earliest span: its start is when the competency was first mastered.
    first: Mapped[bool] = mapped_column(Boolean)


class MasteryStateBuild(db.Model):
    """Marks an organization whose mastery states are complete (built once,
    then kept current on every change)."""

    __tablename__ = "mastery_state_builds"

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
