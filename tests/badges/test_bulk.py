"""Bulk issuance as a background job: a 1,000-student section through the
API, a CSV, and a worker killed mid-job whose job resumes without loss or
duplicates."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

from openbadges.verify import verify
from tests.support.badges import HttpResolver, app_fetcher, badge_class
from tests.support.jobs import join_job_thread

ROOT = Path(__file__).resolve().parents[2]


def _students(org, n, section=None):
    """n students inserted in one statement (factory.person commits one by one)."""
    from service.extensions import db
    from service.models import Enrolment, Person

    rows = [{"id": uuid.uuid4(), "organization_id": org.id, "role": "student",
             "email": f"bulk-{uuid.uuid4().hex[:12]}@example.test", "display_name": f"Bulk student {i:04d}",
             "session_version": 1, "is_active": True} for i in range(n)]
    db.session.execute(db.insert(Person), rows)
    if section is not None:
        db.session.execute(db.insert(Enrolment), [{"id": uuid.uuid4(), "section_id": section.id,
                                                   "person_id": r["id"], "role": "student"} for r in rows])
    db.session.commit()
    return rows


def _wait(client, auth, job_id, timeout=240):
    """The job's final progress, read through the API once its thread has ended."""
    join_job_thread(job_id, timeout)
    body = client.get(f"/api/v1/bulk-jobs/{job_id}", headers=auth).get_json()
    assert body["status"] in ("succeeded", "failed"), body
    return body, [body["done"]]


def test_bulk_issue_1000_badges_to_a_section(app, client, factory):
    from service.badges.models import Award, StatusListEntry
    from service.extensions import db

    school = factory.school()
    org, teacher = school["org"], school["t1"]
    section = factory.section(org, teachers=[teacher])
    _students(org, 1000, section)
    bc = badge_class(org, name="Field Trip")
    auth = factory.auth(teacher)

    response = client.post(f"/api/v1/badge-classes/{bc.id}/bulk-jobs", headers=auth,
                           json={"section_id": str(section.id)})
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert job["total"] == 1000 and job["status"] in ("queued", "running", "succeeded")
    final, seen = _wait(client, auth, job["id"])
    assert final["status"] == "succeeded", final
    assert final["done"] == 1000 and final["failed"] == 0 and final["percent"] == 100.0
    assert final["result"]["issued"] == 1000

    db.session.expire_all()
    awards = db.session.scalars(db.select(Award).where(Award.job_id == uuid.UUID(job["id"]))).all()
    assert len(awards) == 1000 and len({a.recipient_id for a in awards}) == 1000
    assert {a.status for a in awards} == {"issued"} and {a.source for a in awards} == {"bulk"}
    indexes = db.session.scalars(db.select(StatusListEntry.status_index).where(
        StatusListEntry.award_id.in_([a.id for a in awards]))).all()
    assert len(set(indexes)) == 1000
    resolver, fetcher = HttpResolver(client), app_fetcher(client)
    for award in awards[::250]:
        assert verify(award.credential, resolver=resolver, status_fetcher=fetcher).verified
        assert verify(award.credential_jwt, resolver=resolver, status_fetcher=fetcher).verified

    # Running it again issues nothing new (one badge per student and class).
    again = client.post(f"/api/v1/badge-classes/{bc.id}/bulk-jobs", headers=auth,
                        json={"section_id": str(section.id)}).get_json()
    final, _ = _wait(client, auth, again["id"])
    assert final["result"] == {**final["result"], "issued": 0, "already_had": 1000}
    assert db.session.scalar(db.select(db.func.count(Award.id)).where(Award.badge_class_id == bc.id)) == 1000


def test_bulk_from_csv_reports_skipped_rows(app, client, factory):
    school = factory.school()
    bc = badge_class(school["org"])
    school["s1"].external_id = "S-0001"
    from service.extensions import db

    db.session.commit()
    csv = ("email,external_id\n"
           f"{school['s2'].email.upper()},\n"
           ",S-0001\n"
           "nobody@example.test,\n"
           f"{school['t2'].email},\n"
           ",\n")
    auth = factory.auth(school["admin"])
    response = client.post(f"/api/v1/badge-classes/{bc.id}/bulk-jobs", headers=auth, json={"csv": csv})
    assert response.status_code == 202, response.get_json()
    final, _ = _wait(client, auth, response.get_json()["id"])
    assert final["status"] == "succeeded" and final["total"] == 2 and final["result"]["issued"] == 2
    assert [s["line"] for s in final["result"]["skipped"]] == [4, 5, 6]
    bad = client.post(f"/api/v1/badge-classes/{bc.id}/bulk-jobs", headers=auth, json={"csv": "name\nx\n"})
    assert bad.status_code == 422
    neither = client.post(f"/api/v1/badge-classes/{bc.id}/bulk-jobs", headers=auth, json={})
    assert neither.status_code == 422


def test_a_job_is_seen_by_its_creator_and_admins_only(app, client, factory):
    """JobPolicy: the same answer from the API and the progress page."""
    school = factory.school()
    section = factory.section(school["org"], teachers=[school["t1"]], students=[school["s1"]])
    bc = badge_class(school["org"])
    auth = factory.auth(school["t1"])
    response = client.post(f"/api/v1/badge-classes/{bc.id}/bulk-jobs", headers=auth,
                           json={"section_id": str(section.id)})
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["id"]
    _wait(client, auth, job_id)
    for person, status in (("t1", 200), ("admin", 200), ("t2", 404), ("s1", 404)):
        api = client.get(f"/api/v1/bulk-jobs/{job_id}", headers=factory.auth(school[person]))
        assert api.status_code == status, person
    other = factory.school()
    assert client.get(f"/api/v1/bulk-jobs/{job_id}", headers=factory.auth(other["admin"])).status_code == 404
    assert client.get(f"/api/v1/bulk-jobs/{uuid.uuid4()}", headers=auth).status_code == 404


def test_bulk_jobs_are_for_the_sections_teachers(app, client, factory):
    school = factory.school()
    bc = badge_class(school["org"])
    response = client.post(f"/api/v1/badge-classes/{bc.id}/bulk-jobs", headers=factory.auth(school["t2"]),
                           json={"section_id": str(school["sec1"].id)})
    assert response.status_code == 404  # t2 does not see t1's section
    response = client.post(f"/api/v1/badge-classes/{bc.id}/bulk-jobs", headers=factory.auth(school["s1"]),
                           json={"section_id": str(school["sec1"].id)})
    assert response.status_code == 403


# After each commit the worker says so and waits for the test's word, so the test
# kills it at a known point (after its first committed progress), not after a sleep.
WORKER = """
import json, sys, uuid
from sqlalchemy import event
from sqlalchemy.orm import Session
from service import create_app
from service.badges import jobs

config = json.loads(sys.argv[1])
app = create_app(config["app"])


def pause_after_commit(session):
    print("committed", flush=True)
    sys.stdin.readline()


event.listen(Session, "after_commit", pause_after_commit)
with app.app_context():
    jobs.run(uuid.UUID(config["job_id"]), owner="doomed-worker")
"""


def test_worker_killed_mid_job_loses_nothing_and_issues_nothing_twice(app, app_config, factory, tmp_path):
    from service.badges import jobs, keys
    from service.badges.models import Award
    from service.extensions import db
    from service.models import Job, Person, utcnow

    school = factory.school()
    org = school["org"]
    rows = _students(org, 1000)
    bc = badge_class(org)
    keys.ensure_keys(org)
    people = db.session.scalars(db.select(Person).where(Person.id.in_([r["id"] for r in rows]))).all()
    job = jobs.create(bc, people, actor=school["admin"])
    job_id = job.id

    config = {**app_config, "BADGE_JOB_LEASE_SECONDS": 2}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INSTANCE_PATH": str(tmp_path / "worker")}
    worker = subprocess.Popen([sys.executable, "-c", WORKER, json.dumps({"app": config, "job_id": str(job_id)})],
                              env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    while True:  # kill it, paused, right after it has committed some progress
        line = worker.stdout.readline()
        assert line == "committed\n", worker.stderr.read()[-2000:]
        db.session.expire_all()
        if db.session.get(Job, job_id).done > 0:
            break
        worker.stdin.write("\n")
        worker.stdin.flush()
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    db.session.expire_all()
    crashed = db.session.get(Job, job_id)
    assert crashed.status == "running" and 0 < crashed.done < 1000, (crashed.status, crashed.done)
    assert crashed.lease_owner == "doomed-worker"

    assert jobs.run(job_id) is None  # the dead worker's lease still holds...
    # ...until it expires: the lease's end moves into the past, as time passing would move it.
    db.session.execute(db.update(Job).where(Job.id == job_id).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert jobs.resume_stale() == [job_id]
    db.session.expire_all()
    done = db.session.get(Job, job_id)
    assert done.status == "succeeded" and done.done == 1000 and done.lease_owner is None
    awards = db.session.scalars(db.select(Award).where(Award.badge_class_id == bc.id)).all()
    assert len(awards) == 1000 and len({a.recipient_id for a in awards}) == 1000
    assert all(a.credential is not None and a.status == "issued" for a in awards)


def test_bulk_award_from_the_page_shows_progress(app, client, factory):
    from service.badges.models import Award
    from service.extensions import db

    school = factory.school()
    bc = badge_class(school["org"], name="Museum Visit")
    auth = factory.auth(school["t1"])
    page = client.get("/badges/manage", headers=auth).get_data(as_text=True)
    assert f'id="class-{bc.id}"' in page and school["sec1"].name in page and school["sec2"].name not in page
    response = client.post(f"/badges/manage/classes/{bc.id}/bulk", headers=auth,
                           data={"section_id": str(school["sec1"].id)})
    # A section is only preselected: the teacher reviews who gets it and confirms.
    assert response.status_code == 302 and f"/badges/classes/{bc.id}/award" in response.headers["Location"]
    chooser = client.get(response.headers["Location"], headers=auth).get_data(as_text=True)
    assert chooser.count(" checked>") == 2
    chosen = [str(school["s1"].id), str(school["s2"].id)]
    preview = client.post(f"/badges/classes/{bc.id}/award", headers=auth,
                          data={"step": "preview", "student_ids": chosen}).get_data(as_text=True)
    assert "2 students will get this badge" in preview
    unconfirmed = client.post(f"/badges/classes/{bc.id}/award", headers=auth,
                              data={"step": "confirm", "student_ids": chosen})
    assert unconfirmed.status_code == 422 and "Tick the box to confirm" in unconfirmed.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Award.id)).where(Award.badge_class_id == bc.id)) == 0
    response = client.post(f"/badges/classes/{bc.id}/award", headers=auth,
                           data={"step": "confirm", "student_ids": chosen, "confirmed": "yes"})
    assert response.status_code == 302 and "/badges/jobs/" in response.headers["Location"]
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    final, _ = _wait(client, auth, job_id)
    assert final["status"] == "succeeded" and final["result"]["issued"] == 2
    html = client.get(f"/badges/jobs/{job_id}", headers=auth).get_data(as_text=True)
    assert 'data-status="succeeded"' in html and '<progress id="job-progress" max="2" value="2">' in html
    assert f'data-job-url="/api/v1/bulk-jobs/{job_id}"' in html
    assert client.get(f"/badges/jobs/{job_id}", headers=factory.auth(school["t2"])).status_code == 404
    assert client.get("/badges/manage", headers=factory.auth(school["s1"])).status_code == 403
