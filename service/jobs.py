"""Background job runners: a thread in this process, or an RQ queue on Redis.

The `jobs` row (service/models/job.py) is the source of truth for every job:
status, progress and a lease. A job kind registers one function,
`run(job_id)`, which takes the lease (`take_lease`), works, renews the lease
with its progress and ends with `finish`. The runner only decides *where* that
function is called:

- `JOB_QUEUE_URL=inline` (default): a daemon thread of the process that
  created the job.
- `JOB_QUEUE_URL=redis://host:port/db`: the job is enqueued on an RQ queue and
  a `flask --app service jobs-worker` process runs it inside an app context.
  Redis holds only (kind, job id), JSON-serialized: never pickled objects.

Crash safety comes from the lease, not from RQ. A dead worker's lease expires;
`requeue_stale()` (every worker runs it while idle) or `resume_stale()` (runs
them here and now) start the job again from its recorded progress. RQ never
retries on its own (no `Retry`), and a job whose lease is held or which has
already ended is not run again, so RQ's failure bookkeeping for a dead worker
cannot cause double work. Each unit of work must still be idempotent in its
own table, because the batch in flight when a worker dies is redone.
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import and_, event, or_, update
from sqlalchemy.orm import Session

from . import audit
from .errors import Problem, register_domain_error
from .extensions import db
from .models import Job, utcnow

__all__ = ["RunnerUnavailable", "UnknownJobKind", "register_job_kind", "check_runner", "start",
           "start_after_commit", "join_threads", "execute", "take_lease", "finish", "retry_later", "lease_seconds", "worker_id",
           "stale_jobs", "resume_stale", "requeue_stale", "revive_if_abandoned", "sweep_abandoned", "start_sweeper",
           "run_worker", "init_app"]

log = logging.getLogger(__name__)

QUEUE_NAME = "service-jobs"
# RQ kills a job after this long; a killed job is marked failed by its run
# function. Liveness is the lease's business, so this is only a backstop.
JOB_TIMEOUT_SECONDS = 3600
ACTIVE = ("queued", "running")


class RunnerUnavailable(RuntimeError):
    """JOB_QUEUE_URL names a runner that is not usable (unknown scheme, the
    `rq`/`redis` packages missing, or the Redis server unreachable)."""


def _runner_unavailable(exc: RunnerUnavailable) -> Problem:
    return Problem(503, str(exc))


register_domain_error(RunnerUnavailable, _runner_unavailable)


class UnknownJobKind(LookupError):
    """No run function is registered for a job's kind in this process."""


@dataclass(frozen=True)
class _Kind:
    run: Callable[[uuid.UUID], object]
    timeout: int


_KINDS: dict[str, _Kind] = {}


def register_job_kind(kind: str, run: Callable[[uuid.UUID], object], *, timeout: int = JOB_TIMEOUT_SECONDS) -> None:
    """Make `kind` runnable: `run(job_id)` works the job to its end (or returns
    at once when another worker holds its lease). Call at import time of the
    feature module, so API processes and workers both know the kind."""
    _KINDS[kind] = _Kind(run, timeout)


def lease_seconds() -> int:
    return int(current_app.config.get("JOB_LEASE_SECONDS", 60))


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


# -- runner selection ------------------------------------------------------------------------
def _queue_url() -> str:
    return (current_app.config.get("JOB_QUEUE_URL") or "inline").strip()


def _queue_url_of(app) -> str:
    return (app.config.get("JOB_QUEUE_URL") or "inline").strip()


def _is_redis(url: str) -> bool:
    return urlsplit(url).scheme in ("redis", "rediss", "unix")


def _queue(url: str):
    """The RQ queue for `url` (connection pools are cached per URL)."""
    try:
        from redis import Redis
        from rq import Queue
        from rq.serializers import JSONSerializer
    except ImportError as exc:
        raise RunnerUnavailable(f"JOB_QUEUE_URL is a Redis URL but {exc.name!r} is not installed "
                                "(install the 'redis' extra: rq and redis)") from None
    connection = _connections.get(url)
    if connection is None:
        connection = _connections.setdefault(url, Redis.from_url(url, socket_connect_timeout=5))
    return Queue(QUEUE_NAME, connection=connection, serializer=JSONSerializer)


_connections: dict = {}


def check_runner() -> str:
    """Refuse early (before a job row is written) when the configured runner
    cannot take jobs. Returns the runner's name: "inline" or "redis"."""
    url = _queue_url()
    if url == "inline":
        return "inline"
    if not _is_redis(url):
        raise RunnerUnavailable(f"JOB_QUEUE_URL={url!r}: use 'inline' or a redis:// URL")
    queue = _queue(url)
    from redis.exceptions import RedisError

    try:
        queue.connection.ping()
    except RedisError as exc:
        raise RunnerUnavailable(f"the job queue at {_safe(url)} is unreachable: {exc}") from None
    return "redis"


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else "")).geturl() \
        if parts.hostname else url


# -- dispatching -----------------------------------------------------------------------------
def start(kind: str, job_id: uuid.UUID):
    """Hand a committed job row to the configured runner. Returns the thread
    (inline) or the RQ job id (redis)."""
    if kind not in _KINDS:
        raise UnknownJobKind(kind)
    url = _queue_url()
    if url == "inline":
        app = current_app._get_current_object()
        thread = threading.Thread(target=_run_in_app, args=(app, kind, job_id), name=f"job-{job_id}", daemon=True)
        _threads.add(thread)
        thread.start()
        return thread
    if not _is_redis(url):
        raise RunnerUnavailable(f"JOB_QUEUE_URL={url!r}: use 'inline' or a redis:// URL")
    # The id names the row so that queued entries can be matched to rows
    # without deserializing them; the suffix keeps re-enqueues distinct.
    rq_id = f"job_{job_id.hex}_{secrets.token_hex(4)}"
    _queue(url).enqueue_call("service.jobs.execute", args=(kind, str(job_id)), job_id=rq_id,
                             timeout=_KINDS[kind].timeout, description=f"{kind} {job_id}",
                             result_ttl=3600, failure_ttl=7 * 86400)
    return rq_id


_AFTER_COMMIT = "jobs.start_after_commit"
_threads: "weakref.WeakSet[threading.Thread]" = weakref.WeakSet()


def join_threads(timeout: float = 60) -> None:
    """Wait for this process's inline job threads (tests, before tearing down the database)."""
    for thread in list(_threads):
        thread.join(timeout)


def start_after_commit(kind: str, job_id: uuid.UUID, *, background: bool = False) -> None:
    """Start a job whose row was added to the current transaction once that
    transaction commits; if it rolls back, the job never existed.

    The work that asked for the job and the job row commit together, so a
    crash after the commit leaves a queued job that the sweep starts, never
    a lost one. With the inline runner the job runs right after the commit in
    this thread, in its own app context and session: the caller's response
    reflects its outcome, and its failure is recorded on the job row, never
    raised into the caller (whose work is already committed). With Redis it
    is enqueued. With `background`, an inline job runs in a new thread
    instead, and the caller's response does not wait for it (long jobs whose
    progress the job row shows)."""
    if kind not in _KINDS:
        raise UnknownJobKind(kind)
    db.session.info.setdefault(_AFTER_COMMIT, []).append((current_app._get_current_object(), kind, job_id,
                                                          background))


@event.listens_for(Session, "after_commit")
def _start_committed_jobs(session) -> None:
    for app, kind, job_id, background in session.info.pop(_AFTER_COMMIT, None) or ():
        try:
            with app.app_context():
                inline = _queue_url() == "inline"
                if not inline or background:
                    start(kind, job_id)
            if inline and not background:
                _run_in_app(app, kind, job_id)  # its own app context and session
        except Exception:  # committed and queued: a worker's sweep or resume_stale starts it later
            log.exception("job %s (%s) could not be started after commit; it stays queued", job_id, kind)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_jobs(session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def _run_in_app(app, kind, job_id):
    with app.app_context():
        try:
            execute(kind, str(job_id))
        except Exception:  # the job row records the failure; never kill the process
            log.exception("job %s (%s) crashed", job_id, kind)
        finally:
            db.session.remove()


def execute(kind: str, job_id: str) -> str:
    """Run one job in the current app context: the function RQ calls, with
    only JSON-safe arguments. Returns a short outcome for RQ's result."""
    job_uuid = uuid.UUID(job_id)
    entry = _KINDS.get(kind)
    if entry is None:
        # A worker built without this feature: say so on the row rather than
        # leaving it to be re-enqueued forever.
        owner = worker_id()
        if take_lease(job_uuid, owner, 60):
            job = db.session.get(Job, job_uuid)
            finish(job, owner, "failed", error=f"no run function for job kind {kind!r} on worker {owner}")
        raise UnknownJobKind(kind)
    try:
        outcome = entry.run(job_uuid)
    except Exception as exc:
        # A run function that raised without ending its job: end it here, so
        # the sweep does not resume a job that fails every time.
        db.session.rollback()
        job = db.session.get(Job, job_uuid)
        if job is not None and job.status in ACTIVE and job.lease_owner == worker_id():
            finish(job, worker_id(), "failed", error=f"{type(exc).__name__}: {exc}")
        raise
    return "skipped: leased elsewhere or ended" if outcome is None else "ran"


# -- leases ----------------------------------------------------------------------------------
def take_lease(job_id: uuid.UUID, owner: str, seconds: int | None = None) -> bool:
    """Claim an active job for `owner` when nobody else holds a live lease;
    marks it running. Commits. False when another worker holds it or it has ended."""
    now = utcnow()
    taken = db.session.execute(update(Job).where(
        Job.id == job_id, Job.status.in_(ACTIVE),
        or_(Job.lease_owner.is_(None), Job.lease_owner == owner, Job.lease_expires_at < now))
        .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=seconds or lease_seconds()),
                status="running", started_at=db.func.coalesce(Job.started_at, now))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return taken == 1


def finish(job: Job, owner: str, status: str, error: str | None = None, **values) -> None:
    """End a job the owner still holds (succeeded, failed or cancelled). Commits.
    `values`: more columns to set in the same UPDATE (`done`, `result`)."""
    db.session.execute(update(Job).where(Job.id == job.id, Job.lease_owner == owner).values(
        status=status, error=error, finished_at=utcnow(), lease_owner=None, lease_expires_at=None, **values)
        .execution_options(synchronize_session=False))
    audit.record(f"job.{status}", obj=job, organization_id=job.organization_id, error=error)
    db.session.commit()
    db.session.refresh(job)


def retry_later(job: Job, owner: str, error: str, *, attempts: int, delay_seconds: float) -> None:
    """Record a failed attempt and hand the job back for another one after
    `delay_seconds`: it is queued again with a lease nobody holds that lapses
    then, so a sweep (`requeue_stale`, `resume_stale`, a worker's maintenance)
    retries it no earlier. Commits."""
    now = utcnow()
    result = {**(job.result or {}), "attempts": attempts, "last_error": error}
    db.session.execute(update(Job).where(Job.id == job.id, Job.lease_owner == owner).values(
        status="queued", error=error, result=result, lease_owner="retry-wait",
        lease_expires_at=now + timedelta(seconds=max(0.0, delay_seconds)))
        .execution_options(synchronize_session=False))
    audit.record("job.retry", obj=job, organization_id=job.organization_id, error=error, attempts=attempts)
    db.session.commit()
    db.session.refresh(job)


# -- resuming --------------------------------------------------------------------------------
def _stale():
    """Active, and nobody holds a live lease on it."""
    return and_(Job.status.in_(ACTIVE), or_(Job.lease_owner.is_(None), Job.lease_expires_at < utcnow()))


def stale_jobs(kind: str | None = None) -> list[uuid.UUID]:
    """Active jobs nobody holds a live lease on: never started, or abandoned
    by a worker that died. Oldest first."""
    query = db.select(Job.id).where(_stale())
    if kind is not None:
        query = query.where(Job.kind == kind)
    return list(db.session.scalars(query.order_by(Job.created_at)))


def resume_stale(kind: str | None = None) -> list[uuid.UUID]:
    """Run every stale job of a registered kind here, one after another
    (the CLI and tests). Returns the ids that ran (lease taken)."""
    ran = []
    for job_id, job_kind in _with_kinds(stale_jobs(kind)):
        if _KINDS[job_kind].run(job_id) is not None:
            ran.append(job_id)
    return ran


def revive_if_abandoned(job: Job) -> bool:
    """With the inline runner there is no worker to sweep for stale jobs, so a
    job whose process died (a restart, a crash) resumes when someone looks at
    its progress: hand it to a new thread if it is stale and either held a
    lease once or has waited a whole lease period untaken (a job created a
    moment ago is still being picked up). True when handed over. Harmless
    when raced: `take_lease` lets one thread in, and units are idempotent."""
    if _queue_url() != "inline" or job.kind not in _KINDS:
        return False
    abandoned = db.session.scalar(db.select(Job.id).where(Job.id == job.id, _abandoned()))
    if abandoned is None:
        return False
    log.warning("resuming abandoned job %s (%s)", job.id, job.kind)
    start(job.kind, job.id)
    return True


def _abandoned():
    """Stale, and either held a lease once or waited a whole lease period untaken."""
    waited = utcnow() - timedelta(seconds=lease_seconds())
    return and_(_stale(), or_(Job.lease_owner.is_not(None), Job.created_at < waited))


def sweep_abandoned() -> list[uuid.UUID]:
    """Inline runner: start every abandoned job of a registered kind in a new
    thread of this process. Returns the ids handed over."""
    ids = list(db.session.scalars(db.select(Job.id).where(_abandoned()).order_by(Job.created_at)))
    handed = []
    for job_id, kind in _with_kinds(ids):
        log.warning("sweep: resuming abandoned job %s (%s)", job_id, kind)
        start(kind, job_id)
        handed.append(job_id)
    return handed


_sweeper_pid: int | None = None


def start_sweeper(app, interval: float | None = None, after_sweep=None) -> threading.Event:
    """With the inline runner nobody else resumes a job whose process died, so
    each web process runs this daemon thread: every JOB_SWEEP_SECONDS it hands
    abandoned jobs to new threads (take_lease lets one process in). Set the
    returned event to stop it. ``after_sweep(resumed_ids)`` is called after each
    sweep (tests wait on it instead of polling)."""
    interval = float(interval if interval is not None else app.config["JOB_SWEEP_SECONDS"])
    stop = threading.Event()

    def loop():
        while not stop.wait(interval * (0.75 + secrets.randbelow(500) / 1000)):  # jitter: workers spread out
            with app.app_context():
                try:
                    resumed = sweep_abandoned() if _queue_url() == "inline" else []
                    if after_sweep is not None:
                        after_sweep(resumed)
                except Exception:  # a failed sweep (database down) must not end the loop
                    log.exception("sweeping abandoned jobs failed")
                finally:
                    db.session.remove()

    threading.Thread(target=loop, name="job-sweeper", daemon=True).start()
    return stop


def _ensure_sweeper(app) -> None:
    """Start this process's sweeper on its first request: gunicorn forks
    workers after the app is built, and threads do not survive a fork."""
    global _sweeper_pid
    if _sweeper_pid != os.getpid():
        _sweeper_pid = os.getpid()
        start_sweeper(app)


def requeue_stale(kind: str | None = None) -> list[uuid.UUID]:
    """Hand every stale job of a registered kind to the configured runner,
    except those already waiting in the Redis queue. Returns the ids handed over."""
    url = _queue_url()
    waiting = set()
    if _is_redis(url):
        waiting = {rq_id.split("_")[1] for rq_id in _queue(url).get_job_ids() if rq_id.startswith("job_")}
    handed = []
    for job_id, job_kind in _with_kinds(stale_jobs(kind)):
        if job_id.hex not in waiting:
            start(job_kind, job_id)
            handed.append(job_id)
    return handed


def _with_kinds(ids: list[uuid.UUID]) -> list[tuple[uuid.UUID, str]]:
    if not ids:
        return []
    kinds = dict(db.session.execute(db.select(Job.id, Job.kind).where(Job.id.in_(ids))).all())
    return [(i, kinds[i]) for i in ids if kinds.get(i) in _KINDS]


# -- the RQ worker ---------------------------------------------------------------------------
def _worker_class():
    from rq import Worker

    class AppWorker(Worker):
        """RQ's forking worker with the Flask app around each job. The work
        horse is a fork: it drops the parent's pooled database connections
        (never share a socket across fork) and opens its own."""

        flask_app = None

        def perform_job(self, job, queue, execution):
            with self.flask_app.app_context():
                db.engine.dispose(close=False)
                try:
                    return super().perform_job(job, queue, execution)
                finally:
                    db.session.remove()

        def run_maintenance_tasks(self):
            super().run_maintenance_tasks()
            with self.flask_app.app_context():
                try:
                    handed = requeue_stale()
                    if handed:
                        self.log.info("re-enqueued %d stale job(s): %s", len(handed), ", ".join(map(str, handed)))
                except Exception:  # a sweep failing (database down) must not stop the worker
                    log.exception("sweeping stale jobs failed")
                finally:
                    db.session.remove()

    return AppWorker


def run_worker(app, *, burst: bool = False, sweep_seconds: int = 30) -> bool:
    """Work the job queue of `app`'s JOB_QUEUE_URL until stopped (or, with
    `burst`, until it is empty). Every `sweep_seconds` while idle the worker
    re-enqueues stale jobs, so a job whose worker died resumes on its own."""
    with app.app_context():
        url = _queue_url()
        if not _is_redis(url):
            raise RunnerUnavailable(f"JOB_QUEUE_URL={url!r}: the jobs worker needs a redis:// URL")
        check_runner()
        queue = _queue(url)
    worker_class = _worker_class()
    worker_class.flask_app = app
    sweep_seconds = max(1, int(sweep_seconds))
    # The worker blocks on Redis for at most worker_ttl - 15 s, then runs its
    # maintenance (our sweep) when maintenance_interval has passed.
    worker = worker_class([queue], connection=queue.connection, serializer=queue.serializer,
                          maintenance_interval=sweep_seconds, worker_ttl=sweep_seconds + 15)
    return worker.work(burst=burst)


def init_app(app) -> None:
    import click

    if _queue_url_of(app) == "inline" and app.config.get("JOB_SWEEP_SECONDS", 0) > 0 and not app.testing:
        app.before_request(lambda: _ensure_sweeper(app))

    @app.cli.command("jobs-worker")
    @click.option("--burst", is_flag=True, help="Quit when the queue is empty.")
    @click.option("--sweep-seconds", type=int, default=30, show_default=True,
                  help="How often an idle worker re-enqueues jobs whose worker died.")
    def jobs_worker_command(burst, sweep_seconds):
        """Run background jobs from the Redis queue in JOB_QUEUE_URL (RQ)."""
        try:
            run_worker(current_app._get_current_object(), burst=burst, sweep_seconds=sweep_seconds)
        except RunnerUnavailable as exc:
            raise click.ClickException(str(exc)) from None
