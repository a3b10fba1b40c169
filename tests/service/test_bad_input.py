"""Hostile or odd input is a client error with a problem+json body, never a
500 (issue 14; the same on PostgreSQL)."""
from __future__ import annotations

import pytest

from service.extensions import db

HUGE = "18446744073709551617"


def problem(response, status):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/problem+json"
    return response.json


@pytest.mark.parametrize("path", ["/api/v1/people", "/api/v1/awards", "/api/v1/audit-events"])
def test_a_huge_page_number_is_a_validation_error(client, factory, path):
    org = factory.org()
    admin = factory.person("admin", org)
    body = problem(client.get(f"{path}?page={HUGE}", headers=factory.auth(admin)), 422)
    assert body["errors"][0]["field"] == "page"
    assert client.get(f"{path}?page=2", headers=factory.auth(admin)).status_code == 200


def test_a_huge_version_number_is_no_such_version(client, factory):
    from tests.support.assessment import artifact_version

    student = factory.person("student", factory.org())
    version = artifact_version(student)
    db.session.commit()
    auth = factory.auth(student)
    base = f"/api/v1/artifacts/{version.artifact_id}/versions"
    assert client.get(f"{base}/1", headers=auth).status_code == 200
    for number in ("99999999999999999999", "2147483648"):
        problem(client.get(f"{base}/{number}", headers=auth), 404)
        problem(client.get(f"{base}/{number}/content", headers=auth), 404)


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("path", ["/api/v1/verify", "/api/v1/tokens", "/api/v1/frameworks/import/case"])
@pytest.mark.parametrize("levels", [1000, 100_000])
def test_deeply_nested_json_is_malformed(client, path, levels):
    body = problem(client.post(path, data=_nested(levels), content_type="application/json"), 400)
    assert body["type"] == "/problems/malformed-request"
    wrapped = '{"credential": ' + _nested(levels) + "}"
    problem(client.post(path, data=wrapped, content_type="application/json"), 400)


@pytest.mark.parametrize("path", ["/api/v1/verify", "/api/v1/tokens"])
def test_nesting_just_past_the_limit_is_malformed(client, path):
    from service.input_guards import MAX_JSON_DEPTH

    # too deep for the guard, but not for the parser: the guard's own walk decides
    wrapped = '{"credential": ' + _nested(MAX_JSON_DEPTH) + "}"
    body = problem(client.post(path, data=wrapped, content_type="application/json"), 400)
    assert body["errors"][0]["field"] == "_body"
    # deep inside a body with many siblings (more brackets than levels)
    siblings = "[" + ",".join(["[]"] * 200 + [_nested(MAX_JSON_DEPTH)]) + "]"
    problem(client.post(path, data='{"credential": ' + siblings + "}", content_type="application/json"), 400)
    # at the limit: the view answers (a validation error about the fields, not the nesting)
    r = client.post(path, data='{"credential": ' + _nested(MAX_JSON_DEPTH - 1) + "}", content_type="application/json")
    assert problem(r, 422)["type"] == "/problems/validation-error"


def test_a_json_body_is_parsed_once(client, monkeypatch):
    """The depth guard's parse is the one the view reads (werkzeug's cache)."""
    import json

    calls = []
    decode = json._default_decoder.decode
    monkeypatch.setattr(json._default_decoder, "decode", lambda s: calls.append(1) or decode(s))
    r = client.post("/api/v1/verify", json={"credential": {"a": [[[{"b": 1}]]]}})
    assert r.status_code in (200, 422)
    assert len(calls) == 1
    # invalid JSON is still reported by the view's own parser
    r = client.post("/api/v1/verify", data='{"credential": ', content_type="application/json")
    assert r.status_code == 400 and r.mimetype == "application/problem+json"


def test_ordinary_nesting_still_reaches_the_view(client):
    r = client.post("/api/v1/verify", json={"credential": {"a": [[[{"b": 1}]]]}})
    assert r.status_code in (200, 422)


def test_framework_csv_with_bare_carriage_returns_imports(client, factory):
    admin = factory.person("admin", factory.org())
    text = "identifier,statement\rW1,Write arguments\rW2,Write narratives\r"
    r = client.post("/api/v1/frameworks/import/csv", json={"title": "Writing", "csv": text},
                    headers=factory.auth(admin))
    assert r.status_code == 201, r.json
    # What the csv module cannot read at all is a validation error naming the line.
    unreadable = "identifier,statement\nW1," + "x" * 200_000 + "\n"
    body = problem(client.post("/api/v1/frameworks/import/csv", json={"title": "Writing", "csv": unreadable},
                               headers=factory.auth(admin)), 422)
    assert "line" in body["detail"]


def test_bulk_job_csv_with_bare_carriage_returns(client, factory):
    from tests.support.badges import badge_class
    from tests.support.jobs import join_job_thread

    school = factory.school()
    bc = badge_class(school["org"], name="Field Trip")
    text = "email\r" + "\r".join(school[s].email for s in ("s1", "s2", "s3")) + "\r"
    auth = factory.auth(school["admin"])
    r = client.post(f"/api/v1/badge-classes/{bc.id}/bulk-jobs", json={"csv": text}, headers=auth)
    assert r.status_code == 202, r.json
    assert r.json["total"] == 3
    # The job runs in a thread of its own: let it end before teardown truncates its tables.
    join_job_thread(r.json["id"])
    unreadable = "email\n" + "x" * 200_000 + "\n"
    body = problem(client.post(f"/api/v1/badge-classes/{bc.id}/bulk-jobs", json={"csv": unreadable},
                               headers=auth), 422)
    assert body["errors"][0]["field"] == "csv"
