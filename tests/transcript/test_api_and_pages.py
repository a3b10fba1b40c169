"""API and pages: who may do what, problems naming the field, the published policy,
versions immutable once used, the school profile and course settings."""
from __future__ import annotations

import json
from tests.support.signin import sign_in


def test_request_rules_and_review_rights(client, factory, tschool):
    s1, s2, admin, t1 = tschool["s1"], tschool["s2"], tschool["admin"], tschool["t1"]
    resp = client.post("/api/v1/transcripts", json={"student_id": str(s2.id)}, headers=factory.auth(s1))
    assert resp.status_code == 403
    resp = client.post("/api/v1/transcripts", json={}, headers=factory.auth(s1))
    assert resp.status_code == 201, resp.get_json()
    tid = resp.get_json()["id"]
    again = client.post("/api/v1/transcripts", json={}, headers=factory.auth(s1))
    assert again.status_code == 409 and "already waiting" in again.get_json()["detail"]
    assert client.post(f"/api/v1/transcripts/{tid}/issue", headers=factory.auth(s1)).status_code in (403, 404)
    assert client.post(f"/api/v1/transcripts/{tid}/issue", headers=factory.auth(t1)).status_code == 403
    assert client.get(f"/api/v1/transcripts/{tid}", headers=factory.auth(s2)).status_code == 404
    resp = client.post(f"/api/v1/transcripts/{tid}/issue", headers=factory.auth(admin))
    assert resp.status_code == 200 and resp.get_json()["status"] == "issued"
    assert resp.get_json()["policy_version"] == 1
    assert resp.get_json()["verification_url"].endswith(f"/transcripts/{tid}/verify")
    bad = client.post(f"/api/v1/transcripts/{tid}/revoke", json={}, headers=factory.auth(admin))
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "reason"
    share = client.post(f"/api/v1/transcripts/{tid}/shares", json={"days": 400}, headers=factory.auth(s1))
    assert share.status_code == 422 and share.get_json()["errors"][0]["field"] == "days"
    share = client.post(f"/api/v1/transcripts/{tid}/shares", json={"days": 3}, headers=factory.auth(s1))
    assert share.status_code == 201
    path = share.get_json()["url"].split("badges.test", 1)[1]
    assert client.get(path).status_code == 200
    client.delete(f"/api/v1/transcripts/{tid}/shares/{share.get_json()['id']}", headers=factory.auth(s1))
    gone = client.get(path)
    assert gone.status_code == 410 and "withdrawn" in gone.get_data(as_text=True)


def test_expired_share_link(client, factory, tschool, issued):
    from datetime import timedelta

    from service.extensions import db
    from service.models import utcnow
    from service.transcript import lifecycle

    row, token = lifecycle.share(issued, actor=tschool["s1"], days=1)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    resp = client.get(f"/t/{token}")
    assert resp.status_code == 410 and "expired" in resp.get_data(as_text=True)


def test_policy_versions_are_immutable_once_used_and_published(client, factory, tschool, issued):
    admin = tschool["admin"]
    slug = tschool["org"].slug
    page = client.get(f"/issuers/{slug}/credit-policy/1")
    assert page.status_code == 200 and "never changes" in page.get_data(as_text=True)
    doc = client.get(f"/issuers/{slug}/credit-policy/1.json").get_json()
    assert doc["version"] == 1 and doc["immutable"] is True and doc["rules"]["combine"] == "mean"
    bad = client.put("/api/v1/credit-policy", json={"rules": {"combine": "median", "credit_rule": {"share": 3}}},
                     headers=factory.auth(admin))
    assert bad.status_code == 422
    assert {e["field"] for e in bad.get_json()["errors"]} == {"rules.combine", "rules.credit_rule.share"}
    ok = client.put("/api/v1/credit-policy", json={"rules": {"combine": "lowest"}, "note": "stricter"},
                    headers=factory.auth(admin))
    assert ok.status_code == 200 and ok.get_json()["version"] == 2  # version 1 was used: a new version
    again = client.put("/api/v1/credit-policy", json={"rules": {"combine": "lowest", "weights": {"ap": 0.5}}},
                       headers=factory.auth(admin))
    assert again.get_json()["version"] == 2  # not used yet: changed in place
    assert client.get(f"/issuers/{slug}/credit-policy/1.json").get_json()["rules"]["combine"] == "mean"
    assert client.put("/api/v1/credit-policy", json={"rules": {}}, headers=factory.auth(tschool["t1"])
                      ).status_code == 403


def test_school_profile_and_course_settings(client, factory, tschool):
    from service.transcript import lifecycle

    admin, course = tschool["admin"], tschool["course"]
    resp = client.put("/api/v1/school-profile", json={"school_code": "123456", "address": "1 Main St"},
                      headers=factory.auth(admin))
    assert resp.status_code == 200 and resp.get_json()["school_code"] == "123456"
    assert client.put("/api/v1/school-profile", json={"size": "x"}, headers=factory.auth(tschool["s1"])
                      ).status_code == 403
    resp = client.patch(f"/api/v1/courses/{course.id}", json={"credit_value": "0.50", "level": "ap",
                                                               "competency_ids": []}, headers=factory.auth(admin))
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["credit_value"] == "0.50" and resp.get_json()["competency_ids"] == []
    bad = client.patch(f"/api/v1/courses/{course.id}", json={"level": "college"}, headers=factory.auth(admin))
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "level"
    # with no competencies the course is in progress; the school code reaches the record
    record = lifecycle.preview(tschool["s1"])
    assert record["terms"][0]["courses"][0]["in_progress"] is True and record["school"]["school_code"] == "123456"


def test_admin_pages_render_and_save(client, tschool):
    sign_in(client, tschool["admin"])
    html = client.get("/admin/transcripts").get_data(as_text=True)
    assert "Credit policy (version 1" in html and "School profile" in html
    # each form once, in the page body; the title is plain text
    assert html.count("Colleges' admission requirements</h2>") == 1 and html.count('name="form"') == 3
    assert "<title>Credit policy and school profile" in html and "<section" not in html.split("</head>")[0]
    assert "ELA9H" in client.get("/admin/courses").get_data(as_text=True)
    assert "Transcripts" in client.get("/transcripts").get_data(as_text=True)
    policy = json.loads(client.get(f"/issuers/{tschool['org'].slug}/credit-policy/1.json").data)
    assert policy["version"] == 1


def test_admissions_readiness(client, factory, tschool, issued):
    admin, s1 = tschool["admin"], tschool["s1"]
    bad = client.post("/api/v1/admission-requirements", json={"requirements": {"competencies": [{"min_level": 3}],
                                                                               "min_gpa": 12}},
                      headers=factory.auth(admin))
    assert bad.status_code == 422
    assert {e["field"] for e in bad.get_json()["errors"]} == {"requirements.name", "requirements.competencies[0]",
                                                              "requirements.min_gpa"}
    doc = {"name": "State University", "competencies": [{"identifier": "ela-w-1", "min_level": 3},
                                                        {"identifier": "ela-w-2", "min_level": 3.5}],
           "credits_by_subject": {"English Language Arts": 1, "Mathematics": 3}, "min_gpa": 3.0}
    assert client.post("/api/v1/admission-requirements", json={"requirements": doc},
                       headers=factory.auth(s1)).status_code == 403
    assert client.post("/api/v1/admission-requirements", json={"requirements": doc},
                       headers=factory.auth(admin)).status_code == 201
    (r,) = client.get(f"/api/v1/transcripts/{issued.id}/readiness", headers=factory.auth(s1)).get_json()
    # ela-w-1 at 4 >= 3 yes; ela-w-2 at 3 < 3.5 no; ELA 1.00 >= 1 yes; Mathematics 0 < 3 no; GPA 3.70 >= 3 yes
    assert [(i["name"], i["met"]) for i in r["items"]] == [
        ("ela-w-1", True), ("ela-w-2", False), ("English Language Arts", True), ("Mathematics", False),
        ("GPA (unweighted)", True)]
    assert (r["met"], r["total"]) == (3, 5)

    sign_in(client, s1)
    html = client.get(f"/transcripts/{issued.id}").get_data(as_text=True)
    assert "State University: 3 of 5 requirements met" in html
