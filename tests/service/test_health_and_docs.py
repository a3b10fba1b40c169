from __future__ import annotations


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json == {"status": "ok"}


def test_readyz_checks_database_and_storage(client):
    r = client.get("/readyz")
    assert r.status_code == 200, r.json
    assert r.json["checks"] == {"database": "ok", "storage": "ok"}


def test_readyz_reports_unreachable_database(app_config, tmp_path):
    from service import create_app

    config = dict(app_config, DATABASE_URL="postgresql://nobody:x@127.0.0.1:1/none")
    r = create_app(config).test_client().get("/readyz")
    assert r.status_code == 503
    assert r.json["checks"]["database"].startswith("unavailable")


def test_openapi_document_and_docs(client):
    spec = client.get("/api/openapi.json")
    assert spec.status_code == 200
    doc = spec.json
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/people" in doc["paths"] and "/api/v1/tokens" in doc["paths"]
    assert "bearerAuth" in doc["components"]["securitySchemes"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "swagger-ui" in docs.get_data(as_text=True)
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_security_headers(client):
    r = client.get("/login")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"
