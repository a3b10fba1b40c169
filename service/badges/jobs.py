"""Bulk issuance as a background job (a `jobs` row; see service/models/job.py).

A job's payload is the list of recipient ids, fixed at creation. A worker
takes a lease on the row, issues in batches (`issuance.issue_many`, one
transaction per batch), records progress after each batch and renews its
lease. If the worker dies, the lease expires and `resume_stale()` (or any
other worker) picks the job up from its recorded progress; the batch that was
in flight is re-run and idempotency (award_key) skips what was already issued,
so nothing is lost and nothing is issued twice.

Runner: service/jobs.py (a thread in this process with JOB_QUEUE_URL=inline,
the default, or an RQ worker with a redis:// URL); this module registers the
kind there. Leases are service.jobs.take_lease / finish.
"""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from .. import audit
from .. import jobs as job_runner
from ..csv_text import CsvUnreadable, read_rows
from ..extensions import db
from ..jobs import RunnerUnavailable, worker_id  # noqa: F401  (part of this module's API)
from ..models import Enrolment, Job, Person, Role, utcnow
from . import issuance
from .models import BadgeClass

log = logging.getLogger(__name__)

KIND = "badges.bulk_issue"
BATCH_SIZE = 200
MAX_RECIPIENTS = 50_000


class BulkJobInvalid(ValueError):
    """The request names no usable recipients; `errors` lists [(field, message)]."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = errors


def lease_seconds() -> int:
    return int(current_app.config.get("BADGE_JOB_LEASE_SECONDS") or job_runner.lease_seconds())


# -- creating --------------------------------------------------------------------------------
def section_recipients(section_id: uuid.UUID) -> list[Person]:
    return list(db.session.scalars(db.select(Person).join(Enrolment, Enrolment.person_id == Person.id).where(
        Enrolment.section_id == section_id, Enrolment.role == "student", Person.is_active.is_(True))
        .order_by(Person.display_name, Person.id)))


def csv_recipients(text: str, organization_id: uuid.UUID) -> tuple[list[Person], list[dict]]:
    """Students named in a CSV with an `email` or `external_id` column.
    Returns (people, skipped rows with the reason)."""
    try:
        fieldnames, rows = read_rows(text)
    except CsvUnreadable as exc:
        raise BulkJobInvalid([("csv", str(exc))]) from None
    columns = {c.strip().lower() for c in fieldnames}
    if not columns & {"email", "external_id"}:
        raise BulkJobInvalid([("csv", "needs a header row with an 'email' or 'external_id' column")])
    people, skipped, seen = [], [], set()
    for line, row in enumerate(rows, start=2):
        row = {k.strip().lower(): v.strip() for k, v in row.items() if isinstance(k, str) and isinstance(v, str)}
        query = db.select(Person).where(Person.organization_id == organization_id)
        if row.get("email"):
            person = db.session.scalar(query.where(Person.email == row["email"].lower()))
        elif row.get("external_id"):
            person = db.session.scalar(query.where(Person.external_id == row["external_id"]))
        else:
            skipped.append({"line": line, "reason": "no email or external_id"})
            continue
        if person is None or person.role != Role.STUDENT.value or not person.is_active:
            skipped.append({"line": line, "reason": "no active student with that email / external_id here"})
        elif person.id not in seen:
            seen.add(person.id)
            people.append(person)
    return people, skipped


def create(badge_class: BadgeClass, recipients: list[Person], *, actor: Person | None,
           skipped: list | None = None, origin: dict | None = None) -> Job:
    """Record a queued bulk job (commits)."""
    if not recipients:
        raise BulkJobInvalid([("recipients", "no students to award")])
    if len(recipients) > MAX_RECIPIENTS:
        raise BulkJobInvalid([("recipients", f"at most {MAX_RECIPIENTS} per job")])
    job_runner.check_runner()  # refuse (RunnerUnavailable) before writing a job nobody would run
    job = Job(id=uuid.uuid4(), organization_id=badge_class.organization_id, created_by_id=getattr(actor, "id", None),
              kind=KIND, status="queued", total=len(recipients), done=0, failed=0,
              payload={"badge_class_id": str(badge_class.id), "recipient_ids": [str(p.id) for p in recipients],
                       "origin": origin or {}},
              result={"skipped": skipped or [], "issued": 0, "already_had": 0, "errors": []})
    db.session.add(job)
    audit.record("job.create", obj=job, actor=actor, kind=KIND, total=job.total, badge_class_id=str(badge_class.id))
    db.session.commit()
    return job


def start(job: Job):
    """Hand the job to the configured runner (a thread here, or the Redis
    queue). If the queue went away since `create`, the job stays queued and a
    worker's sweep (or `resume_stale`) picks it up later."""
    try:
        return job_runner.start(KIND, job.id)
    except Exception:
        log.exception("bulk job %s could not be handed to the runner; it stays queued", job.id)
        return None


# -- running ---------------------------------------------------------------------------------
def _take_lease(job_id: uuid.UUID, owner: str) -> bool:
    return job_runner.take_lease(job_id, owner, lease_seconds())


def run(job_id: uuid.UUID, *, owner: str | None = None) -> Job | None:
    """Work a job to the end if its lease can be taken; returns the job, or
    None when another live worker holds it."""
    owner = owner or worker_id()
    if not _take_lease(job_id, owner):
        return None
    job = db.session.get(Job, job_id)
    db.session.refresh(job)
    badge_class = db.session.get(BadgeClass, uuid.UUID(job.payload["badge_class_id"]))
    actor = db.session.get(Person, job.created_by_id) if job.created_by_id else None
    ids = job.payload["recipient_ids"]
    try:
        while job.done < len(ids):
            start_at = job.done
            batch_ids = [uuid.UUID(i) for i in ids[start_at:start_at + BATCH_SIZE]]
            people = {p.id: p for p in db.session.scalars(db.select(Person).where(Person.id.in_(batch_ids)))}
            units, errors = [], []
            for pid in batch_ids:
                person = people.get(pid)
                if person is None or person.role != Role.STUDENT.value or not person.is_active:
                    errors.append({"recipient_id": str(pid), "reason": "not an active student"})
                elif person.organization_id != badge_class.organization_id:
                    errors.append({"recipient_id": str(pid), "reason": "not in the badge class's organization"})
                else:
                    units.append(issuance.Unit(person))
            outcomes = issuance.issue_many(badge_class, units, source_kind="bulk", actor=actor, job_id=job.id)
            # Progress and lease renewal, guarded by the lease: a worker that lost it stops here.
            result = dict(job.result or {})
            result["issued"] = result.get("issued", 0) + sum(1 for o in outcomes if o.created)
            result["already_had"] = result.get("already_had", 0) + sum(1 for o in outcomes if not o.created)
            result["errors"] = (result.get("errors") or []) + errors
            now = utcnow()
            renewed = db.session.execute(update(Job).where(Job.id == job.id, Job.lease_owner == owner).values(
                done=start_at + len(batch_ids), failed=Job.failed + len(errors), result=result,
                lease_expires_at=now + timedelta(seconds=lease_seconds()))
                .execution_options(synchronize_session=False)).rowcount
            db.session.commit()
            if renewed != 1:
                log.warning("job %s: lease lost to another worker; stopping", job.id)
                return job
            db.session.refresh(job)
        _finish(job, owner, "succeeded")
    except Exception as exc:
        db.session.rollback()
        _finish(job, owner, "failed", error=f"{type(exc).__name__}: {exc}")
        raise
    return job


_finish = job_runner.finish


def resume_stale() -> list[uuid.UUID]:
    """Run here every bulk job that is queued or whose worker's lease expired
    (the CLI, tests). Returns the ids run. RQ workers re-enqueue them on their own."""
    return job_runner.resume_stale(KIND)


def progress(job: Job) -> dict:
    return {"id": str(job.id), "status": job.status, "total": job.total, "done": job.done, "failed": job.failed,
            "percent": round(100 * job.done / job.total, 1) if job.total else 100.0, "result": job.result,
            "error": job.error, "created_at": job.created_at, "started_at": job.started_at,
            "finished_at": job.finished_at}


def init_app(app) -> None:
    import click

    @app.cli.command("badges-resume-jobs")
    def resume_jobs_command():
        """Resume queued or abandoned bulk issuance jobs (run by a worker)."""
        ran = resume_stale()
        click.echo(f"resumed {len(ran)} job(s)")


job_runner.register_job_kind(KIND, run)
