"""Calibration never widens what a teacher may read: a session holds only work
its creator may already see, and a rater reads the work only of sessions set
up by someone entitled to it (issue 14)."""
from __future__ import annotations

from service.extensions import db
from tests.support.assessment import scored_submission


def _private_submission(school):
    submission, _ = scored_submission(school["s1"], school["sec1"], school["rubric"], school["t1"], {})
    db.session.commit()
    return submission, None


def test_a_teacher_cannot_put_other_teachers_students_work_in_a_session(client, factory, school):
    t1, t2 = school["t1"], school["t2"]  # t2 does not teach s1
    submission, _ = _private_submission(school)
    r = client.post("/api/v1/calibrations", json={
        "title": "peek", "rubric_id": str(school["rubric"].id), "submission_ids": [str(submission.id)],
        "rater_ids": [str(t2.id), str(t1.id)]}, headers=factory.auth(t2))
    assert r.status_code == 422
    assert r.json["errors"][0]["field"] == "submission_ids"
    assert client.get(f"/api/v1/submissions/{submission.id}", headers=factory.auth(t2)).status_code == 404


def test_a_session_created_by_someone_not_entitled_grants_raters_nothing(client, factory, school):
    """A row written before the check existed (or by any other path) still
    opens nothing: access follows the creator's entitlement."""
    from service.assessment.models import CalibrationItem, CalibrationRater, CalibrationSession, SubmissionEvidence

    t1, t2 = school["t1"], school["t2"]
    submission, _ = _private_submission(school)
    version_id = db.session.scalar(db.select(SubmissionEvidence.artifact_version_id).where(
        SubmissionEvidence.submission_id == submission.id))
    from service.portfolio.models import ArtifactVersion

    version = db.session.get(ArtifactVersion, version_id)
    assert version.artifact.visibility == "private"
    session = CalibrationSession(organization_id=school["org"].id, created_by_id=t2.id,
                                 rubric_id=school["rubric"].id, title="old row")
    session.items = [CalibrationItem(submission_id=submission.id)]
    session.raters = [CalibrationRater(rater_id=t2.id), CalibrationRater(rater_id=t1.id)]
    db.session.add(session)
    db.session.commit()
    artifact_id, number = version.artifact_id, version.number
    auth = factory.auth(t2)
    assert client.get(f"/api/v1/submissions/{submission.id}", headers=auth).status_code == 404
    assert submission.id not in {s["id"] for s in client.get("/api/v1/submissions", headers=auth).json or []}
    assert client.get(f"/api/v1/artifacts/{artifact_id}/versions/{number}", headers=auth).status_code == 404
    assert client.get(f"/api/v1/artifacts/{artifact_id}/versions/{number}/content",
                      headers=auth).status_code == 404
    # The same session created by an admin is a legitimate assignment.
    session.created_by_id = school["admin"].id
    db.session.commit()
    assert client.get(f"/api/v1/submissions/{submission.id}", headers=auth).status_code == 200
    assert client.get(f"/api/v1/artifacts/{artifact_id}/versions/{number}", headers=auth).status_code == 200


def test_the_students_own_teacher_may_assign_other_raters(client, factory, school):
    t1, t2 = school["t1"], school["t2"]
    submission, _ = _private_submission(school)
    r = client.post("/api/v1/calibrations", json={
        "title": "moderation", "rubric_id": str(school["rubric"].id), "submission_ids": [str(submission.id)],
        "rater_ids": [str(t1.id), str(t2.id)]}, headers=factory.auth(t1))
    assert r.status_code == 201, r.json
    assert client.get(f"/api/v1/submissions/{submission.id}", headers=factory.auth(t2)).status_code == 200
