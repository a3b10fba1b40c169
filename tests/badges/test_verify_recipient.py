"""The verifier enters the applicant's e-mail: it is checked against the
credential's hashed recipient, on the API and on the page."""
from __future__ import annotations

import json

import pytest

from tests.support import badge_fixtures as bf


@pytest.fixture
def issued(factory):
    school = factory.school()
    bc = bf.badge_class(school["org"])
    award = bf.award_badge(school["org"], bc, school["s1"])
    return dict(school, award=award)


def _check(report, name):
    return next(c for c in report["checks"] if c["check"] == name)


def test_api_checks_the_applicants_email(client, issued):
    email = issued["s1"].email
    right = client.post("/api/v1/verify", json={"credential": issued["award"].credential,
                                                "recipient": email.upper()}).json
    assert right["verified"] is True and _check(right, "recipient")["status"] == "pass"
    assert right["recipient"]["identifiers"] == [{"type": "emailAddress", "hashed": True, "value": None}]
    wrong = client.post("/api/v1/verify", json={"jwt": issued["award"].credential_jwt,
                                                "recipient": "someone.else@example.org"}).json
    assert wrong["verified"] is False and _check(wrong, "recipient")["status"] == "fail"
    none = client.post("/api/v1/verify", json={"credential": issued["award"].credential}).json
    assert none["verified"] is True and _check(none, "recipient")["status"] == "skipped"


def test_page_checks_the_applicants_email(client, issued):
    text = json.dumps(issued["award"].credential)
    html = client.post("/verify", data={"credential": text, "recipient": issued["s1"].email}).get_data(as_text=True)
    assert "✔ Verified" in html and 'data-check="recipient" data-status="pass"' in html
    assert 'id="issued-to"' in html and "hashed" in html
    html = client.post("/verify", data={"credential": text, "recipient": "x@example.org"}).get_data(as_text=True)
    assert "✘ Not verified" in html and 'data-check="recipient" data-status="fail"' in html
