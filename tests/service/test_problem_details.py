"""Every API error is an RFC 9457 problem+json body naming field and reason."""
from __future__ import annotations


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json
    for key in ("type", "title", "status", "detail"):
        assert key in body, key
    assert body["status"] == status
    return body


def test_malformed_json_body(client):
    r = client.post("/api/v1/tokens", data="{not json", headers={"Content-Type": "application/json"})
    body = assert_problem(r, 400)
    assert body["type"] == "/problems/malformed-request"
    assert "JSON" in body["detail"]


def test_invalid_fields_are_named(client, factory):
    admin = factory.person("admin", factory.org())
    r = client.post("/api/v1/people", json={"role": "wizard", "email": "not-an-email"},
                    headers=factory.auth(admin))
    body = assert_problem(r, 422)
    assert body["type"] == "/problems/validation-error"
    fields = {e["field"]: e["detail"] for e in body["errors"]}
    assert set(fields) == {"role", "email", "display_name"}
    assert "Missing data" in fields["display_name"]
    assert all(e["pointer"] == "/" + e["field"] for e in body["errors"])
    assert "role" in body["detail"] and "email" in body["detail"]


def test_unknown_field_is_refused(client, factory):
    admin = factory.person("admin", factory.org())
    r = client.post("/api/v1/people", json={"role": "student", "email": "a@example.test", "display_name": "A",
                                            "is_superuser": True}, headers=factory.auth(admin))
    body = assert_problem(r, 422)
    assert body["errors"] == [{"field": "is_superuser", "pointer": "/is_superuser", "detail": "Unknown field."}]


def test_nested_and_query_errors(client, factory):
    admin = factory.person("admin", factory.org())
    r = client.get("/api/v1/people?role=wizard", headers=factory.auth(admin))
    body = assert_problem(r, 422)
    assert body["errors"][0]["field"] == "role"


def test_duplicate_email_is_a_field_error_and_nothing_is_written(client, factory):
    org = factory.org()
    admin = factory.person("admin", org)
    body = {"role": "student", "email": admin.email, "display_name": "Dup"}
    r = client.post("/api/v1/people", json=body, headers=factory.auth(admin))
    problem = assert_problem(r, 422)
    assert problem["errors"][0]["field"] == "email"
    listing = client.get("/api/v1/people", headers=factory.auth(admin)).json
    assert [p["display_name"] for p in listing] == [admin.display_name]


def test_not_found_and_method_not_allowed(client, factory):
    student = factory.person("student", factory.org())
    assert_problem(client.get("/api/v1/people/00000000-0000-0000-0000-000000000000",
                              headers=factory.auth(student)), 404)
    assert_problem(client.get("/api/v1/nothing-here"), 404)
    r = client.put("/api/v1/me", headers=factory.auth(student))
    assert_problem(r, 405)


def test_unauthenticated_is_401_problem(client):
    body = assert_problem(client.get("/api/v1/people"), 401)
    assert body["type"] == "/problems/authentication-required"


def test_problem_type_documentation_pages(client):
    r = client.get("/problems/validation-error")
    assert r.status_code == 200 and "validation" in r.get_data(as_text=True)


def test_unexpected_error_rolls_back_and_reports_500(app, client, factory):
    from service.extensions import db
    from service.models import Organization

    @app.get("/api/v1/_boom")
    def boom():
        db.session.add(Organization(slug="half-written", name="Half"))
        db.session.flush()
        raise RuntimeError("crash mid-request")

    body = assert_problem(client.get("/api/v1/_boom"), 500)
    assert "nothing was saved" in body["detail"]
    assert "crash mid-request" not in body["detail"]  # internals are not leaked
    assert db.session.scalar(db.select(Organization).where(Organization.slug == "half-written")) is None


def test_html_pages_get_html_errors(client):
    r = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.mimetype == "text/html"
