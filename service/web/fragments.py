"""Rendered page fragments kept per process, keyed by the organization's generation.

A fragment (a section's heatmap) depends on rows many actions change: scores
(through the stored mastery), enrolments, people's names, competencies,
frameworks, rubrics, settings and the scale. Rather than name every action,
every change to those tables made through the ORM session moves the
organization's counter (`PageGeneration`) in the same transaction:

- a flushed new, changed or deleted object of a watched table moves its
  organization's counter (an enrolment's via its section; a row that names no
  organization moves every organization's);
- a bulk INSERT/UPDATE/DELETE statement on a watched table through the
  session (`do_orm_execute`) moves every organization's counter;
- the stored mastery (`assessment.mastery_store.refresh`, a rebuild being
  requested or finished) moves its organization's counter (`touch`).

A reader reads the counter (one small query) and serves the fragment kept
under (what, organization, generation), or builds and keeps it. The counter
commits with the change, so every process sees a change at its next request:
there is no staleness window. A reader whose own transaction has changed
something (its counter moved but not committed) builds and keeps nothing, so
a rolled-back change never leaves a fragment under a generation another
transaction may reach. Writes that bypass the session (raw SQL, another
program) must call `touch` or restart the workers. Authorization is the
caller's, before `fragment` is asked: the fragment must not depend on who
looks.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..lru import LRU
from ..models import Enrolment, Organization, PageGeneration, Section

# Tables whose rows a cached fragment shows or depends on.
WATCHED = {"people", "sections", "enrolments", "courses", "course_competencies", "competencies", "frameworks",
           "rubrics", "rubric_criteria", "criterion_alignments", "assessment_settings", "proficiency_scales"}
EVERY = "*"  # moves every organization's counter
MAX_ENTRIES = 256  # a section's heatmap is 100-200 kB: at most ~50 MB per process

_cache: LRU[str] = LRU(MAX_ENTRIES)
_MOVED = "fragments.moved"  # session.info: organizations whose counter this transaction moved


def generation(organization_id: uuid.UUID) -> int | None:
    """The organization's counter as this transaction sees it; None: do not cache."""
    return db.session.scalar(db.select(PageGeneration.generation)
                             .where(PageGeneration.organization_id == organization_id))


def fragment(what: tuple, organization_id: uuid.UUID, build: Callable[[], str]) -> str:
    """The fragment `what` (hashable, naming everything it shows) of this organization: kept or built."""
    current = generation(organization_id)
    if current is None or db.session.info.get(_MOVED):
        return build()
    key = (what, organization_id, current)
    found = _cache.get(key)
    if found is not None:
        return found
    built = build()
    if db.session.info.get(_MOVED):  # building changed something (a first build of the mastery states)
        return built
    _cache.put(key, built)
    return built


def touch(session: Session, organization_id: uuid.UUID | str) -> None:
    """Move an organization's counter (or EVERY one's) in the session's transaction, now."""
    moved = session.info.setdefault(_MOVED, set())
    if organization_id in moved or EVERY in moved:
        return
    moved.add(organization_id)
    statement = update(PageGeneration).values(generation=PageGeneration.generation + 1)
    if organization_id != EVERY:
        statement = statement.where(PageGeneration.organization_id == organization_id)
    session.connection().execute(statement)


def clear() -> None:
    _cache.clear()


def _organization_of(session: Session, obj) -> uuid.UUID | str:
    if isinstance(obj, Enrolment):
        found = session.connection().execute(db.select(Section.organization_id)
                                             .where(Section.id == obj.section_id)).scalar()
        return found or EVERY
    return getattr(obj, "organization_id", None) or EVERY


def _after_flush(session: Session, flush_context) -> None:
    for obj in session.new:
        if isinstance(obj, Organization):
            session.connection().execute(db.insert(PageGeneration).values(organization_id=obj.id, generation=0))
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table in WATCHED and (obj not in session.dirty or session.is_modified(obj)):
            touch(session, _organization_of(session, obj))


def _do_orm_execute(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in WATCHED:
        touch(state.session, EVERY)


def _forget(session: Session, *args) -> None:
    session.info.pop(_MOVED, None)


def install() -> None:
    """Register the session hooks (once per process: another app in the process finds them there)."""
    hooks = (("after_flush", _after_flush), ("do_orm_execute", _do_orm_execute), ("after_commit", _forget),
             ("after_soft_rollback", _forget))
    for name, hook in hooks:
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
