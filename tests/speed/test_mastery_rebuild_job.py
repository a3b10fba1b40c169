"""A change of mastery settings rebuilds the stored mastery in a background
job (service/assessment/mastery_jobs.py), not inside the admin's request:
chunked, with progress on the job row, resumable after a crash from the
last committed chunk, superseded by a newer change, and equal to the live
calculation when it ends."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from service import jobs
from service.assessment import mastery_jobs, mastery_store
from service.assessment.models import Competency, MasteryState
from service.assessment.progress import mastery_table
from service.extensions import db
from service.models import Job
from tests.support.assessment import scored_submission, writing_framework, writing_rubric


@pytest.fixture
def school(factory):
    data = factory.school()
    data["framework"] = writing_framework(data["org"].id, data["admin"])
    data["rubric"] = writing_rubric(data["org"].id, data["framework"], data["t1"])
    db.session.commit()
    now = datetime.now(timezone.utc)
    mastery_store.ensure_built(data["org"].id)
    for student, section, levels, days in ((data["s1"], data["sec1"], (2, 3), 90), (data["s1"], data["sec1"], (4, 4), 10),
                                           (data["s2"], data["sec1"], (3, 2), 30), (data["s3"], data["sec2"], (4, 1), 20)):
        teacher = data["t1"] if section is data["sec1"] else data["t2"]
        scored_submission(student, section, data["rubric"], teacher,
                          {"Claim and evidence": levels[0], "Organisation": levels[1]}, at=now - timedelta(days=days))
    db.session.commit()
    return data


def _stored_equals_live(school) -> bool:
    db.session.expire_all()
    students = [school["s1"].id, school["s2"].id, school["s3"].id]
    competencies = list(db.session.scalars(db.select(Competency).where(
        Competency.organization_id == school["org"].id)))
    live = mastery_table(students, competencies)
    stored = {(s, c): (level, mastered, count) for s, c, level, mastered, count in db.session.execute(
        db.select(MasteryState.student_id, MasteryState.competency_id, MasteryState.level, MasteryState.mastered,
                  MasteryState.evidence_count).where(MasteryState.student_id.in_(students)))}
    return all(stored.get(key, (None, False, 0)) == (r.level, r.mastered, r.evidence_count)
               for key, r in live.items())


def _change_method(school, method: str) -> None:
    from service.assessment.settings import settings_for

    settings_for(school["org"].id).mastery_method = method
    db.session.commit()


def _rebuilds(org_id) -> list[Job]:
    return list(db.session.scalars(db.select(Job).where(Job.organization_id == org_id, Job.kind == mastery_jobs.KIND)
                                   .order_by(Job.created_at)))


@pytest.fixture
def held(monkeypatch):
    """Jobs are queued but not started: the test runs them by hand (a worker that has not come yet)."""
    monkeypatch.setattr(jobs, "start", lambda kind, job_id: None)


def test_settings_change_queues_a_rebuild_that_ends_equal_to_live(school, client, factory):
    _change_method(school, "highest")
    jobs.join_threads()
    [job] = _rebuilds(school["org"].id)
    db.session.refresh(job)
    assert (job.status, job.done, job.total) == ("succeeded", 3, 3)
    assert _stored_equals_live(school)

    # The admin sees it on the settings page and in the API.
    response = client.get("/api/v1/assessment/mastery-rebuild", headers=factory.auth(school["admin"]))
    assert response.status_code == 200, response.json
    assert response.json["status"] == "succeeded" and response.json["percent"] == 100.0
    teacher = client.get("/api/v1/assessment/mastery-rebuild", headers=factory.auth(school["t1"]))
    assert teacher.status_code == 403


def test_the_request_does_not_wait_and_reads_stay_correct_meanwhile(school, held, client, factory):
    from service.assessment.reports import section_heatmap

    _change_method(school, "highest")
    [job] = _rebuilds(school["org"].id)
    assert job.status == "queued" and job.done == 0  # committed with the change; nothing rebuilt yet
    assert not _stored_equals_live(school)  # the stored rows still follow the old method...
    # ...but a section heatmap is computed live while the rebuild is pending.
    heat = section_heatmap(school["sec1"])
    competencies = heat.competencies
    live = mastery_table([s.id for s in heat.students], competencies)
    assert {k: (v.level, v.mastered) for k, v in heat.cells.items()} == {k: (v.level, v.mastered) for k, v in live.items()}
    page = client.get("/api/v1/assessment/mastery-rebuild", headers=factory.auth(school["admin"]))
    assert page.json["status"] == "queued" and page.json["done"] == 0 and page.json["total"] == 3

    assert jobs.resume_stale(mastery_jobs.KIND) == [job.id]
    db.session.refresh(job)
    assert job.status == "succeeded" and _stored_equals_live(school)


class _Crash(BaseException):
    """A worker process dying mid-job: nothing of ours catches it."""


def test_a_crashed_rebuild_resumes_after_its_last_committed_chunk(school, held, monkeypatch):
    monkeypatch.setattr(mastery_jobs, "CHUNK", 1)
    _change_method(school, "highest")
    [job] = _rebuilds(school["org"].id)
    real_refresh, calls = mastery_store.refresh, []

    def crashing(org_id, students, *args, **kwargs):
        calls.append(list(students))
        if len(calls) == 2:
            raise _Crash()
        return real_refresh(org_id, students, *args, **kwargs)

    monkeypatch.setattr(mastery_store, "refresh", crashing)
    with pytest.raises(_Crash):
        mastery_jobs.run(job.id, owner="worker-that-dies")
    db.session.rollback()
    db.session.refresh(job)
    assert (job.status, job.done, job.lease_owner) == ("running", 1, "worker-that-dies")
    # Nobody else may take it while the lease is live; once it lapses, another worker resumes it.
    assert mastery_jobs.run(job.id, owner="second") is None
    job.lease_expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    db.session.commit()
    assert mastery_jobs.run(job.id, owner="second") is not None
    db.session.refresh(job)
    assert (job.status, job.done) == ("succeeded", 3)
    # The first chunk was not redone; the crashed one was.
    assert calls[0] not in calls[2:] and calls[1] == calls[2]
    assert _stored_equals_live(school)
    assert mastery_jobs.run(job.id, owner="third") is None  # ended: never runs again


def test_a_newer_change_supersedes_an_active_rebuild(school, held):
    _change_method(school, "highest")
    _change_method(school, "mean")
    first, second = _rebuilds(school["org"].id)
    assert first.status == "cancelled" and second.status == "queued"
    assert mastery_jobs.run(first.id) is None
    assert mastery_jobs.run(second.id).status == "succeeded"
    assert _stored_equals_live(school)


def test_a_rebuild_that_loses_its_job_keeps_nothing(school, held, monkeypatch):
    """A worker superseded between two chunks rolls its chunk back and stops."""
    monkeypatch.setattr(mastery_jobs, "CHUNK", 1)
    _change_method(school, "highest")
    [job] = _rebuilds(school["org"].id)
    real_refresh = mastery_store.refresh

    def superseded_meanwhile(org_id, students, *args, **kwargs):
        written = real_refresh(org_id, students, *args, **kwargs)
        db.session.execute(db.update(Job).where(Job.id == job.id).values(status="cancelled", lease_owner=None))
        return written

    monkeypatch.setattr(mastery_store, "refresh", superseded_meanwhile)
    mastery_jobs.run(job.id, owner="w")
    db.session.refresh(job)
    assert job.done == 0
    assert not _stored_equals_live(school)  # the chunk's states went with it
