"""Automatic awards after a score: a job checks the badge rules.

Assessment sends `events.mastery_changed` inside the scoring transaction.
`queue_rule_check` (the receiver) only adds a `jobs` row to that transaction,
so the score and the promise to check its badges commit together (no row
when no badge could come of the score: see `queue_rule_check`); the job
starts after the commit (service/jobs.py: right after it in the same request
with the inline runner, on a worker with Redis). Evaluating the rules and
signing happen there, so a failure (an unusable signing key, a full disk)
can never undo the score or be reported as a failed score: the job records
it and is retried with growing delays; `award_key` makes every retry, and
any rerun, issue at most one credential per student and badge.
"""
from __future__ import annotations

import logging
import uuid

from flask import current_app

from .. import jobs as job_runner
from ..extensions import db
from ..models import Job
from . import issuance

log = logging.getLogger(__name__)

KIND = "badges.rule_check"
MAX_ATTEMPTS = 8


def queue_rule_check(sender, *, student_id, competency_ids, organization_id) -> Job | None:
    """Receiver of `events.mastery_changed`: queue a rule check in the sender's
    transaction, unless no badge could come of it (no live rule names these
    competencies, or the student already has an award of every class whose rule
    does). Most scores are of that kind: a job row, its lease and its audit
    cost three commits and most of a scoring request's CPU (bench_load.py)."""
    if not issuance.rule_candidates(student_id, competency_ids, organization_id):
        return None
    job = Job(id=uuid.uuid4(), organization_id=organization_id, kind=KIND, status="queued", total=1,
              payload={"student_id": str(student_id), "competency_ids": [str(c) for c in competency_ids]},
              result={"attempts": 0})
    db.session.add(job)
    job_runner.start_after_commit(KIND, job.id)
    return job


def retry_delay(attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: doubling from JOB_RETRY_SECONDS."""
    return float(current_app.config.get("JOB_RETRY_SECONDS", 60)) * 2 ** (attempts - 1)


def run(job_id: uuid.UUID) -> Job | None:
    """Check the rules once; None when another worker holds the job."""
    owner = job_runner.worker_id()
    if not job_runner.take_lease(job_id, owner):
        return None
    job = db.session.get_one(Job, job_id, populate_existing=True)  # one read of the row the lease just changed
    payload, result = job.payload, dict(job.result or {})
    try:
        outcomes = issuance.award_for_mastery(uuid.UUID(payload["student_id"]),
                                              [uuid.UUID(c) for c in payload["competency_ids"]],
                                              job.organization_id)
    except Exception as exc:
        db.session.rollback()
        attempts = int((job.result or {}).get("attempts", 0)) + 1
        error = f"{type(exc).__name__}: {exc}"
        log.warning("badge rule check %s failed (attempt %d): %s", job.id, attempts, error)
        if attempts >= MAX_ATTEMPTS:
            job.result = {**(job.result or {}), "attempts": attempts, "last_error": error}
            job_runner.finish(job, owner, "failed", error=error)
        else:
            job_runner.retry_later(job, owner, error, attempts=attempts, delay_seconds=retry_delay(attempts))
        return job
    # The awards committed (and expired): their ids from the identity, not a reload each.
    awards = [str(db.inspect(o.award).identity[0]) for o in outcomes if o.created]
    job_runner.finish(job, owner, "succeeded", done=1, result={**result, "awards": awards})
    return job


job_runner.register_job_kind(KIND, run)
