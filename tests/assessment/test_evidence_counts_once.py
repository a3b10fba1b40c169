"""A piece of evidence counts once toward mastery (issue 12): the same
artifact version cannot be submitted again as a fresh attempt, and scoring it
again through a reassessment replaces the earlier score instead of adding one."""
from __future__ import annotations

from service.extensions import db
from tests.assessment.test_scoring_api import ALL3, get, post, score_body, submit
from tests.support.assessment import artifact_version, item


def test_the_same_version_cannot_be_submitted_again_as_a_new_attempt(client, factory, school):
    s1, t1 = school["s1"], school["t1"]
    version = artifact_version(s1, "Op-ed")
    first = submit(client, factory, school, s1, [version]).json
    assert post(client, factory, t1, f"/api/v1/submissions/{first['id']}/scores",
                score_body(school["rubric"], ALL3)).status_code == 201
    r = submit(client, factory, school, s1, [version])
    assert r.status_code == 422, r.json
    error = r.json["errors"][0]
    assert error["field"] == "artifact_version_ids"
    assert "already submitted" in error["detail"] and "reassessment" in error["detail"]
    w1 = item(school["framework"], "ela-w-1")
    mastery = get(client, factory, s1, f"/api/v1/students/{s1.id}/mastery/{w1.id}").json
    assert mastery["evidence_count"] == 1


def test_a_reassessment_of_the_same_version_replaces_the_earlier_score(client, factory, school):
    s1, t1 = school["s1"], school["t1"]
    version = artifact_version(s1, "Lab report")
    first = submit(client, factory, school, s1, [version]).json
    post(client, factory, t1, f"/api/v1/submissions/{first['id']}/scores",
         score_body(school["rubric"], {"Claim and evidence": 4, "Organisation": 4, "Timeliness": 4}))
    # The school does not ask for new work: the same version may be reassessed.
    second = submit(client, factory, school, s1, [version], previous_id=first["id"])
    assert second.status_code == 201, second.json
    post(client, factory, t1, f"/api/v1/submissions/{second.json['id']}/scores",
         score_body(school["rubric"], {"Claim and evidence": 2, "Organisation": 2, "Timeliness": 2}))
    db.session.expire_all()
    w1 = item(school["framework"], "ela-w-1")
    mastery = get(client, factory, s1, f"/api/v1/students/{s1.id}/mastery/{w1.id}").json
    # One piece of evidence, at the level of its latest score.
    assert (mastery["evidence_count"], mastery["level"]) == (1, 2)
    # New work is a new piece of evidence.
    third = submit(client, factory, school, s1, [artifact_version(s1, "Lab report 2")],
                   previous_id=second.json["id"]).json
    post(client, factory, t1, f"/api/v1/submissions/{third['id']}/scores", score_body(school["rubric"], ALL3))
    mastery = get(client, factory, s1, f"/api/v1/students/{s1.id}/mastery/{w1.id}").json
    assert mastery["evidence_count"] == 2
