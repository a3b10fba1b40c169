"""Bulk issuance on the RQ runner: a real redis-server and real
`flask --app service jobs-worker` processes sharing the test database.

The test app only enqueues (JOB_QUEUE_URL=redis://...); workers do the work.
A worker (or only its work horse) killed with SIGKILL mid-job leaves the
job's lease to expire; a worker's sweep re-enqueues it and it ends with
exactly one credential per student, even when RQ's own bookkeeping for the
dead job (abandoned-job cleanup, a re-run of the same call) runs too.
"""
from __future__ import annotations

import os
import signal
import time
import uuid

import pytest

from openbadges.verify import verify
from tests.support.badges import HttpResolver, app_fetcher, badge_class

STUDENTS = 300


@pytest.fixture
def app_config(app_config, redis_url):
    return {**app_config, "JOB_QUEUE_URL": redis_url}


def _wait_for(predicate, timeout, what, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def _section_of_students(factory, n):
    """A school, a section with n students (one INSERT), a badge class and the teacher's auth."""
    from service.extensions import db
    from service.models import Enrolment, Person

    school = factory.school()
    org, teacher = school["org"], school["t1"]
    section = factory.section(org, teachers=[teacher])
    rows = [{"id": uuid.uuid4(), "organization_id": org.id, "role": "student",
             "email": f"rq-{uuid.uuid4().hex[:12]}@example.test", "display_name": f"RQ student {i:04d}",
             "session_version": 1, "is_active": True} for i in range(n)]
    db.session.execute(db.insert(Person), rows)
    db.session.execute(db.insert(Enrolment), [{"id": uuid.uuid4(), "section_id": section.id,
                                               "person_id": r["id"], "role": "student"} for r in rows])
    db.session.commit()
    return section, badge_class(org, name="Queue Runner"), factory.auth(teacher), {r["id"] for r in rows}


def _job_body(client, auth, job_id):
    response = client.get(f"/api/v1/bulk-jobs/{job_id}", headers=auth)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _awards(badge_class_id):
    from service.badges.models import Award
    from service.extensions import db

    db.session.expire_all()
    return db.session.scalars(db.select(Award).where(Award.badge_class_id == badge_class_id)).all()


def _row(job_id):
    """(done, lease_owner) of the job row, read afresh."""
    from service.extensions import db
    from service.models import Job

    db.session.expire_all()
    return db.session.execute(db.select(Job.done, Job.lease_owner).where(Job.id == uuid.UUID(job_id))).one()


def _queue(redis_url):
    from redis import Redis
    from rq import Queue
    from rq.serializers import JSONSerializer

    from service.jobs import QUEUE_NAME

    return Queue(QUEUE_NAME, connection=Redis.from_url(redis_url), serializer=JSONSerializer)


def test_worker_process_runs_a_bulk_job_with_progress_in_the_api(app, client, factory, rq_workers, redis_url):
    worker = rq_workers.start()
    section, bc, auth, students = _section_of_students(factory, STUDENTS)
    response = client.post(f"/api/v1/badge-classes/{bc.id}/bulk-jobs", headers=auth,
                           json={"section_id": str(section.id)})
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["id"]
    assert response.get_json()["status"] == "queued"
    # What Redis holds is the kind and the row id, as JSON: no pickled objects.
    queued = _queue(redis_url).get_jobs()
    assert [(j.func_name, j.args) for j in queued] in ([], [("service.jobs.execute", ["badges.bulk_issue", job_id])])

    # Progress, batch by batch, read from the row (pure reads). The API is
    # polled afterwards: on SQLite each API call also records the token's last
    # use, so it waits for the worker's write lock and would skip the short
    # gap between batches. (The crash test below reads mid-job progress
    # through the API, where the job is stopped half-way.)
    row_seen, owners = [], set()

    def first_batch():
        assert worker.poll() is None, rq_workers.log_tail(worker)
        done, owner = _row(job_id)
        row_seen.append(done)
        owners.add(owner)
        return done > 0

    _wait_for(first_batch, 120, "the first batch", interval=0.002)

    def finished():
        assert worker.poll() is None, rq_workers.log_tail(worker)
        body = _job_body(client, auth, job_id)
        return body if body["status"] in ("succeeded", "failed") else None

    final = _wait_for(finished, 120, "the worker to finish the job")
    assert final["status"] == "succeeded", final
    assert final["done"] == STUDENTS and final["percent"] == 100.0 and final["result"]["issued"] == STUDENTS
    assert row_seen == sorted(row_seen) and 0 < row_seen[-1] < STUDENTS, row_seen
    # The lease was held by another process (the worker's work horse), never by this one.
    holders = {o.split(":")[1] for o in owners if o}
    assert holders and str(os.getpid()) not in holders

    awards = _awards(bc.id)
    assert len(awards) == STUDENTS and {a.recipient_id for a in awards} == students
    resolver, fetcher = HttpResolver(client), app_fetcher(client)
    for award in awards[::100]:
        assert verify(award.credential, resolver=resolver, status_fetcher=fetcher).verified


@pytest.mark.parametrize("victim", ["worker", "horse"])
def test_worker_killed_mid_job_resumes_with_one_credential_per_student(app, client, factory, rq_workers,
                                                                       redis_url, victim):
    """`worker`: the worker and its work horse die (the machine goes away); a new
    worker resumes the job. `horse`: only the horse dies; RQ's parent records
    the RQ job as failed and the same worker resumes the job after the lease."""
    from rq.registry import FailedJobRegistry

    from service.extensions import db
    from service.models import Job

    first = rq_workers.start()
    section, bc, auth, students = _section_of_students(factory, STUDENTS)
    job_id = client.post(f"/api/v1/badge-classes/{bc.id}/bulk-jobs", headers=auth,
                         json={"section_id": str(section.id)}).get_json()["id"]

    def some_progress():
        assert first.poll() is None, rq_workers.log_tail(first)
        return _row(job_id).done > 0

    _wait_for(some_progress, 120, "the first batch", interval=0.002)
    horses = rq_workers.children(first.pid)
    assert len(horses) == 1
    if victim == "worker":
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    os.kill(horses[0], signal.SIGKILL)

    db.session.expire_all()
    crashed = db.session.get(Job, uuid.UUID(job_id))
    assert crashed.status == "running" and 0 < crashed.done < STUDENTS, (crashed.status, crashed.done)
    if victim == "worker":  # nobody works on it now: the API shows where it stopped
        body = _job_body(client, auth, job_id)
        assert (body["status"], body["done"]) == ("running", crashed.done)
        assert body["percent"] == round(100 * crashed.done / STUDENTS, 1)
    assert crashed.lease_owner.split(":")[1] == str(horses[0])  # the dead horse still "holds" it
    assert len(_awards(bc.id)) < STUDENTS

    if victim == "worker":
        rq_workers.start()  # its sweep re-enqueues the job once the dead lease expires
    else:
        # RQ's parent noticed the horse die and failed the RQ job (its own
        # failure handling); that does not end our job, the lease does.
        queue = _queue(redis_url)
        _wait_for(lambda: FailedJobRegistry(queue=queue).get_job_ids(), 30, "RQ to record the dead horse")

    def finished():
        body = _job_body(client, auth, job_id)
        return body if body["status"] in ("succeeded", "failed") else None

    final = _wait_for(finished, 120, "the resumed job", interval=0.1)
    assert final["status"] == "succeeded" and final["done"] == STUDENTS, final
    result = final["result"]
    assert result["issued"] + result["already_had"] == STUDENTS and result["errors"] == []
    awards = _awards(bc.id)
    assert len(awards) == STUDENTS and {a.recipient_id for a in awards} == students
    assert all(a.credential is not None and a.status == "issued" for a in awards)

    # RQ re-running the dead worker's call (as a Retry or a manual requeue
    # would) finds the job ended and does nothing.
    queue = _queue(redis_url)
    rerun = queue.enqueue_call("service.jobs.execute", args=("badges.bulk_issue", job_id),
                               job_id=f"job_{uuid.UUID(job_id).hex}_rerun")
    _wait_for(lambda: rerun.get_status(refresh=True) == "finished", 30, "the re-run")
    assert rerun.return_value() == "skipped: leased elsewhere or ended"
    assert len(_awards(bc.id)) == STUDENTS


def test_unreachable_queue_refuses_the_bulk_job(app, client, factory, redis_url):
    """With the queue down the API answers 503 and writes no job nobody would run."""
    from service.extensions import db
    from service.models import Job

    section, bc, auth, _ = _section_of_students(factory, 2)
    app.config["JOB_QUEUE_URL"] = "redis://127.0.0.1:1/0"
    response = client.post(f"/api/v1/badge-classes/{bc.id}/bulk-jobs", headers=auth,
                           json={"section_id": str(section.id)})
    assert response.status_code == 503
    assert "unreachable" in response.get_json()["detail"]
    assert db.session.scalar(db.select(db.func.count(Job.id))) == 0
