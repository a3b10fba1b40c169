"""Open Badges 2.0 through the service: its documents may be at plain http URLs
(OB 2.0 ids are http(s) IRIs), so the service fetches them over http too, and
only them; the fetch guard still refuses private and loopback addresses. The
report and the page name the badge and issuer from the documents fetched."""
from __future__ import annotations

import json

from tests.openbadges.test_ob2 import EMAIL, site  # noqa: F401 (the issuer's website fixture)
from tests.support import badge_fixtures as bf
from tests.support.badges import badge_class, issue


def _verify(client, **given):
    response = client.post("/api/v1/verify", json=given)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def _check(report, name):
    return next(c for c in report["checks"] if c["check"] == name)


def test_hosted_assertion_over_http_verifies_and_is_named(client, app, site):  # noqa: F811
    app.config["BADGE_FETCH_ALLOW_PRIVATE"] = [site["origin"].removeprefix("http://")]
    hosted = site["host"](1)
    assert hosted["id"].startswith("http://")
    report = _verify(client, credential=hosted, recipient=EMAIL)
    assert report["verified"] is True, report["checks"]
    assert report["issuer"]["name"] == "Riverside" and report["badge"]["name"] == "Robotics"
    assert report["recipient"]["identifiers"] == [{"type": "email", "hashed": True, "value": None}]
    html = client.post("/verify", data={"credential": json.dumps(hosted), "recipient": EMAIL}).get_data(as_text=True)
    assert 'data-verdict="verified"' in html and "Robotics" in html and "Riverside" in html


def test_by_url_over_http(client, app, site):  # noqa: F811
    app.config["BADGE_FETCH_ALLOW_PRIVATE"] = [site["origin"].removeprefix("http://")]
    hosted = site["host"](3)
    report = _verify(client, url=hosted["id"])
    assert report["verified"] is True, report["checks"]


def test_the_fetch_guard_still_refuses_loopback_over_http(client, app, site):  # noqa: F811
    app.config["BADGE_FETCH_ALLOW_PRIVATE"] = []
    report = _verify(client, credential=site["host"](1))
    assert report["verified"] is False and report["conformant"] is False
    assert "private, loopback or reserved" in _check(report, "issuer")["message"]


def test_open_badges_3_keys_stay_https_only(client, app):
    # an OB 3.0 credential naming its key by http:// is not fetched at all
    foreign = bf.foreign_credential()
    foreign["proof"][0]["verificationMethod"] = "http://issuer.example/keys/1"
    report = _verify(client, credential=foreign)
    assert report["verified"] is False
    assert "only https and did:web" in _check(report, "proof")["message"]


def test_our_own_hosted_ob2_assertion_verifies_through_the_service(client, app, factory):
    school = factory.school()
    award = issue(badge_class(school["org"], name="Fractions Master"), school["s1"])
    assertion = client.get(f"/badges/{award.id}/ob2").json
    report = _verify(client, credential=assertion, recipient=school["s1"].email)
    assert report["verified"] is True, report["checks"]
    assert report["badge"]["name"] == "Fractions Master" and report["issuer"]["name"] == school["org"].name
