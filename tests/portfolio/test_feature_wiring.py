"""The feature plugs into the app: API documented, home links, demo content, CLI."""
from __future__ import annotations

from service.extensions import db
from service.portfolio.models import Artifact, Showcase
from tests.support.signin import sign_in, sign_out


def test_api_is_documented(client):
    spec = client.get("/api/openapi.json").json
    for path in ("/api/v1/artifacts", "/api/v1/artifacts/files", "/api/v1/artifacts/{artifact_id}/versions",
                 "/api/v1/showcases/{showcase_id}/items", "/api/v1/share-links", "/api/v1/portfolio/export"):
        assert path in spec["paths"], path
    upload = spec["paths"]["/api/v1/artifacts/files"]["post"]
    assert "application/octet-stream" in upload["requestBody"]["content"]
    assert client.get("/problems/version-locked").status_code == 200


def test_demo_portfolio_is_idempotent(app, factory, school):
    from service.portfolio import load_demo

    context = {"organization": school["org"], "admin": school["admin"], "teacher": school["t1"],
               "students": [school["s1"], school["s2"]], "section": school["sec1"], "course": None}
    load_demo(context)
    db.session.commit()
    load_demo(context)
    db.session.commit()
    titles = db.session.scalars(db.select(Artifact.title).where(Artifact.owner_id == school["s1"].id)).all()
    assert len(titles) == 2
    showcase = db.session.scalar(db.select(Showcase).where(Showcase.owner_id == school["s1"].id))
    assert showcase.visibility == "public" and len(showcase.items) == 2


def test_home_links_for_students_and_teachers(client, factory, school):
    r = sign_in(client, school["s1"], expect=None)
    assert r.status_code == 302
    home = client.get("/home").get_data(as_text=True)
    assert "My portfolio" in home and "My showcases" in home
    sign_out(client)
    sign_in(client, school["t1"], expect=None)
    assert "Student portfolios" in client.get("/home").get_data(as_text=True)
