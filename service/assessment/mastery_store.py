"""Stored mastery: each student's current mastery of each competency and the
spans during which it was mastered, kept current as scores commit, so pages
and reports never recompute a school.

`refresh` recomputes some students from their official scores with the same
code the live calculation uses (`progress._evidence_rows` and
`mastery.calculate`): the level after the pieces up to each distinct instant.
It writes the last one as the current `MasteryState` and each run of mastered
instants as a `MasteryInterval`. Readers:

- `current_table(student_ids, competencies)`: what `progress.mastery_table`
  returns, from the current states (heatmaps);
- SQL over the intervals answers "proficient at the end of each month" and
  "first mastered when" for the reports (`reports.py`).

Kept current by session hooks (registered once by `install`): at commit, a
new, changed or deleted official assessment or criterion score refreshes its
student for the competencies it can move (`refresh_touched`: a third of
a score's CPU went to recomputing all of them); a deleted submission or a
scored attempt's changed evidence refreshes all of the student's;
a change to the organization's settings, scale or a framework's mastery
method, or a new framework, queues a rebuild of the organization
(`mastery_jobs`: a background job with progress). Bulk inserts that bypass
the ORM must call `refresh` or `rebuild` themselves (bench/school.py does).
An organization without a build marker is built on first read (a job when
it is large), so data from before this table existed is covered.
"""
from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from typing import NamedTuple

from sqlalchemy import String, bindparam, event, text, type_coerce
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Person, Role, utcnow
from ..web import fragments
from . import mastery_jobs
from .mastery import MasteryResult, calculate
from .models import (AssessmentSettings, Assessment, Competency, CriterionAlignment, CriterionScore, Framework,
                     MasteryInterval, MasteryState, MasteryStateBuild, ProficiencyScale, Submission,
                     SubmissionEvidence)

CHUNK = 200  # students per evidence query while rebuilding


def refresh(organization_id: uuid.UUID, student_ids, competencies: list[Competency] | None = None) -> int:
    """Recompute the states of these students (for every competency of the
    organization unless `competencies` is given). Returns rows written."""
    written = sum(_write(*batch) for batch in computed(organization_id, student_ids, competencies))
    # Pages showing these states are rebuilt. Last: on PostgreSQL the counter's row stays
    # locked until commit, and concurrent scorers of the organization wait for it.
    fragments.touch(db.session, organization_id)
    return written


def computed(organization_id: uuid.UUID, student_ids, competencies: list[Competency] | None = None):
    """What `refresh` writes, CHUNK students at a time: (student ids,
    competency ids, state rows, interval rows). Also the tests' full recompute."""
    from .progress import _identifier_scope, framework_configs, scored_work

    student_ids = list(dict.fromkeys(student_ids))
    every = competencies is None
    if competencies is None:
        competencies = list(db.session.scalars(db.select(Competency).where(
            Competency.organization_id == organization_id)))
    if not student_ids or not competencies:
        return
    competency_ids = [c.id for c in competencies]
    counts_toward = _counts_toward(_identifier_scope(competencies))
    configs = framework_configs(competencies)
    for start in range(0, len(student_ids), CHUNK):
        chunk = student_ids[start:start + CHUNK]
        pieces = scored_work(chunk, organization_id).pieces(None if every else set(counts_toward))
        yield (chunk, competency_ids, *_rows(organization_id, pieces, counts_toward, configs))


def _counts_toward(scope: dict) -> dict:
    """identifier -> the competencies whose evidence it is (itself and its ancestors, in every version)."""
    counts_toward: dict = defaultdict(list)
    for competency_id, identifiers in scope.items():
        for identifier in identifiers:
            counts_toward[identifier].append(competency_id)
    return counts_toward


def _rows(organization_id, pieces, counts_toward, configs) -> tuple[list[dict], list[dict]]:
    """State rows and interval rows from (student, EvidencePiece) pairs."""
    from .mastery import Evidence

    found: dict = defaultdict(list)
    for student_id, piece in pieces:
        if piece.competency_identifier not in counts_toward:
            continue
        evidence = Evidence(piece.level, piece.assessed_at, piece.sequence)
        for competency_id in counts_toward[piece.competency_identifier]:
            found[(student_id, competency_id)].append(evidence)
    rows, span_rows = [], []
    for (student_id, competency_id), evidence in found.items():
        state, intervals = _history(organization_id, student_id, competency_id, evidence, configs[competency_id])
        rows.append(state)
        span_rows.extend(intervals)
    return rows, span_rows


def _write(student_ids, competency_ids, rows, span_rows) -> int:
    """Replace these students' rows for these competencies."""
    table, spans = MasteryState.__table__, MasteryInterval.__table__
    for clear in _statements()[2]:
        db.session.execute(clear, {"students": list(student_ids), "competencies": list(competency_ids)})
    for t, batch in ((table, rows), (spans, span_rows)):
        for i in range(0, len(batch), 5000):
            db.session.execute(t.insert(), batch[i:i + 5000])  # Core executemany, 5,000 rows at a time
    return len(rows)


class _Framework(NamedTuple):
    """What `settings.mastery_config` reads of a framework."""
    mastery_method: str | None
    mastery_params: dict | None


@functools.cache
def _statements():
    """Built once, bound per call: building them was a visible part of a score's refresh."""
    tree = db.select(Competency.id, Competency.parent_id, Competency.identifier, Competency.framework_id,
                     Framework.mastery_method, Framework.mastery_params) \
        .join(Framework, Framework.id == Competency.framework_id) \
        .where(Competency.organization_id == bindparam("organization"))
    deleted = db.select(Competency.identifier) \
        .join(CriterionAlignment, CriterionAlignment.competency_id == Competency.id) \
        .where(CriterionAlignment.criterion_id.in_(bindparam("criteria", expanding=True)),
               Competency.organization_id == bindparam("organization"))
    table, spans = MasteryState.__table__, MasteryInterval.__table__
    clear = [t.delete().where(t.c.student_id.in_(bindparam("students", expanding=True)),
                              t.c.competency_id.in_(bindparam("competencies", expanding=True)))
             for t in (table, spans)]
    return tree, deleted, clear


def refresh_touched(organization_id: uuid.UUID, student_ids, submission_ids, deleted_criteria=()) -> int:
    """Recompute these students' states for the competencies a change of
    these submissions' official scores can move: every competency aligned
    (by identifier, in any framework version) to a criterion scored on them
    or on another attempt at the same evidence, and everything above those.
    Another attempt counts because only the latest score of a piece of
    evidence counts: a reassessment with a rubric version aligned elsewhere
    takes the earlier attempt's competencies away. `deleted_criteria`:
    criteria of deleted scores (no longer found through the submissions).
    One read of the students' scored work serves both the choice and the
    recompute. Returns rows written."""
    from .progress import scored_work, subtree_identifiers
    from .settings import mastery_config

    student_ids = list(dict.fromkeys(student_ids))
    submission_ids = set(submission_ids)
    work = scored_work(student_ids, organization_id, submissions=submission_ids)
    evidence = set().union(*(work.versions.get(sid, ()) for sid in submission_ids))
    attempts = submission_ids | {sid for sid, versions in work.versions.items() if versions & evidence}
    identifiers = {identifier for aid, criterion, _ in work.scores if work.by_id[aid][2] in attempts
                   for identifier, _, _ in work.aligned[criterion]}
    statements = _statements()
    if deleted_criteria:
        identifiers |= set(db.session.scalars(statements[1], {"criteria": list(deleted_criteria),
                                                              "organization": organization_id}))
    if not identifiers:
        return 0
    tree = db.session.execute(statements[0], {"organization": organization_id}).all()
    parent = {row[0]: row[1] for row in tree}
    touched: set = set()
    for cid in [row[0] for row in tree if row[2] in identifiers]:
        while cid is not None and cid not in touched:  # and its ancestors (already there: theirs are too)
            touched.add(cid)
            cid = parent.get(cid)
    scope = subtree_identifiers(tree, touched)
    frameworks = {row[3]: _Framework(row[4], row[5]) for row in tree if row[0] in touched}
    method = {fid: mastery_config(organization_id, f) for fid, f in frameworks.items()}  # type: ignore[arg-type]
    configs = {row[0]: method[row[3]] for row in tree if row[0] in touched}
    counts_toward = _counts_toward(scope)
    rows, span_rows = _rows(organization_id, work.pieces(set(counts_toward)), counts_toward, configs)
    return _write(student_ids, list(touched), rows, span_rows)


def rebuild(organization_id: uuid.UUID) -> int:
    """Recompute every student of the organization here and now, and mark it
    built (bench/school.py, small organizations). A change of settings in a
    request queues `mastery_jobs` instead."""
    students = list(db.session.scalars(db.select(Person.id).where(
        Person.organization_id == organization_id, Person.role == Role.STUDENT.value).order_by(Person.id)))
    written = refresh(organization_id, students)
    mark_built(organization_id)
    return written


def mark_built(organization_id: uuid.UUID) -> None:
    fragments.touch(db.session, organization_id)  # read from the stored states from now on
    marker = db.session.get(MasteryStateBuild, organization_id)
    if marker is None:
        db.session.add(MasteryStateBuild(organization_id=organization_id, built_at=utcnow()))
    else:
        marker.built_at = utcnow()


def ensure_built(organization_id: uuid.UUID) -> None:
    """Build the organization's states once, when they were never built: here
    for a small organization, as a job (`mastery_jobs`) for a large one."""
    if db.session.get(MasteryStateBuild, organization_id) is not None or mastery_jobs.active(organization_id):
        return
    students = db.session.scalar(db.select(db.func.count(Person.id)).where(
        Person.organization_id == organization_id, Person.role == Role.STUDENT.value)) or 0
    if students <= mastery_jobs.CHUNK:
        rebuild(organization_id)
    else:
        mastery_jobs.request_rebuild(organization_id)
    db.session.commit()


def _tracked(organization_id: uuid.UUID) -> bool:
    """Built, or being built: score changes must refresh its students."""
    return db.session.get(MasteryStateBuild, organization_id) is not None or \
        mastery_jobs.active(organization_id) is not None


def stored_level(student_id: uuid.UUID, competency_id: uuid.UUID) -> tuple[bool, float | None]:
    """(whether the stored state can answer, the student's stored level) in one query.

    The stored state answers when the competency is one of the student's
    organization, that organization is built and no rebuild is under way (its
    rows may then be stale); otherwise the caller computes the level live. No
    row: no evidence yet. The badge rule check read the level live, some ten
    queries per rule, just after the score's commit had stored it."""
    org = db.select(Person.organization_id).where(Person.id == student_id).scalar_subquery()
    row = db.session.execute(db.select(
        db.select(MasteryState.level).where(MasteryState.student_id == student_id,
                                            MasteryState.competency_id == competency_id).scalar_subquery(),
        db.exists().where(Competency.id == competency_id, Competency.organization_id == org),
        db.exists().where(MasteryStateBuild.organization_id == org),
        mastery_jobs.rebuilding(org))).one()
    level, ours, built, rebuilding = row
    if not (ours and built and not rebuilding):
        return False, None
    return True, None if level is None else float(level)


def current_table(student_ids, competencies: list[Competency]) -> dict[tuple[uuid.UUID, uuid.UUID], MasteryResult]:
    """{(student_id, competency_id): MasteryResult} from the open states, in one query."""
    student_ids = list(student_ids)
    grid = current_grid(student_ids, competencies)
    return {(s, c.id): result for s, row in zip(student_ids, grid) for c, result in zip(competencies, row)}


def current_grid(student_ids, competencies: list[Competency]) -> list[list[MasteryResult]]:
    """[student][competency] -> MasteryResult from the open states, in one query.

    Indexes rather than (student, competency) keys: a heatmap's 540 cells
    hashed UUID pairs (a Python-level hash) some 7,000 times. Equal results
    are one shared (frozen) object, so pages can keep per-result markup."""
    student_ids = list(student_ids)
    if not competencies:
        return [[] for _ in student_ids]
    organization_id = competencies[0].organization_id
    ensure_built(organization_id)
    if len(student_ids) <= mastery_jobs.CHUNK and mastery_jobs.active(organization_id) is not None:
        # Being rebuilt (settings changed): stored rows may be stale; a few students are cheap live.
        from .progress import mastery_table

        live = mastery_table(student_ids, competencies)
        return [[live[(s, c.id)] for c in competencies] for s in student_ids]
    from .progress import framework_configs

    configs = framework_configs(competencies)
    # One (frozen) "no evidence yet" result per competency, shared by its empty cells.
    empty = [MasteryResult(None, configs[c.id].method, 0, False) for c in competencies]
    grid = [list(empty) for _ in student_ids]
    if not student_ids:
        return grid
    # The ids come back raw and are mapped to indexes: converting two ids per
    # row was a third of a heatmap's query cost. SQLite stores a UUID as 32
    # hex digits; PostgreSQL's driver returns a UUID.
    row_of = {**{s.hex: n for n, s in enumerate(student_ids)}, **{s: n for n, s in enumerate(student_ids)}}
    column_of = {**{c.id.hex: n for n, c in enumerate(competencies)}, **{c.id: n for n, c in enumerate(competencies)}}
    shared: dict = {}
    rows = db.session.execute(db.select(type_coerce(MasteryState.student_id, String),
                                        type_coerce(MasteryState.competency_id, String), MasteryState.level,
                                        MasteryState.method, MasteryState.evidence_count, MasteryState.mastered)
                              .where(MasteryState.student_id.in_(student_ids),
                                     MasteryState.competency_id.in_([c.id for c in competencies])))
    for student_id, competency_id, *values in rows:
        key = tuple(values)
        result = shared.get(key)
        if result is None:
            result = shared[key] = MasteryResult(*key)
        grid[row_of[student_id]][column_of[competency_id]] = result
    return grid


def _history(organization_id, student_id, competency_id, pieces, config) -> tuple[dict, list[dict]]:
    """(current state row, mastered-interval rows) for one student and competency."""
    ordered = sorted(pieces, key=lambda e: (e.at, e.sequence))
    key = {"organization_id": organization_id, "student_id": student_id, "competency_id": competency_id}
    intervals: list[dict] = []
    result = None
    for n, piece in enumerate(ordered):
        if n + 1 < len(ordered) and ordered[n + 1].at == piece.at:
            continue  # one result per instant: every piece scored at that moment counts
        result = calculate(ordered[:n + 1], config)
        open_span = intervals[-1] if intervals and intervals[-1]["mastered_until"] is None else None
        if result.mastered and open_span is None:
            intervals.append({"id": uuid.uuid4(), **key, "mastered_from": piece.at, "mastered_until": None,
                              "first": not intervals})
        elif not result.mastered and open_span is not None:
            open_span["mastered_until"] = piece.at
    state = {"id": uuid.uuid4(), **key, "level": result.level, "mastered": result.mastered,
             "evidence_count": result.evidence_count, "method": result.method, "evidence_at": ordered[-1].at}
    return state, intervals


# -- keeping the states current -------------------------------------------------------------------

_PENDING = "mastery_store.pending"
_REBUILD_FIELDS = {AssessmentSettings: None, ProficiencyScale: None,
                   Framework: {"mastery_method", "mastery_params"}}


def _changed(session: Session, obj, fields) -> bool:
    if fields is None:
        return True
    state = db.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _values(obj, name) -> set:
    """An attribute's value and, if this flush changed it, its former value."""
    history = db.inspect(obj).attrs[name].history
    return {v for v in (getattr(obj, name), *history.deleted) if v is not None}


def _after_flush(session: Session, flush_context) -> None:
    pending = session.info.setdefault(_PENDING, {"assessments": set(), "submissions": set(), "criteria": set(),
                                                 "evidence": set(), "students": set(), "organizations": set(),
                                                 "frameworks": set()})
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, Assessment):
            if obj.kind == "official" or obj not in session.new and _changed(session, obj, {"kind"}):
                pending["submissions"] |= _values(obj, "submission_id")
        elif isinstance(obj, CriterionScore):
            pending["assessments"] |= _values(obj, "assessment_id")
            # A deleted score (or its former criterion) is found through nothing else.
            pending["criteria"] |= _values(obj, "criterion_id") if obj in session.deleted else \
                set(db.inspect(obj).attrs.criterion_id.history.deleted) - {None}
        elif isinstance(obj, SubmissionEvidence):
            pending["evidence"] |= _values(obj, "submission_id")
        elif isinstance(obj, Submission):
            if obj in session.deleted:
                pending["students"].add((obj.organization_id, obj.student_id))
        elif isinstance(obj, Framework) and obj in session.new:
            pending["frameworks"].add((obj.organization_id, obj.id))
        elif type(obj) in _REBUILD_FIELDS and obj not in session.new and _changed(session, obj,
                                                                                  _REBUILD_FIELDS[type(obj)]):
            pending["organizations"].add(obj.organization_id)


def _before_commit(session: Session) -> None:
    """Refresh the students whose official scores changed in this
    transaction, only for the competencies those scores can move
    (`refresh_touched`); every competency of a student whose scored
    evidence changed or whose submission was deleted; queue a rebuild of an
    organization whose settings changed."""
    session.flush()  # commit flushes only after this hook: see every change now
    pending = session.info.pop(_PENDING, None)
    if not pending or not any(pending.values()):
        return
    submissions = set(pending["submissions"])
    # What the session holds loaded (a score's own assessment and submission) is not read again.
    assessments = _held(session, Assessment, pending["assessments"], ("kind", "submission_id"))
    submissions |= {a.submission_id for a in assessments.values() if a.kind == "official"}
    unknown = pending["assessments"] - set(assessments)
    if unknown:
        submissions |= set(session.scalars(db.select(Assessment.submission_id).where(
            Assessment.id.in_(unknown), Assessment.kind == "official")))
    whole: dict = defaultdict(set)  # organization -> students recomputed for every competency
    for org_id, student_id in pending["students"]:
        whole[org_id].add(student_id)
    if pending["evidence"]:
        # The evidence of a scored attempt changed: which of its scores count may change anywhere.
        for org_id, student_id in session.execute(
                db.select(Submission.organization_id, Submission.student_id).distinct()
                .join(Assessment, Assessment.submission_id == Submission.id)
                .where(Submission.id.in_(pending["evidence"]), Assessment.kind == "official")):
            whole[org_id].add(student_id)
    narrow: dict = defaultdict(dict)  # organization -> {student: [submissions whose scores changed]}
    held = _held(session, Submission, submissions, ("organization_id", "student_id"))
    for submission in held.values():
        narrow[submission.organization_id].setdefault(submission.student_id, []).append(submission.id)
    if submissions - set(held):
        for org_id, student_id, submission_id in session.execute(
                db.select(Submission.organization_id, Submission.student_id, Submission.id)
                .where(Submission.id.in_(submissions - set(held)))):
            narrow[org_id].setdefault(student_id, []).append(submission_id)
    changed = set(whole) | set(narrow)
    built = {org for org in changed | pending["organizations"] | {o for o, _ in pending["frameworks"]}
             if _tracked(org)}
    # Settings, scale or a new framework touch every student: a background job.
    rebuilt = (pending["organizations"] | {o for o, _ in pending["frameworks"]}) & built
    for org_id in rebuilt:
        mastery_jobs.request_rebuild(org_id)
    for org_id in changed:
        # An organization never built is built whole on its first read.
        if org_id not in built or org_id in rebuilt:
            continue
        everything = whole.get(org_id, set())
        students = {s: subs for s, subs in narrow.get(org_id, {}).items() if s not in everything}
        _lock_students(session, everything | set(students))
        if everything:
            refresh(org_id, everything)
        if students:
            refresh_touched(org_id, students, [sid for subs in students.values() for sid in subs],
                            pending["criteria"])
            fragments.touch(session, org_id)  # last, as in `refresh`


def _held(session: Session, model, ids, fields) -> dict:
    """{id: object} of those of `ids` the session holds, persistent, with `fields` loaded
    (flushed, so as in the database within this transaction)."""
    out = {}
    for pk in ids:
        obj = session.identity_map.get(db.inspect(model).identity_key_from_primary_key([pk]))
        if obj is None:
            continue
        state = db.inspect(obj)
        if state.persistent and not state.unloaded.intersection(fields):
            out[pk] = obj
    return out


_LOCK_CLASS = 0x6D617374  # "mast": advisory locks on students whose stored mastery is being refreshed


def _lock_students(session: Session, student_ids) -> None:
    """PostgreSQL: one refresh of a student's states at a time, until commit.

    `refresh` deletes the student's rows and inserts new ones. Two transactions
    scoring the same student at once (READ COMMITTED) would both delete the old
    rows, and the second would then insert rows the first just committed: a
    unique violation, a 500 for the second score (bench_load.py on PostgreSQL,
    about 1 score in 200). Waiting for the first to commit makes the second
    read its scores and replace its rows. Sorted, so two transactions never
    wait for each other. SQLite has one writer at a time already."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for student_id in sorted(student_ids, key=str):
        key = int.from_bytes(uuid.UUID(str(student_id)).bytes[:4], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:class_id, :key)"), {"class_id": _LOCK_CLASS, "key": key})


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


_installed = False


def install() -> None:
    """Register the session hooks (once per process)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_soft_rollback", lambda session, previous: _after_rollback(session))
    _installed = True
