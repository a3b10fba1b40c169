"""Submitting, scoring, returning, reassessing, rubric versions and the
authorization rules, through the real API."""
from __future__ import annotations

from service.extensions import db
from tests.support.assessment import artifact_version, item, level_ids


def post(client, factory, actor, path, body, scopes=("read", "write", "issue", "admin")):
    return client.post(path, json=body, headers=factory.auth(actor, scopes))


def get(client, factory, actor, path):
    return client.get(path, headers=factory.auth(actor))


def submit(client, factory, school, student, versions=None, **extra):
    versions = versions or [artifact_version(student)]
    db.session.commit()
    body = {"section_id": str(school["sec1"].id), "rubric_id": str(school["rubric"].id),
            "artifact_version_ids": [str(v.id) for v in versions], "title": "Argument essay",
            "competency_id": str(item(school["framework"], "ela-w-1").id), **extra}
    return post(client, factory, student, "/api/v1/submissions", body)


def score_body(rubric, levels):
    ids = level_ids(rubric)
    return {"scores": [{"criterion_id": str(c.id), "level_id": str(ids[levels[c.title]]),
                        "feedback": f"{c.title} feedback"} for c in rubric.criteria],
            "feedback": "Good progress"}


ALL3 = {"Claim and evidence": 3, "Organisation": 3, "Timeliness": 3}


def test_submit_queue_score_and_mastery(client, factory, school):
    from service.events import mastery_changed
    from service.portfolio.models import ArtifactVersion

    s1, t1 = school["s1"], school["t1"]
    version = artifact_version(s1)
    r = submit(client, factory, school, s1, [version])
    assert r.status_code == 201, r.json
    sub = r.json
    assert (sub["status"], sub["attempt"]) == ("submitted", 1)
    db.session.expire_all()
    assert db.session.get(ArtifactVersion, version.id).locked_at is not None  # evidence is frozen
    queue = get(client, factory, t1, "/api/v1/submissions?status=submitted").json
    assert [q["id"] for q in queue] == [sub["id"]]
    received = []

    def on_change(sender, **kw):
        received.append(kw)

    mastery_changed.connect(on_change)
    try:
        r = post(client, factory, t1, f"/api/v1/submissions/{sub['id']}/scores",
                 score_body(school["rubric"], {"Claim and evidence": 4, "Organisation": 2, "Timeliness": 1}))
    finally:
        mastery_changed.disconnect(on_change)
    assert r.status_code == 201, r.json
    assert r.json["rubric_id"] == str(school["rubric"].id)
    assert received and received[0]["student_id"] == s1.id
    assert set(received[0]["competency_ids"]) == {item(school["framework"], "ela-w-1").id,
                                                  item(school["framework"], "ela-w-2").id}
    # Scoring again is refused: a new score needs a new attempt.
    again = post(client, factory, t1, f"/api/v1/submissions/{sub['id']}/scores", score_body(school["rubric"], ALL3))
    assert again.status_code == 409
    w1 = item(school["framework"], "ela-w-1")
    detail = get(client, factory, s1, f"/api/v1/students/{s1.id}/mastery/{w1.id}").json
    assert (detail["level"], detail["mastered"], detail["label"], detail["evidence_count"]) == (
        4, True, "Advanced", 1)
    assert detail["evidence"][0]["rubric_version"] == 1
    rows = {r["competency"]["identifier"]: r for r in get(client, factory, s1, f"/api/v1/students/{s1.id}/mastery").json}
    assert rows["ela-w-2"]["level"] == 2 and rows["ela-w-2"]["label"] == "Developing"
    assert rows["ela-w-2"]["mastered"] is False
    assert rows["ela-w-1-a"]["level"] is None  # nothing aligned to that learning target directly
    # The domain pools everything below it: decaying average of 4 then 2 (same instant, row order).
    assert rows["ela-w"]["evidence_count"] == 2
    # Habits of work stay out of mastery and are reported apart.
    habits = get(client, factory, s1, f"/api/v1/students/{s1.id}/habits").json
    assert [(h["criterion"], h["level"]) for h in habits] == [("Timeliness", 1)]

    from service.assessment import mastery_for

    assert mastery_for(s1.id, w1.id).level == 4


def test_teacher_scores_only_in_own_sections(client, factory, school):
    s1, t1, t2 = school["s1"], school["t1"], school["t2"]
    sub = submit(client, factory, school, s1).json
    body = score_body(school["rubric"], ALL3)
    # t2 does not teach s1 at all: the submission does not exist for them.
    assert post(client, factory, t2, f"/api/v1/submissions/{sub['id']}/scores", body).status_code == 404
    assert get(client, factory, t2, f"/api/v1/submissions/{sub['id']}").status_code == 404
    assert get(client, factory, t2, "/api/v1/submissions").json == []
    # Once t2 also teaches s1 in another section, they see the work but still may not score it.
    from service.models import Enrolment

    db.session.add(Enrolment(section_id=school["sec2"].id, person_id=s1.id, role="student"))
    db.session.commit()
    assert get(client, factory, t2, f"/api/v1/submissions/{sub['id']}").status_code == 200
    assert post(client, factory, t2, f"/api/v1/submissions/{sub['id']}/scores", body).status_code == 403
    assert post(client, factory, t2, f"/api/v1/submissions/{sub['id']}/return",
                {"feedback": "no"}).status_code == 403
    # An admin does not score either: scoring is a teacher's act in their section.
    assert post(client, factory, school["admin"], f"/api/v1/submissions/{sub['id']}/scores", body).status_code == 403
    assert post(client, factory, t1, f"/api/v1/submissions/{sub['id']}/scores", body).status_code == 201


def test_student_never_sees_another_students_scores(client, factory, school):
    s1, s2, t1 = school["s1"], school["s2"], school["t1"]
    sub = submit(client, factory, school, s1).json
    post(client, factory, t1, f"/api/v1/submissions/{sub['id']}/scores", score_body(school["rubric"], ALL3))
    w1 = item(school["framework"], "ela-w-1")
    assert get(client, factory, s2, f"/api/v1/submissions/{sub['id']}").status_code == 404
    assert get(client, factory, s2, "/api/v1/submissions").json == []
    for path in (f"/api/v1/students/{s1.id}/mastery", f"/api/v1/students/{s1.id}/mastery/{w1.id}",
                 f"/api/v1/students/{s1.id}/habits", f"/api/v1/students/{s1.id}/graduation",
                 f"/api/v1/students/{s1.id}/plans", f"/api/v1/sections/{school['sec1'].id}/heatmap"):
        r = get(client, factory, s2, path)
        assert r.status_code in (403, 404), path
        assert r.headers["Content-Type"] == "application/problem+json"
    own = get(client, factory, s1, f"/api/v1/submissions/{sub['id']}").json
    assert len(own["assessments"]) == 1 and own["assessments"][0]["scores"][0]["level_value"] == 3
    # A student cannot submit someone else's artifact or into a section they are not in.
    other = artifact_version(s2)
    db.session.commit()
    r = submit(client, factory, school, s1, [other])
    assert r.status_code == 422 and "artifact_version_ids" in {e["field"] for e in r.json["errors"]}
    r = submit(client, factory, school, school["s3"])
    assert r.status_code == 422 and "section_id" in {e["field"] for e in r.json["errors"]}


def test_guardian_reads_but_never_writes(client, factory, school):
    s1, t1 = school["s1"], school["t1"]
    guardian = factory.person("guardian", school["org"])
    factory.guardian_of(guardian, s1)
    sub = submit(client, factory, school, s1).json
    post(client, factory, t1, f"/api/v1/submissions/{sub['id']}/scores", score_body(school["rubric"], ALL3))
    plan = post(client, factory, s1, f"/api/v1/students/{s1.id}/plans", {"title": "Semester goals"}).json
    read = {"Authorization": f"Bearer {factory.token(guardian, ['read'])}"}
    assert client.get(f"/api/v1/students/{s1.id}/mastery", headers=read).status_code == 200
    assert client.get(f"/api/v1/submissions/{sub['id']}", headers=read).status_code == 200
    assert client.get(f"/api/v1/plans/{plan['id']}", headers=read).status_code == 200
    assert client.get(f"/api/v1/students/{school['s2'].id}/mastery", headers=read).status_code == 404
    # Guardians' tokens never carry "write", and the policies refuse them anyway.
    assert client.post(f"/api/v1/plans/{plan['id']}/comments", json={"body": "hi"}, headers=read).status_code == 403
    from service.assessment.models import LearningPlan
    from service.policies import allowed

    import uuid

    plan_row = db.session.get(LearningPlan, uuid.UUID(plan["id"]))
    assert not allowed(guardian, "comment", plan_row) and not allowed(guardian, "edit", plan_row)
    assert allowed(guardian, "view", plan_row)


def test_return_for_revision_and_reassessment_keeps_every_attempt(client, factory, school):
    s1, t1, admin = school["s1"], school["t1"], school["admin"]
    assert client.patch("/api/v1/assessment/settings", json={
        "reassessment_requires_new_evidence": True, "mastery_method": "most_recent"},
        headers=factory.auth(admin)).status_code == 200
    first_version = artifact_version(s1)
    first = submit(client, factory, school, s1, [first_version]).json
    assert post(client, factory, t1, f"/api/v1/submissions/{first['id']}/return", {"feedback": ""}).status_code == 422
    r = post(client, factory, t1, f"/api/v1/submissions/{first['id']}/return", {"feedback": "Cite two sources"})
    assert r.status_code == 200 and r.json["status"] == "returned"
    # The same evidence again is refused: the school wants new work first.
    r = submit(client, factory, school, s1, [first_version], previous_id=first["id"])
    assert r.status_code == 422 and "new evidence" in r.json["errors"][0]["detail"]
    second = submit(client, factory, school, s1, [first_version, artifact_version(s1, "Revision")],
                    previous_id=first["id"]).json
    assert second["attempt"] == 2 and second["previous_id"] == first["id"]
    post(client, factory, t1, f"/api/v1/submissions/{second['id']}/scores",
         score_body(school["rubric"], {"Claim and evidence": 4, "Organisation": 4, "Timeliness": 4}))
    # Reassessing from an older attempt is refused; from the latest it works.
    r = submit(client, factory, school, s1, [artifact_version(s1, "Third")], previous_id=first["id"])
    assert r.status_code == 422
    third = submit(client, factory, school, s1, [artifact_version(s1, "Third")], previous_id=second["id"]).json
    post(client, factory, t1, f"/api/v1/submissions/{third['id']}/scores",
         score_body(school["rubric"], {"Claim and evidence": 2, "Organisation": 2, "Timeliness": 2}))
    detail = get(client, factory, s1, f"/api/v1/submissions/{third['id']}").json
    assert detail["attempt_ids"] == [first["id"], second["id"], third["id"]]
    w1 = item(school["framework"], "ela-w-1")
    mastery = get(client, factory, s1, f"/api/v1/students/{s1.id}/mastery/{w1.id}").json
    # Most recent: the reassessment lowered the level, and both scores are still there.
    assert (mastery["level"], mastery["mastered"], mastery["evidence_count"]) == (2, False, 2)
    # Another student's attempt cannot be continued.
    r = submit(client, factory, school, school["s2"], previous_id=third["id"])
    assert r.status_code == 404


def test_rubric_versions_and_scores_keep_theirs(client, factory, school):
    s1, t1 = school["s1"], school["t1"]
    v1 = school["rubric"]
    first = submit(client, factory, school, s1).json
    body = get(client, factory, t1, f"/api/v1/rubrics/{v1.id}").json
    assert [lv["label"] for lv in body["levels"]] == ["Beginning", "Developing", "Proficient", "Advanced"]
    revised = {k: body[k] for k in ("title", "description")}
    revised["levels"] = [{k: lv[k] for k in ("label", "points", "proficiency_value")} for lv in body["levels"]]
    revised["criteria"] = [{k: c[k] for k in ("title", "kind", "descriptors", "competency_ids")}
                           for c in body["criteria"]]
    revised["criteria"][1]["title"] = "Organisation and transitions"
    r = post(client, factory, t1, f"/api/v1/rubrics/{v1.id}/versions", revised)
    assert r.status_code == 201, r.json
    v2 = r.json
    assert (v2["version"], v2["key"]) == (2, body["key"])
    listing = {(x["version"], x["status"]) for x in get(client, factory, t1, "/api/v1/rubrics").json}
    assert listing == {(1, "superseded"), (2, "current")}
    # Another teacher may not revise t1's rubric; an admin may.
    assert post(client, factory, school["t2"], f"/api/v1/rubrics/{v1.id}/versions", revised).status_code == 403
    # The attempt submitted under version 1 is scored with version 1's criteria.
    wrong = {"scores": [{"criterion_id": c["id"], "level_id": v2["levels"][2]["id"]} for c in v2["criteria"]]}
    r = post(client, factory, t1, f"/api/v1/submissions/{first['id']}/scores", wrong)
    assert r.status_code == 422
    r = post(client, factory, t1, f"/api/v1/submissions/{first['id']}/scores", score_body(v1, ALL3))
    assert r.json["rubric_id"] == str(v1.id)
    # A new submission under version 2 records version 2.
    version = artifact_version(s1)
    db.session.commit()
    second = post(client, factory, s1, "/api/v1/submissions", {
        "section_id": str(school["sec1"].id), "rubric_id": v2["id"], "artifact_version_ids": [str(version.id)],
        "title": "Essay 2", "competency_id": str(item(school["framework"], "ela-w-1").id)}).json
    scores = {"scores": [{"criterion_id": c["id"], "level_id": v2["levels"][3]["id"]} for c in v2["criteria"]]}
    assert post(client, factory, t1, f"/api/v1/submissions/{second['id']}/scores",
                scores).json["rubric_id"] == v2["id"]
    w1 = item(school["framework"], "ela-w-1")
    evidence = get(client, factory, s1, f"/api/v1/students/{s1.id}/mastery/{w1.id}").json["evidence"]
    assert [e["rubric_version"] for e in evidence] == [1, 2]


def test_bad_rubrics_are_refused(client, factory, school):
    t1 = school["t1"]
    w1 = str(item(school["framework"], "ela-w-1").id)
    base = {"title": "R", "levels": [{"label": "Low", "points": 1, "proficiency_value": 1},
                                     {"label": "High", "points": 2, "proficiency_value": 4}],
            "criteria": [{"title": "C", "competency_ids": [w1]}]}
    assert post(client, factory, t1, "/api/v1/rubrics", base).status_code == 201
    cases = [({"levels": base["levels"][:1]}, "levels"),
             ({"levels": [{"label": "X", "points": 1, "proficiency_value": 9}] * 2}, "levels.0.proficiency_value"),
             ({"criteria": [{"title": "C", "competency_ids": []}]}, "criteria.0.competency_ids"),
             ({"criteria": [{"title": "Effort", "kind": "habit", "competency_ids": [w1]}]},
              "criteria.0.competency_ids"),
             ({"criteria": [{"title": "C", "competency_ids": [w1], "descriptors": ["one"]}]},
              "criteria.0.descriptors")]
    for change, field in cases:
        r = post(client, factory, t1, "/api/v1/rubrics", {**base, **change})
        assert r.status_code == 422, change
        assert field in {e["field"] for e in r.json["errors"]}, (field, r.json)
    # Students do not write rubrics.
    assert post(client, factory, school["s1"], "/api/v1/rubrics", base).status_code == 403
    # A competency of another school is refused.
    other = factory.school()
    from tests.support.assessment import writing_framework

    foreign = writing_framework(other["org"].id)
    db.session.commit()
    r = post(client, factory, t1, "/api/v1/rubrics",
             {**base, "criteria": [{"title": "C", "competency_ids": [str(item(foreign, "ela-w-1").id)]}]})
    assert r.status_code == 422


def test_scale_labels_are_the_schools_own(client, factory, school):
    admin = school["admin"]
    scale = {"name": "EPIL", "proficient_value": 3, "levels": [
        {"value": 1, "label": "Limited Progress", "code": "LP"}, {"value": 2, "label": "In Progress", "code": "IP"},
        {"value": 3, "label": "Proficient", "code": "P"}, {"value": 4, "label": "Exemplary", "code": "E"}]}
    assert client.put("/api/v1/assessment/scale", json=scale, headers=factory.auth(admin)).status_code == 200
    assert client.put("/api/v1/assessment/scale", json=scale, headers=factory.auth(school["t1"])).status_code == 403
    bad = {**scale, "proficient_value": 7}
    assert client.put("/api/v1/assessment/scale", json=bad, headers=factory.auth(admin)).status_code == 422
    sub = submit(client, factory, school, school["s1"]).json
    post(client, factory, school["t1"], f"/api/v1/submissions/{sub['id']}/scores",
         score_body(school["rubric"], {"Claim and evidence": 1, "Organisation": 4, "Timeliness": 3}))
    rows = {r["competency"]["identifier"]: r
            for r in get(client, factory, school["s1"], f"/api/v1/students/{school['s1'].id}/mastery").json}
    assert rows["ela-w-1"]["label"] == "Limited Progress" and rows["ela-w-2"]["label"] == "Exemplary"


def test_framework_import_api(client, factory, school):
    from tests.support.assessment import case_package

    admin = school["admin"]
    r = client.post("/api/v1/frameworks/import/case?school_year=2026-2027", json=case_package(domains=2),
                    headers=factory.auth(admin))
    assert r.status_code == 201, r.json
    detail = get(client, factory, school["s1"], f"/api/v1/frameworks/{r.json['id']}").json
    assert len(detail["items"]) == 2 + 10 + 40 + 160
    topic = next(i for i in detail["items"] if i["human_code"] == "D1.1.1")
    assert [c["human_code"] for c in get(client, factory, school["s1"],
                                         f"/api/v1/competencies/{topic['id']}").json["continuum"]] == [
        "D1.1.1", "D1.1.2", "D1.1.3", "D1.1.4"]
    broken = case_package(domains=1)
    broken["CFItems"][0].pop("identifier")
    r = client.post("/api/v1/frameworks/import/case", json=broken, headers=factory.auth(admin))
    assert r.status_code == 422 and r.json["type"] == "/problems/framework-import-failed"
    assert any("identifier is required" in e["detail"] for e in r.json["errors"])
    r = client.post("/api/v1/frameworks/import/case", data="{not json", headers={
        **factory.auth(admin), "Content-Type": "application/json"})
    assert r.status_code == 400
    # Teachers do not import frameworks.
    assert client.post("/api/v1/frameworks/import/case", json=case_package(domains=1),
                       headers=factory.auth(school["t1"], ["read", "write"])).status_code == 403
    r = client.post("/api/v1/frameworks/import/csv", json={"title": "Bad", "csv": "nope\n1\n"},
                    headers=factory.auth(admin))
    assert r.status_code == 422
    v2 = client.post(f"/api/v1/frameworks/{school['framework'].id}/versions", json={"school_year": "2027-2028"},
                     headers=factory.auth(admin))
    assert v2.status_code == 201 and v2.json["version"] == 2


def test_mastery_history_follows_a_competency_across_framework_versions(client, factory, school):
    from service.assessment.frameworks import new_version
    from service.assessment.progress import mastery_for

    s1, t1 = school["s1"], school["t1"]
    sub = submit(client, factory, school, s1).json
    post(client, factory, t1, f"/api/v1/submissions/{sub['id']}/scores", score_body(school["rubric"], ALL3))
    next_year = new_version(school["framework"], school_year="2027-2028")
    db.session.commit()
    # Last year's score (on version 1) counts for the same competency in version 2.
    assert mastery_for(s1.id, item(next_year, "ela-w-1").id).evidence_count == 1


def test_score_answer_is_what_is_stored(client, factory, school):
    """The score's answer is built from the values written, not read back after the
    commit (service.extensions.commit_keeping_loaded): it equals the assessment a
    later GET of the submission shows."""
    s1, t1 = school["s1"], school["t1"]
    sub = submit(client, factory, school, s1).json
    r = post(client, factory, t1, f"/api/v1/submissions/{sub['id']}/scores",
             score_body(school["rubric"], {"Claim and evidence": 4, "Organisation": 2, "Timeliness": 1}))
    assert r.status_code == 201, r.json
    shown = get(client, factory, t1, f"/api/v1/submissions/{sub['id']}").json["assessments"]
    assert shown == [r.json]
    assert sorted(s["feedback"] for s in r.json["scores"]) == sorted(f"{c.title} feedback"
                                                                      for c in school["rubric"].criteria)
