"""The generic job runner with JOB_QUEUE_URL=inline (the default): job kinds
register a run function by name; a job runs in a daemon thread of this
process; leases make resuming safe; bad configuration is refused clearly."""
from __future__ import annotations

import os
import queue
import uuid
from datetime import timedelta

import pytest

from service import jobs
from tests.support.jobs import join_job_thread

KIND = "tests.count"
FAILING = "tests.always_fails"


def _count(job_id):
    """A well-behaved kind: one unit per step, progress and lease renewed as it goes."""
    from service.extensions import db
    from service.models import Job

    owner = jobs.worker_id()
    if not jobs.take_lease(job_id, owner):
        return None
    job = db.session.get(Job, job_id)
    db.session.refresh(job)
    while job.done < job.total:
        job.done += 1
        job.result = {**job.result, "owners": sorted({*job.result.get("owners", []), owner})}
        db.session.commit()
    jobs.finish(job, owner, "succeeded")
    return job


def _fail(job_id):
    owner = jobs.worker_id()
    if not jobs.take_lease(job_id, owner):
        return None
    raise RuntimeError("the unit of work broke")


jobs.register_job_kind(KIND, _count)
jobs.register_job_kind(FAILING, _fail)


def _job(factory, kind=KIND, total=5, **fields):
    from service.extensions import db
    from service.models import Job

    org = factory.org()
    job = Job(**{"organization_id": org.id, "kind": kind, "status": "queued", "total": total, "done": 0,
                 "failed": 0, "payload": {}, "result": {}, **fields})
    db.session.add(job)
    db.session.commit()
    return job.id


def _reload(job_id):
    from service.extensions import db
    from service.models import Job

    db.session.expire_all()
    return db.session.get(Job, job_id)


def test_inline_runner_runs_a_registered_kind_in_a_daemon_thread(app, factory):
    job_id = _job(factory)
    thread = jobs.start(KIND, job_id)
    assert thread.daemon and thread.name == f"job-{job_id}"
    thread.join(timeout=30)
    assert not thread.is_alive()
    job = _reload(job_id)
    assert (job.status, job.done, job.lease_owner, job.lease_expires_at) == ("succeeded", 5, None, None)
    assert job.started_at is not None and job.finished_at >= job.started_at
    (owner,) = job.result["owners"]
    assert owner.split(":")[1] == str(os.getpid()) and owner.endswith(f":{thread.ident}")


def test_a_live_lease_keeps_other_workers_out_and_an_expired_one_lets_them_resume(app, factory):
    from service.extensions import db
    from service.models import utcnow

    job_id = _job(factory, status="running", done=2, lease_owner="dead-host:1:1",
                  lease_expires_at=utcnow() + timedelta(seconds=60))
    assert jobs.stale_jobs(KIND) == [] and jobs.resume_stale(KIND) == []
    assert _reload(job_id).done == 2

    _reload(job_id).lease_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert jobs.stale_jobs(KIND) == [job_id]
    assert jobs.resume_stale(KIND) == [job_id]
    job = _reload(job_id)
    assert (job.status, job.done) == ("succeeded", 5)
    assert jobs.resume_stale(KIND) == []  # ended jobs are never run again
    assert jobs.take_lease(job_id, "another") is False


def test_requeue_stale_hands_abandoned_jobs_to_the_inline_runner(app, factory):

    from service.models import utcnow

    job_id = _job(factory, status="running", done=1, lease_owner="dead-host:1:1",
                  lease_expires_at=utcnow() - timedelta(seconds=5))
    assert jobs.requeue_stale(KIND) == [job_id]
    join_job_thread(job_id, 30)
    assert (_reload(job_id).status, _reload(job_id).done) == ("succeeded", 5)


def test_an_abandoned_job_resumes_when_its_progress_is_looked_at(app, factory):
    """The inline runner has no sweeping worker: a job left 'running' by a
    process that died resumes from where it was once someone looks at it."""

    from service.models import utcnow

    live = _job(factory, status="running", done=1, lease_owner="live-host:1:1",
                lease_expires_at=utcnow() + timedelta(seconds=60))
    assert jobs.revive_if_abandoned(_reload(live)) is False and _reload(live).done == 1
    fresh = _job(factory)  # queued a moment ago: its own thread is still picking it up
    assert jobs.revive_if_abandoned(_reload(fresh)) is False

    dead = _job(factory, status="running", done=2, lease_owner="dead-host:1:1",
                lease_expires_at=utcnow() - timedelta(seconds=1))
    assert jobs.revive_if_abandoned(_reload(dead)) is True
    join_job_thread(dead, 30)
    assert (_reload(dead).status, _reload(dead).done) == ("succeeded", 5)
    assert jobs.revive_if_abandoned(_reload(dead)) is False  # ended jobs stay ended


def test_a_run_function_that_raises_ends_its_job_as_failed(app, factory):
    job_id = _job(factory, kind=FAILING)
    with pytest.raises(RuntimeError):
        jobs.execute(FAILING, str(job_id))
    job = _reload(job_id)
    assert job.status == "failed" and job.error == "RuntimeError: the unit of work broke"
    assert job.lease_owner is None and jobs.stale_jobs(FAILING) == []


def test_a_kind_nobody_registered_is_refused(app, factory):
    with pytest.raises(jobs.UnknownJobKind):
        jobs.start("tests.nobody", uuid.uuid4())
    job_id = _job(factory, kind="tests.nobody")
    with pytest.raises(jobs.UnknownJobKind):
        jobs.execute("tests.nobody", str(job_id))  # a worker without the feature says so on the row
    job = _reload(job_id)
    assert job.status == "failed" and "no run function for job kind 'tests.nobody'" in job.error


def test_unusable_queue_urls_are_refused_clearly(app, factory):
    app.config["JOB_QUEUE_URL"] = "inline"
    assert jobs.check_runner() == "inline"
    app.config["JOB_QUEUE_URL"] = "amqp://broker.example/"
    with pytest.raises(jobs.RunnerUnavailable, match="use 'inline' or a redis:// URL"):
        jobs.check_runner()
    with pytest.raises(jobs.RunnerUnavailable):
        jobs.start(KIND, uuid.uuid4())
    app.config["JOB_QUEUE_URL"] = "redis://:secret@127.0.0.1:1/0"
    with pytest.raises(jobs.RunnerUnavailable, match="unreachable") as refused:
        jobs.check_runner()
    assert "secret" not in str(refused.value)


def test_a_periodic_sweep_resumes_lapsed_leases_without_anyone_looking(app, factory):
    """Issue 14: an abandoned inline job no longer waits for someone to poll it."""
    from service.models import utcnow

    live = _job(factory, status="running", done=1, lease_owner="live-host:1:1",
                lease_expires_at=utcnow() + timedelta(seconds=60))
    dead = _job(factory, status="running", done=2, lease_owner="dead-host:1:1",
                lease_expires_at=utcnow() - timedelta(seconds=1))
    resumed: queue.Queue = queue.Queue()
    stop = jobs.start_sweeper(app, interval=0.1, after_sweep=lambda ids: ids and resumed.put(ids))
    try:
        assert resumed.get(timeout=30) == [dead], "the sweep did not resume the abandoned job"
    finally:
        stop.set()
    join_job_thread(dead)
    assert _reload(dead).status == "succeeded"
    assert _reload(dead).done == 5
    assert (_reload(live).status, _reload(live).done) == ("running", 1)  # a live lease is left alone


def test_web_processes_start_the_sweeper_outside_tests(app_config, tmp_path, monkeypatch):
    from service import create_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setattr(jobs, "_sweeper_pid", None)
    started = []
    monkeypatch.setattr(jobs, "start_sweeper", lambda app, interval=None: started.append(app))
    app = create_app({**app_config, "TESTING": False, "SERVICE_ENV": "development"})
    app.test_client().get("/healthz")
    app.test_client().get("/healthz")
    assert started == [app]  # once per process
    redis = create_app({**app_config, "TESTING": False, "SERVICE_ENV": "development",
                        "JOB_QUEUE_URL": "redis://127.0.0.1:1/0"})
    redis.test_client().get("/healthz")
    assert started == [app]  # RQ workers sweep there
