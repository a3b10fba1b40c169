"""A score and the badges it earns are one honest story (badges/auto_award.py):
the score commits with a queued rule check; the check runs after the commit,
and when signing fails (an unusable key) the score stays saved and reported
saved, the failure is recorded on the job and retried, and a retry after the
key is usable again issues exactly one credential."""
from __future__ import annotations

import io
import uuid

import pytest

from service.extensions import db
from service.models import Job
from tests.support.badges import badge_class, competency_and_rubric
from tests.support.signin import csrf_of, sign_in


@pytest.fixture
def setup(app, factory):
    from service.assessment import scoring
    from service.badges import keys
    from service.portfolio import artifacts

    school = factory.school()
    competency, rubric = competency_and_rubric(school["org"], school["t1"])
    bc = badge_class(school["org"], issue_mode="auto",
                     rule={"all": [{"competency_id": str(competency.id), "min_level": 3}]})
    keys.ensure_keys(school["org"])
    content = artifacts.ingest_file(io.BytesIO(b"%PDF-1.4\n%work\n%%EOF\n"), "work.pdf")
    artifact = artifacts.create_artifact(school["s1"], kind="file", title="Work", content=content)
    db.session.commit()
    submission = scoring.submit(school["s1"], section_id=school["sec1"].id, rubric_id=rubric.id,
                                artifact_version_ids=[artifact.versions[0].id], title="Work",
                                competency_id=competency.id)
    db.session.commit()
    top = next(lv for lv in rubric.levels if lv.proficiency_value == 4)
    return dict(school, bc=bc, rubric=rubric, submission=submission, level=top)


def _unusable_key(app):
    """The issuer's keys stay wrapped under the real key-encryption key; this one cannot unwrap them."""
    real = app.config["KEY_ENCRYPTION_KEY_BYTES"]
    app.config["KEY_ENCRYPTION_KEY_BYTES"] = b"\x01" * 32
    return real


def _rule_checks():
    db.session.expire_all()
    return db.session.scalars(db.select(Job).where(Job.kind == "badges.rule_check")).all()


def _awards(bc):
    from service.badges.models import Award

    return db.session.scalars(db.select(Award).where(Award.badge_class_id == bc.id)).all()


def test_score_through_the_api_survives_a_signing_failure_and_the_badge_follows_on_retry(app, client, factory,
                                                                                         setup):
    from service import jobs
    from service.assessment.models import Assessment

    real = _unusable_key(app)
    app.config["JOB_RETRY_SECONDS"] = 0  # the retry is due at once; no test waits on the clock
    body = {"scores": [{"criterion_id": str(setup["rubric"].criteria[0].id), "level_id": str(setup["level"].id)}]}
    response = client.post(f"/api/v1/submissions/{setup['submission'].id}/scores", json=body,
                           headers=factory.auth(setup["t1"]))

    assert response.status_code == 201, response.get_json()  # saved, and said so
    assert db.session.get(Assessment, uuid.UUID(response.get_json()["id"])) is not None
    [check] = _rule_checks()
    assert check.status == "queued" and check.result["attempts"] == 1  # waiting for its retry
    assert "SigningKeyUnavailable" in check.error and "cannot unwrap" in check.error
    assert _awards(setup["bc"]) == []

    assert jobs.resume_stale("badges.rule_check") == [check.id]  # still unusable: recorded again
    [check] = _rule_checks()
    assert (check.status, check.result["attempts"]) == ("queued", 2) and _awards(setup["bc"]) == []

    app.config["KEY_ENCRYPTION_KEY_BYTES"] = real
    assert jobs.resume_stale("badges.rule_check") == [check.id]
    [check] = _rule_checks()
    assert check.status == "succeeded" and check.error is None
    [award] = _awards(setup["bc"])
    assert award.status == "issued" and award.source == "auto" and award.recipient_id == setup["s1"].id
    assert check.result["awards"] == [str(award.id)]
    assert jobs.resume_stale("badges.rule_check") == []  # ended: never run again


def test_score_on_the_page_is_not_reported_as_lost_when_signing_fails(app, client, setup):
    from service.assessment.models import Assessment

    _unusable_key(app)
    sign_in(client, setup["t1"])
    token = csrf_of(client)
    criterion = setup["rubric"].criteria[0]
    response = client.post(f"/assessment/submissions/{setup['submission'].id}", data={
        "csrf_token": token, "action": "score", f"level-{criterion.id}": str(setup["level"].id)})

    assert response.status_code == 302  # back to the submission, not "nothing was saved"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "nothing was saved" not in page
    db.session.expire_all()
    assert db.session.scalar(db.select(Assessment).where(
        Assessment.submission_id == setup["submission"].id)) is not None
    [check] = _rule_checks()
    assert check.status == "queued" and "cannot unwrap" in check.error


def test_a_rolled_back_score_queues_nothing(app, setup):
    from service.assessment import scoring

    assessment = scoring.score(setup["submission"], setup["t1"], {"scores": [
        {"criterion_id": setup["rubric"].criteria[0].id, "level_id": setup["level"].id}]})
    scoring.announce_mastery_change(assessment)
    db.session.rollback()
    assert _rule_checks() == [] and _awards(setup["bc"]) == []
    db.session.commit()  # a later commit of the same session starts nothing left over
    assert _rule_checks() == []


def test_the_check_gives_up_after_its_attempts_and_says_why(app, setup):
    from service import jobs
    from service.assessment import scoring
    from service.badges import auto_award

    _unusable_key(app)
    app.config["JOB_RETRY_SECONDS"] = 0
    scoring.score_submission(setup["submission"], setup["t1"], {"scores": [
        {"criterion_id": setup["rubric"].criteria[0].id, "level_id": setup["level"].id}]})
    for _ in range(auto_award.MAX_ATTEMPTS - 1):
        jobs.resume_stale("badges.rule_check")
    [check] = _rule_checks()
    assert check.status == "failed" and check.result["attempts"] == auto_award.MAX_ATTEMPTS
    assert "cannot unwrap" in check.error and _awards(setup["bc"]) == []


def _second_submission(setup, title="More work"):
    from service.assessment import scoring
    from service.portfolio import artifacts

    content = artifacts.ingest_file(io.BytesIO(f"%PDF-1.4\n%{title}\n%%EOF\n".encode()), "more.pdf")
    artifact = artifacts.create_artifact(setup["s1"], kind="file", title=title, content=content)
    db.session.commit()
    submission = scoring.submit(setup["s1"], section_id=setup["sec1"].id, rubric_id=setup["rubric"].id,
                                artifact_version_ids=[artifact.versions[0].id], title=title,
                                competency_id=setup["rubric"].criteria[0].competency_ids[0])
    db.session.commit()
    return submission


def _score(setup, submission):
    from service.assessment import scoring

    scoring.score_submission(submission, setup["t1"], {"scores": [
        {"criterion_id": setup["rubric"].criteria[0].id, "level_id": setup["level"].id}]})


def test_no_rule_check_is_queued_once_the_student_holds_every_badge_it_could_give(app, setup):
    _score(setup, setup["submission"])
    [check] = _rule_checks()
    assert check.status == "succeeded" and len(_awards(setup["bc"])) == 1

    _score(setup, _second_submission(setup))  # nothing left to earn: no job row, lease or audit
    assert _rule_checks() == [check] and len(_awards(setup["bc"])) == 1


def test_a_new_rule_on_the_competency_brings_the_check_back(app, setup):
    _score(setup, setup["submission"])
    second = badge_class(setup["org"], name="Second look", issue_mode="auto",
                         rule={"all": [{"competency_id": str(setup["rubric"].criteria[0].competency_ids[0]),
                                        "min_level": 3}]})
    _score(setup, _second_submission(setup))
    assert len(_rule_checks()) == 2
    [award] = _awards(second)
    assert award.recipient_id == setup["s1"].id


def test_an_archived_class_queues_no_check(app, setup):
    from service.models import utcnow

    setup["bc"].archived_at = utcnow()
    db.session.commit()
    _score(setup, setup["submission"])
    assert _rule_checks() == [] and _awards(setup["bc"]) == []
