"""Rebuilding an organization's stored mastery as a background job.

A change of mastery settings, scale or framework recomputes every student of
the organization (`mastery_store.refresh`): 10-90 s for 2,000 students, too
long for the admin's request. The change commits with a `jobs` row (kind
KIND); the job then works through the students in id order, CHUNK at a time,
one transaction per chunk that also records its progress (`done`, and the
last student id in `payload["after"]`) and renews its lease. A worker that
dies leaves the lease to lapse and the sweep resumes after the last committed
chunk; a chunk is rewritten whole (delete, then insert), so redoing one is
harmless. A newer change supersedes an active rebuild (its students so far
used the old settings): the old job is cancelled, and its worker, whose
guarded progress update then matches no row, rolls its chunk back and stops.

While a rebuild is active, `mastery_store.current_table` answers small reads
(a section heatmap, a student's progress) from the live calculation, so they
are never stale; the whole-school reports read the stored intervals and say
that a recalculation is under way (`progress`).
"""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import update

from .. import jobs as job_runner
from ..extensions import db
from ..models import Job, Person, Role, utcnow

log = logging.getLogger(__name__)

KIND = "assessment.mastery_rebuild"
CHUNK = 200  # students per transaction


def _students(organization_id: uuid.UUID):
    return db.select(Person.id).where(Person.organization_id == organization_id,
                                      Person.role == Role.STUDENT.value)


def _is_active_rebuild(organization_id):
    """Where-criteria of the organization's queued or running rebuilds (a value or a subquery)."""
    return Job.organization_id == organization_id, Job.kind == KIND, Job.status.in_(job_runner.ACTIVE)


def active(organization_id: uuid.UUID) -> Job | None:
    """The organization's queued or running rebuild, if any."""
    return db.session.scalar(db.select(Job).where(*_is_active_rebuild(organization_id))
                             .order_by(Job.created_at.desc()).limit(1))


def rebuilding(organization_id):
    """`active` as an EXISTS clause, for a query that asks more in the same statement."""
    return db.exists().where(*_is_active_rebuild(organization_id))


def latest(organization_id: uuid.UUID) -> Job | None:
    return db.session.scalar(db.select(Job).where(Job.organization_id == organization_id, Job.kind == KIND)
                             .order_by(Job.created_at.desc()).limit(1))


def request_rebuild(organization_id: uuid.UUID, *, actor_id: uuid.UUID | None = None) -> Job:
    """Add a rebuild job to the current transaction; it starts once that
    commits (in a thread with the inline runner: the request does not wait).
    An active rebuild of the organization is cancelled in the same transaction."""
    from ..web import fragments

    fragments.touch(db.session, organization_id)  # heatmaps are computed live until the rebuild ends
    now = utcnow()
    db.session.execute(update(Job).where(Job.organization_id == organization_id, Job.kind == KIND,
                                         Job.status.in_(job_runner.ACTIVE))
                       .values(status="cancelled", error="superseded by a newer change", finished_at=now,
                               lease_owner=None, lease_expires_at=None)
                       .execution_options(synchronize_session=False))
    total = db.session.scalar(db.select(db.func.count()).select_from(_students(organization_id).subquery())) or 0
    job = Job(organization_id=organization_id, created_by_id=actor_id, kind=KIND, total=total,
              payload={"after": None}, result={})
    db.session.add(job)
    db.session.flush()
    job_runner.start_after_commit(KIND, job.id, background=True)
    return job


def run(job_id: uuid.UUID, *, owner: str | None = None) -> Job | None:
    """Work the rebuild to its end if its lease can be taken; None when
    another live worker holds it or it has ended."""
    from .mastery_store import mark_built, refresh

    owner = owner or job_runner.worker_id()
    if not job_runner.take_lease(job_id, owner):
        return None
    job = db.session.get(Job, job_id)
    db.session.refresh(job)
    organization_id = job.organization_id
    try:
        while True:
            after = (job.payload or {}).get("after")
            query = _students(organization_id).order_by(Person.id).limit(CHUNK)
            if after:
                query = query.where(Person.id > uuid.UUID(after))
            chunk = list(db.session.scalars(query))
            if not chunk:
                break
            refresh(organization_id, chunk)
            # Progress and lease renewal in the chunk's own transaction, guarded
            # by the lease: a superseded or taken-over job keeps nothing.
            kept = db.session.execute(update(Job).where(
                Job.id == job.id, Job.lease_owner == owner, Job.status == "running").values(
                done=Job.done + len(chunk), payload={"after": str(chunk[-1])},
                lease_expires_at=utcnow() + timedelta(seconds=job_runner.lease_seconds()))
                .execution_options(synchronize_session=False)).rowcount
            if kept != 1:
                db.session.rollback()
                log.info("mastery rebuild %s superseded or taken over; stopping", job.id)
                return job
            db.session.commit()
            db.session.refresh(job)
        mark_built(organization_id)
        job_runner.finish(job, owner, "succeeded")
    except Exception as exc:
        db.session.rollback()
        from ..web import fragments

        fragments.touch(db.session, organization_id)  # heatmaps were computed live: now from the stored rows
        job_runner.finish(job, owner, "failed", error=f"{type(exc).__name__}: {exc}")
        raise
    return job


def progress(job: Job | None) -> dict | None:
    """What the settings page and API show about a rebuild."""
    if job is None:
        return None
    return {"id": str(job.id), "status": job.status, "total": job.total, "done": min(job.done, job.total),
            "percent": round(100 * min(job.done, job.total) / job.total, 1) if job.total else 100.0,
            "error": job.error, **{name: value.isoformat() if value else None for name, value in (
                ("created_at", job.created_at), ("started_at", job.started_at), ("finished_at", job.finished_at))}}


job_runner.register_job_kind(KIND, run)
