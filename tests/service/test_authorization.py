"""Role rules: students see only themselves, teachers only their sections,
guardians only their wards, admins only their own organization."""
from __future__ import annotations

import pytest


@pytest.fixture
def school(factory):
    return factory.school()


def get(client, factory, actor, path):
    return client.get(path, headers=factory.auth(actor))


def test_student_cannot_read_another_student(client, factory, school):
    s1, s2 = school["s1"], school["s2"]
    assert get(client, factory, s1, f"/api/v1/people/{s1.id}").status_code == 200
    other = get(client, factory, s1, f"/api/v1/people/{s2.id}")
    assert other.status_code == 404  # not 403: existence is not revealed
    assert other.headers["Content-Type"] == "application/problem+json"
    listing = get(client, factory, s1, "/api/v1/people").json
    assert [p["id"] for p in listing] == [str(s1.id)]


def test_teacher_sees_only_own_sections(client, factory, school):
    t1 = school["t1"]
    assert get(client, factory, t1, f"/api/v1/sections/{school['sec1'].id}").status_code == 200
    assert get(client, factory, t1, f"/api/v1/sections/{school['sec2'].id}").status_code == 404
    assert get(client, factory, t1, f"/api/v1/sections/{school['sec2'].id}/roster").status_code == 404
    roster = get(client, factory, t1, f"/api/v1/sections/{school['sec1'].id}/roster").json
    assert {e["person"]["id"] for e in roster} == {str(t1.id), str(school["s1"].id), str(school["s2"].id)}
    # students of another teacher's section are invisible
    assert get(client, factory, t1, f"/api/v1/people/{school['s3'].id}").status_code == 404
    assert get(client, factory, t1, f"/api/v1/people/{school['s1'].id}").status_code == 200
    ids = {p["id"] for p in get(client, factory, t1, "/api/v1/people").json}
    assert ids == {str(t1.id), str(school["s1"].id), str(school["s2"].id)}
    assert [s["id"] for s in get(client, factory, t1, "/api/v1/sections").json] == [str(school["sec1"].id)]


def test_student_sees_own_section_but_not_its_roster(client, factory, school):
    s1 = school["s1"]
    assert get(client, factory, s1, f"/api/v1/sections/{school['sec1'].id}").status_code == 200
    assert get(client, factory, s1, f"/api/v1/sections/{school['sec1'].id}/roster").status_code == 403
    assert get(client, factory, s1, f"/api/v1/sections/{school['sec2'].id}").status_code == 404


def test_guardian_reads_only_linked_student(client, factory, school):
    guardian = factory.person("guardian", school["org"])
    factory.guardian_of(guardian, school["s1"])
    assert get(client, factory, guardian, f"/api/v1/people/{school['s1'].id}").status_code == 200
    assert get(client, factory, guardian, f"/api/v1/people/{school['s2'].id}").status_code == 404
    # a guardian token can only ever read
    r = client.post("/api/v1/tokens", json={"email": guardian.email, "password": "correct horse battery",
                                            "scopes": ["write"]})
    assert r.status_code == 422


def test_admin_limited_to_own_organization(client, factory, school):
    admin = school["admin"]
    other_school = factory.school()
    assert get(client, factory, admin, f"/api/v1/people/{school['s3'].id}").status_code == 200
    assert get(client, factory, admin, f"/api/v1/people/{other_school['s1'].id}").status_code == 404
    assert get(client, factory, admin, f"/api/v1/sections/{other_school['sec1'].id}").status_code == 404
    ids = {p["id"] for p in get(client, factory, admin, "/api/v1/people").json}
    assert str(other_school["s1"].id) not in ids and str(school["s3"].id) in ids


def test_only_admins_create_people_and_enrol(client, factory, school):
    body = {"role": "student", "email": "new.student@example.test", "display_name": "New Student"}
    t = client.post("/api/v1/people", json=body, headers=factory.auth(school["t1"], ["read", "write", "issue"]))
    assert t.status_code == 403
    a = client.post("/api/v1/people", json=body, headers=factory.auth(school["admin"]))
    assert a.status_code == 201
    enrol = client.post(f"/api/v1/sections/{school['sec1'].id}/enrolments", json={"person_id": a.json["id"]},
                        headers=factory.auth(school["admin"]))
    assert enrol.status_code == 201
    roster = get(client, factory, school["t1"], f"/api/v1/sections/{school['sec1'].id}/roster").json
    assert a.json["id"] in {e["person"]["id"] for e in roster}


def test_student_cannot_deactivate_self_or_edit_others(client, factory, school):
    s1 = school["s1"]
    r = client.patch(f"/api/v1/people/{s1.id}", json={"is_active": False}, headers=factory.auth(s1, ["read", "write"]))
    assert r.status_code == 403
    r = client.patch(f"/api/v1/people/{school['s2'].id}", json={"display_name": "x"},
                     headers=factory.auth(s1, ["read", "write"]))
    assert r.status_code == 404


def test_teacher_cannot_edit_students_record(client, factory, school):
    r = client.patch(f"/api/v1/people/{school['s1'].id}", json={"display_name": "x"},
                     headers=factory.auth(school["t1"], ["read", "write"]))
    assert r.status_code == 403


def test_audit_log_admin_only_and_own_org(client, factory, school):
    client.post("/api/v1/people", json={"role": "student", "email": "z@example.test", "display_name": "Z"},
                headers=factory.auth(school["admin"]))
    events = get(client, factory, school["admin"], "/api/v1/audit-events?action=person.create").json
    assert len(events) == 1 and events[0]["actor_id"] == str(school["admin"].id)
    assert get(client, factory, school["t1"], "/api/v1/audit-events").status_code == 403
    other_admin = factory.school()["admin"]
    assert get(client, factory, other_admin, "/api/v1/audit-events?action=person.create").json == []
