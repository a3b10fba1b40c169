"""Mastery from the database: gathers each student's official academic
scores and hands them to the pure calculation in `mastery.py`.

A competency's evidence is every score aligned to it or to anything below it
(its learning targets), in every version of its framework (matched by the
stable identifier), so history spans school years. Habits-of-work criteria and
calibration scores never count.
"""
from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam

from ..errors import Problem
from ..extensions import db
from ..models import Person, Role
from ..policies import authorize
from .mastery import Evidence, MasteryResult, calculate
from .models import (Assessment, Competency, CriterionAlignment, CriterionScore, Framework, Rubric, RubricCriterion,
                     Submission, SubmissionEvidence)
from .settings import mastery_config

__all__ = ["followed_student", "MasteryResult", "EvidencePiece", "mastery_for", "mastery_table", "evidence_table", "student_mastery", "evidence_for",
           "habits_for"]


def followed_student(actor, student_id) -> Person:
    """A student the actor may follow (self, teacher, guardian, admin); 404 otherwise."""
    student = db.session.get(Person, student_id)
    authorize(actor, "view", student, what="student")
    if student.role != Role.STUDENT.value:
        raise Problem(404, "No such student.")
    return student


@dataclass(frozen=True)
class EvidencePiece:
    competency_identifier: str
    level: int
    assessed_at: datetime
    submission_id: uuid.UUID
    submission_title: str
    criterion_title: str
    rubric_title: str
    rubric_version: int
    sequence: int


def mastery_for(student_id: uuid.UUID, competency_id: uuid.UUID, *, as_of: datetime | None = None) -> MasteryResult:
    """The badges feature's entry point: this student's mastery of one competency."""
    competency = db.session.get(Competency, competency_id)
    if competency is None:
        raise LookupError(f"no competency {competency_id}")
    return mastery_table([student_id], [competency], as_of=as_of)[(student_id, competency.id)]


def student_mastery(student_id: uuid.UUID, competencies: list[Competency]) -> list[tuple[Competency, MasteryResult]]:
    """Mastery of one student across many competencies, in the order given."""
    table = mastery_table([student_id], competencies)
    return [(c, table[(student_id, c.id)]) for c in competencies]


def mastery_table(student_ids, competencies: list[Competency], *, as_of: datetime | None = None
                  ) -> dict[tuple[uuid.UUID, uuid.UUID], MasteryResult]:
    """{(student_id, competency_id): MasteryResult} in a few queries."""
    evidence, configs = evidence_table(student_ids, competencies, as_of=as_of)
    return {key: calculate(pieces, configs[key[1]]) for key, pieces in evidence.items()}


def evidence_table(student_ids, competencies: list[Competency], *, as_of: datetime | None = None):
    """({(student_id, competency_id): [Evidence]}, {competency_id: MasteryConfig})."""
    student_ids = list(student_ids)
    if not competencies:
        return {}, {}
    scope = _identifier_scope(competencies)
    wanted = set().union(*scope.values())
    by_student: dict = defaultdict(lambda: defaultdict(list))
    for piece_student, piece in _evidence_rows(student_ids, competencies[0].organization_id, wanted, as_of):
        by_student[piece_student][piece.competency_identifier].append(piece)
    framework_configs = _configs(competencies)
    table = {}
    for student_id in student_ids:
        pieces = by_student.get(student_id, {})
        for competency in competencies:
            table[(student_id, competency.id)] = [Evidence(p.level, p.assessed_at, p.sequence)
                                                  for ident in scope[competency.id] for p in pieces.get(ident, [])]
    return table, {c.id: framework_configs[c.framework_id] for c in competencies}


def evidence_for(student_id: uuid.UUID, competency: Competency) -> list[EvidencePiece]:
    """The scored pieces that count toward this competency, oldest first."""
    scope = _identifier_scope([competency])[competency.id]
    pieces = [p for _, p in _evidence_rows([student_id], competency.organization_id, scope, None)]
    return sorted(pieces, key=lambda p: (p.assessed_at, p.sequence))


def habits_for(student_id: uuid.UUID) -> list[dict]:
    """Habits-of-work scores, reported on their own (never part of mastery)."""
    rows = db.session.execute(
        db.select(RubricCriterion.title, CriterionScore.level_value, Assessment.assessed_at, Submission.title)
        .join(CriterionScore, CriterionScore.criterion_id == RubricCriterion.id)
        .join(Assessment, Assessment.id == CriterionScore.assessment_id)
        .join(Submission, Submission.id == Assessment.submission_id)
        .where(Submission.student_id == student_id, Assessment.kind == "official", RubricCriterion.kind == "habit")
        .order_by(Assessment.assessed_at)).all()
    return [{"criterion": title, "level": level, "assessed_at": at, "submission_title": sub}
            for title, level, at, sub in rows]


def _identifier_scope(competencies: list[Competency]) -> dict[uuid.UUID, set[str]]:
    """For each competency: its identifier and those of everything below it."""
    framework_ids = {c.framework_id for c in competencies}
    rows = db.session.execute(db.select(Competency.id, Competency.parent_id, Competency.identifier,
                                        Competency.framework_id)
                              .where(Competency.framework_id.in_(framework_ids))).all()
    children, identifiers = defaultdict(list), {}
    for cid, parent, ident, _ in rows:
        children[parent].append(cid)
        identifiers[cid] = ident
    scope = {}
    for competency in competencies:
        found, stack = set(), [competency.id]
        while stack:
            cid = stack.pop()
            found.add(identifiers[cid])
            stack.extend(children.get(cid, []))
        scope[competency.id] = found
    return scope


def _evidence_rows(student_ids, organization_id, identifiers, as_of):
    """(student_id, EvidencePiece) for these students' official academic scores
    aligned to the given competency identifiers (None: to any competency)."""
    if identifiers is not None and not identifiers:
        return []
    return scored_work(student_ids, organization_id, as_of).pieces(identifiers)


@dataclass
class ScoredWork:
    """Some students' official scores on academic criteria aligned to the
    organization's competencies, and which of them count."""

    # assessment id -> (student, assessed at, submission id, submission title, rubric title, rubric version)
    by_id: dict
    scores: list  # (assessment id, criterion id, level)
    aligned: dict  # criterion id -> [(competency identifier, criterion title, position)]
    versions: dict  # submission id -> {artifact version ids}
    counted: set  # the assessments that count (`_latest_assessment_per_evidence`)

    def pieces(self, identifiers=None) -> list[tuple[uuid.UUID, EvidencePiece]]:
        out = []
        for assessment_id, criterion_id, level in self.scores:
            if assessment_id not in self.counted:
                continue
            student, at, sid, stitle, rtitle, rversion = self.by_id[assessment_id]
            for identifier, ctitle, position in self.aligned[criterion_id]:
                if identifiers is None or identifier in identifiers:
                    out.append((student, EvidencePiece(identifier, level, at, sid, stitle, ctitle, rtitle,
                                                       rversion, position)))
        return out


@functools.cache
def _scored_statements():
    """Built once (bound per call): building them was a visible part of a score's refresh.

    Four index-driven queries joined here rather than one join: given a list
    of identifiers, planners (SQLite's without statistics) start from the
    competencies and probe every score of the school; this way the cost
    follows the students' own evidence, never the size of the school."""
    assessments = (db.select(Assessment.id, Submission.student_id, Assessment.assessed_at, Submission.id,
                             Submission.title, Rubric.title, Rubric.version)
                   .join(Submission, Submission.id == Assessment.submission_id)
                   .join(Rubric, Rubric.id == Assessment.rubric_id)
                   .where(Submission.student_id.in_(bindparam("students", expanding=True)),
                          Submission.organization_id == bindparam("organization"), Assessment.kind == "official"))
    scores = db.select(CriterionScore.assessment_id, CriterionScore.criterion_id, CriterionScore.level_value) \
        .where(CriterionScore.assessment_id.in_(bindparam("assessments", expanding=True)))
    criteria = db.select(RubricCriterion.id, RubricCriterion.title, RubricCriterion.position, Competency.identifier) \
        .join(CriterionAlignment, CriterionAlignment.criterion_id == RubricCriterion.id) \
        .join(Competency, Competency.id == CriterionAlignment.competency_id) \
        .where(RubricCriterion.id.in_(bindparam("criteria", expanding=True)), RubricCriterion.kind == "academic",
               Competency.organization_id == bindparam("organization"))
    versions = db.select(SubmissionEvidence.submission_id, SubmissionEvidence.artifact_version_id) \
        .where(SubmissionEvidence.submission_id.in_(bindparam("submissions", expanding=True)))
    return {"assessments": assessments, "until": assessments.where(Assessment.assessed_at <= bindparam("as_of")),
            "scores": scores, "criteria": criteria, "versions": versions}


def scored_work(student_ids, organization_id, as_of=None, *, submissions=()) -> ScoredWork:
    """These students' scored work (up to `as_of`); `submissions`: also the
    evidence of these (no longer scored) submissions."""
    statements = _scored_statements()
    student_ids = list(student_ids)
    by_id: dict = {}
    if student_ids:
        query = statements["assessments"] if as_of is None else statements["until"]
        by_id = {row[0]: row[1:] for row in db.session.execute(
            query, {"students": student_ids, "organization": organization_id, "as_of": as_of})}
    ids = list(by_id)
    scores = []
    for start in range(0, len(ids), 1000):
        scores.extend(db.session.execute(statements["scores"], {"assessments": ids[start:start + 1000]}))
    # Every alignment of the scored criteria, not only those of some wanted identifiers: which
    # score of a piece of evidence counts (the latest) must not depend on the question. A
    # reassessment with a rubric version aligned elsewhere replaces the earlier score for every
    # competency, whichever of them is asked about.
    aligned = defaultdict(list)
    if scores:
        for criterion_id, title, position, identifier in db.session.execute(
                statements["criteria"], {"criteria": list({c for _, c, _ in scores}), "organization": organization_id}):
            aligned[criterion_id].append((identifier, title, position))
    scores = [score for score in scores if score[1] in aligned]
    versions: dict = defaultdict(set)
    wanted = {by_id[aid][2] for aid, _, _ in scores} | set(submissions)
    if wanted:
        for sid, vid in db.session.execute(statements["versions"], {"submissions": list(wanted)}):
            versions[sid].add(vid)
    counted = _latest_assessment_per_evidence({(by_id[aid][2], aid, by_id[aid][1]) for aid, _, _ in scores},
                                              versions)
    return ScoredWork(by_id, scores, aligned, versions, counted)


def _latest_assessment_per_evidence(assessments, versions) -> set:
    """The assessments that count: a piece of evidence (the exact artifact
    versions submitted) counts once, through its latest official score, so
    scoring the same work again replaces the earlier score instead of adding one."""
    latest: dict = {}
    for sid, aid, at in assessments:
        key = frozenset(versions[sid]) or sid  # no evidence rows: the submission itself
        if key not in latest or (at, str(aid)) > (latest[key][1], str(latest[key][0])):
            latest[key] = (aid, at)
    return {aid for aid, _ in latest.values()}


def framework_configs(competencies: list[Competency]) -> dict:
    """{competency_id: MasteryConfig} (the organization's method or its framework's)."""
    if not competencies:
        return {}
    configs = _configs(competencies)
    return {c.id: configs[c.framework_id] for c in competencies}


def _configs(competencies):
    framework_ids = {c.framework_id for c in competencies}
    frameworks = db.session.scalars(db.select(Framework).where(Framework.id.in_(framework_ids))).all()
    org = competencies[0].organization_id
    return {f.id: mastery_config(org, f) for f in frameworks}
