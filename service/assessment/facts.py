"""Assessment's read API for other features (badges builds its rules on it).

Plain values only, never assessment's models, so callers do not depend on
assessment's tables: a student's level on a competency (the organization's
mastery method) or on a rubric criterion (the latest official score), the
official criterion scores behind a set of competencies, criteria or artifact
versions, the artifact versions of submissions, whether a version has been
scored, a rubric's outline, and a competency by its identifier; for the
transcript: the organization's scale, method and graduation requirements, a
student's competencies with their evidence and levels, domain levels, habits
of work, and the competencies of a course (with the one write its course admin
makes: which competencies a course covers).
Calibration (blind) scores never appear here.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ..extensions import db
from .mastery import Evidence, MasteryConfig, calculate
from .models import (
    Assessment,
    Competency,
    CourseCompetency,
    CriterionAlignment,
    CriterionScore,
    Framework,
    Rubric,
    RubricCriterion,
    RubricLevel,
    Submission,
    SubmissionEvidence,
)

__all__ = ["CompetencyOption", "CompetencyRecord", "CriterionFact", "Scale", "competency_by_identifier",
           "competency_level", "competency_levels", "course_competency_ids", "criterion_level", "criterion_scores",
           "current_competencies", "current_rubrics", "domain_levels", "graduation_requirements", "habits",
           "is_scored", "known_competencies", "mastery_method", "scale", "scored_versions", "rubric_outline",
           "rule_targets", "set_course_competencies", "student_competencies", "submission_versions"]


@dataclass(frozen=True)
class CriterionFact:
    """One official score on one rubric criterion."""

    criterion_id: uuid.UUID
    criterion_title: str | None
    level_id: uuid.UUID
    level_label: str | None
    level_value: int
    submission_id: uuid.UUID
    assessed_at: datetime


def competency_level(student_id: uuid.UUID, competency_id: uuid.UUID) -> float | None:
    """The student's mastery level; None without evidence or when the competency is gone.
    From the stored state when it is current (`mastery_store.stored_level`), else live."""
    from .mastery_store import stored_level
    from .progress import mastery_for

    stored, level = stored_level(student_id, competency_id)
    if stored:
        return level

    try:
        result = mastery_for(student_id, competency_id)
    except LookupError:
        return None
    return None if result.level is None else float(result.level)


def competency_levels(student_ids: Iterable[uuid.UUID], competency_id: uuid.UUID) -> dict:
    """`competency_level` for many students (a few queries per 500 students)."""
    from .progress import mastery_table

    student_ids = list(student_ids)
    competency = db.session.get(Competency, competency_id)
    if competency is None:
        return dict.fromkeys(student_ids)
    out = {}
    for start in range(0, len(student_ids), 500):
        chunk = student_ids[start:start + 500]
        table = mastery_table(chunk, [competency])
        for sid in chunk:
            level = table[(sid, competency.id)].level
            out[sid] = None if level is None else float(level)
    return out


def criterion_level(student_id: uuid.UUID, criterion_id: uuid.UUID) -> float | None:
    """The level of the student's most recent official score on the criterion."""
    row = db.session.execute(
        db.select(CriterionScore.level_value).join(Assessment).join(Submission)
        .where(Submission.student_id == student_id, Assessment.kind == "official",
               CriterionScore.criterion_id == criterion_id)
        .order_by(Assessment.assessed_at.desc()).limit(1)).first()
    return None if row is None else float(row[0])


def criterion_scores(student_id: uuid.UUID, *, criterion_ids: Iterable[uuid.UUID] = (),
                     competency_ids: Iterable[uuid.UUID] = (), version_ids: Iterable[uuid.UUID] = ()
                     ) -> list[CriterionFact]:
    """The student's official scores on these criteria, on criteria aligned to
    these competencies, or in submissions of these artifact versions; oldest first."""
    wanted = []
    if criterion_ids:
        wanted.append(CriterionScore.criterion_id.in_(list(criterion_ids)))
    if competency_ids:
        wanted.append(CriterionScore.criterion_id.in_(db.select(CriterionAlignment.criterion_id).where(
            CriterionAlignment.competency_id.in_(list(competency_ids)))))
    if version_ids:
        wanted.append(Submission.id.in_(db.select(SubmissionEvidence.submission_id).where(
            SubmissionEvidence.artifact_version_id.in_(list(version_ids)))))
    if not wanted:
        return []
    rows = db.session.execute(
        db.select(CriterionScore, Assessment.assessed_at, Submission.id, RubricCriterion.title, RubricLevel.label)
        .join(Assessment, Assessment.id == CriterionScore.assessment_id)
        .join(Submission, Submission.id == Assessment.submission_id)
        .outerjoin(RubricCriterion, RubricCriterion.id == CriterionScore.criterion_id)
        .outerjoin(RubricLevel, RubricLevel.id == CriterionScore.level_id)
        .where(Submission.student_id == student_id, Assessment.kind == "official", db.or_(*wanted))
        .order_by(Assessment.assessed_at, CriterionScore.id)).all()
    return [CriterionFact(score.criterion_id, title, score.level_id, label, score.level_value, submission_id,
                          assessed_at)
            for score, assessed_at, submission_id, title, label in rows]


def submission_versions(submission_ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """The artifact versions submitted, in submission order, each once."""
    submission_ids = list(submission_ids)
    if not submission_ids:
        return []
    rows = db.session.scalars(db.select(SubmissionEvidence.artifact_version_id).where(
        SubmissionEvidence.submission_id.in_(submission_ids)).order_by(SubmissionEvidence.id))
    return list(dict.fromkeys(rows))


def scored_versions(student_id: uuid.UUID) -> list[tuple[uuid.UUID, str, datetime]]:
    """(artifact version, submission title, last scored) of each version of the student's
    officially scored submissions, most recently scored first: what a badge may cite."""
    rows = db.session.execute(
        db.select(SubmissionEvidence.artifact_version_id, Submission.title, db.func.max(Assessment.assessed_at))
        .join(Submission, Submission.id == SubmissionEvidence.submission_id)
        .join(Assessment, Assessment.submission_id == Submission.id)
        .where(Submission.student_id == student_id, Assessment.kind == "official")
        .group_by(SubmissionEvidence.artifact_version_id, Submission.title)
        .order_by(db.func.max(Assessment.assessed_at).desc())).all()
    seen: dict[uuid.UUID, tuple[uuid.UUID, str, datetime]] = {}
    for version_id, title, scored_at in rows:
        seen.setdefault(version_id, (version_id, title, scored_at))
    return list(seen.values())


def is_scored(artifact_version_id: uuid.UUID) -> bool:
    """Whether the version is evidence in an officially scored submission."""
    return db.session.scalar(db.select(Assessment.id).join(Submission).join(
        SubmissionEvidence, SubmissionEvidence.submission_id == Submission.id).where(
        SubmissionEvidence.artifact_version_id == artifact_version_id,
        Assessment.kind == "official").limit(1)) is not None


def rubric_outline(rubric_id: uuid.UUID, organization_id: uuid.UUID) -> list[dict] | None:
    """A rubric's academic criteria with its levels, [{id, name, levels: [{id, name, points}]}];
    None unless it is a rubric of that organization."""
    rubric = db.session.get(Rubric, rubric_id)
    if rubric is None or rubric.organization_id != organization_id:
        return None
    levels = [{"id": str(lv.id), "name": lv.label, "points": lv.points} for lv in rubric.levels]
    return [{"id": str(c.id), "name": c.title, "levels": levels} for c in rubric.criteria if c.kind == "academic"]


def rule_targets(organization_id: uuid.UUID) -> list[tuple[str, str]]:
    """What a badge rule can name, as (value, label): current competencies
    ("competency:<id>"), then academic criteria of current rubrics ("criterion:<id>")."""
    options = []
    for c in db.session.scalars(db.select(Competency).join(Framework).where(
            Framework.organization_id == organization_id, Framework.status == "current")
            .order_by(Framework.title, Competency.position)):
        label = c.abbreviated_statement or c.statement
        options.append((f"competency:{c.id}", f"Competency {c.human_code or ''} {label}"[:160]))
    for crit, rubric in db.session.execute(db.select(RubricCriterion, Rubric).join(Rubric).where(
            Rubric.organization_id == organization_id, Rubric.status == "current",
            RubricCriterion.kind == "academic").order_by(Rubric.title, RubricCriterion.position)):
        options.append((f"criterion:{crit.id}", f"Rubric “{rubric.title}”: {crit.title}"[:160]))
    return options


def current_rubrics(organization_id: uuid.UUID) -> list[tuple[str, str]]:
    """The organization's current rubrics as (id, "title (version n)")."""
    return [(str(r.id), f"{r.title} (version {r.version})") for r in db.session.scalars(
        db.select(Rubric).where(Rubric.organization_id == organization_id, Rubric.status == "current")
        .order_by(Rubric.title))]


def competency_by_identifier(organization_id: uuid.UUID, identifier: str) -> uuid.UUID | None:
    return db.session.scalar(db.select(Competency.id).where(
        Competency.organization_id == organization_id, Competency.identifier == identifier).limit(1))


# -- for the transcript ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Scale:
    """The organization's proficiency scale: levels are [{value, label, ...}]."""

    name: str
    levels: list[dict]
    proficient_value: int


def scale(organization_id: uuid.UUID) -> Scale:
    from .settings import scale_for

    row = scale_for(organization_id)
    return Scale(row.name, [dict(level) for level in row.levels], row.proficient_value)


def graduation_requirements(organization_id: uuid.UUID) -> dict:
    """{competency identifier: minimum level} the organization set for graduation."""
    from .settings import settings_for

    return dict(settings_for(organization_id).graduation_requirements or {})


def mastery_method(organization_id: uuid.UUID) -> MasteryConfig:
    """The organization's mastery method (mastery.py's plain config)."""
    from .settings import mastery_config

    return mastery_config(organization_id)


def habits(student_id: uuid.UUID) -> list[dict]:
    """Official habits-of-work scores: {criterion, level, assessed_at, submission_title}."""
    from .progress import habits_for

    return habits_for(student_id)


@dataclass(frozen=True)
class CompetencyRecord:
    """One competency as a transcript lists it, with the student's evidence and level."""

    id: uuid.UUID
    identifier: str
    framework_id: uuid.UUID
    statement: str
    code: str | None
    uri: str | None
    subject: str | None                  # the competency's, else its framework's
    framework: str | None
    framework_uri: str | None
    level: float | None
    label: str | None                    # the scale label of the level reached
    evidence: list[Evidence]


def _scored_competencies(student_id: uuid.UUID) -> list[Competency]:
    ids = db.select(CriterionAlignment.competency_id).join(
        CriterionScore, CriterionScore.criterion_id == CriterionAlignment.criterion_id).join(
        Assessment, Assessment.id == CriterionScore.assessment_id).join(
        Submission, Submission.id == Assessment.submission_id).where(
        Submission.student_id == student_id, Assessment.kind == "official")
    return list(db.session.scalars(db.select(Competency).where(Competency.id.in_(ids))))


def student_competencies(student_id: uuid.UUID, organization_id: uuid.UUID, course_ids: list[uuid.UUID]
                         ) -> tuple[dict[uuid.UUID, list[str]], list[CompetencyRecord]]:
    """({course id: identifiers of its competencies}, the courses' competencies plus any the
    student has official scores on, by (identifier, framework), each with its mastery)."""
    from .progress import evidence_table
    from .settings import level_label, scale_for

    links = db.session.execute(db.select(CourseCompetency.course_id, Competency).join(
        Competency, Competency.id == CourseCompetency.competency_id)
        .where(CourseCompetency.course_id.in_(course_ids))).all() if course_ids else []
    by_course: dict[uuid.UUID, list[str]] = {}
    competencies: dict[uuid.UUID, Competency] = {}
    for course_id, competency in links:
        by_course.setdefault(course_id, []).append(competency.identifier)
        competencies[competency.id] = competency
    for competency in _scored_competencies(student_id):
        competencies.setdefault(competency.id, competency)
    comp_list = sorted(competencies.values(), key=lambda c: (c.identifier, c.framework_id))
    evidence, configs = evidence_table([student_id], comp_list)
    frameworks = {f.id: f for f in db.session.scalars(db.select(Framework).where(
        Framework.id.in_({c.framework_id for c in comp_list})))} if comp_list else {}
    org_scale = scale_for(organization_id)
    records = []
    for comp in comp_list:
        pieces = evidence.get((student_id, comp.id), [])
        level = calculate(pieces, configs[comp.id]).level
        framework = frameworks.get(comp.framework_id)
        records.append(CompetencyRecord(
            id=comp.id, identifier=comp.identifier, framework_id=comp.framework_id,
            statement=comp.abbreviated_statement or comp.statement, code=comp.human_code, uri=comp.uri,
            subject=comp.subject or (framework.subject if framework else None),
            framework=framework.title if framework else None,
            framework_uri=framework.source_uri if framework else None,
            level=level, label=level_label(org_scale, level) if level is not None else None,
            evidence=list(pieces)))
    return by_course, records


def domain_levels(student_id: uuid.UUID, organization_id: uuid.UUID, identifiers: Iterable[str]) -> dict:
    """{identifier: the student's level} on these competencies of current frameworks (with evidence)."""
    from .progress import evidence_table

    wanted = list(identifiers)
    if not wanted:
        return {}
    comps = list(db.session.scalars(db.select(Competency).join(Framework).where(
        Competency.organization_id == organization_id, Competency.identifier.in_(wanted),
        Framework.status == "current")))
    evidence, configs = evidence_table([student_id], comps)
    out = {}
    for comp in comps:
        level = calculate(evidence.get((student_id, comp.id), []), configs[comp.id]).level
        if level is not None:
            out[comp.identifier] = level
    return out


@dataclass(frozen=True)
class CompetencyOption:
    id: uuid.UUID
    label: str


def current_competencies(organization_id: uuid.UUID) -> list[CompetencyOption]:
    """The competencies of the organization's current frameworks, by code and position."""
    return [CompetencyOption(c.id, c.label) for c in db.session.scalars(db.select(Competency).join(Framework).where(
        Competency.organization_id == organization_id, Framework.status == "current")
        .order_by(Competency.human_code, Competency.position))]


def known_competencies(organization_id: uuid.UUID, competency_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Those of these ids that are competencies of the organization."""
    return set(db.session.scalars(db.select(Competency.id).where(
        Competency.id.in_(list(competency_ids)), Competency.organization_id == organization_id)))


def course_competency_ids(course_id: uuid.UUID) -> list[uuid.UUID]:
    return list(db.session.scalars(db.select(CourseCompetency.competency_id).where(
        CourseCompetency.course_id == course_id)))


def set_course_competencies(course_id: uuid.UUID, competency_ids: Iterable[uuid.UUID]) -> None:
    """Replace the competencies a course covers (the ids already checked). Caller commits."""
    db.session.execute(db.delete(CourseCompetency).where(CourseCompetency.course_id == course_id))
    for cid in dict.fromkeys(competency_ids):
        db.session.add(CourseCompetency(course_id=course_id, competency_id=cid))
