"""POST /api/v1/verify: our badges, anyone's badges, every input form, and the
refusals (tampered, unknown key, revoked, suspended, unsafe URLs)."""
from __future__ import annotations

import io
import json

import pytest

from openbadges import baking, data_integrity, keys as obkeys
from service.extensions import db
from tests.support import badge_fixtures as bf


def verify(client, **body):
    response = client.post("/api/v1/verify", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def check(report, name):
    found = [c for c in report["checks"] if c["check"] == name]
    assert found, f"no {name} check in {report['checks']}"
    return found[-1]


def test_our_credential_verifies_with_issuer_and_badge_details(client, issued):
    report = verify(client, credential=issued["award"].credential)
    assert report["verified"] is True, report["checks"]
    assert check(report, "proof")["status"] == "pass"
    assert check(report, "status")["status"] == "pass"
    assert report["issuer"]["name"] == issued["org"].name and report["issuer"]["ours"] is True
    assert report["badge"]["name"] == "Fractions Master"
    assert report["badge"]["criteria"]["narrative"].startswith("Score level 3")
    assert report["badge"]["image"].endswith(f"/achievements/{issued['bc'].id}/image")
    assert report["format"] == "json"


def test_our_vc_jwt_verifies_and_its_key_is_bound_to_the_issuer(client, issued):
    report = verify(client, jwt=issued["award"].credential_jwt)
    assert report["verified"] is True, report["checks"]
    assert report["format"] == "jwt"
    assert check(report, "proof")["status"] == "pass"  # not a "key not bound to issuer" warning


def test_credential_text_is_accepted_too(client, issued):
    report = verify(client, credential=json.dumps(issued["award"].credential))
    assert report["verified"] is True


def test_revoked_badge_is_reported_revoked(client, issued):
    from service.badges import status

    status.revoke(issued["award"], reason="plagiarism")
    db.session.commit()
    report = verify(client, credential=issued["award"].credential)
    assert report["verified"] is False
    assert check(report, "status")["status"] == "fail"
    assert "revoked" in check(report, "status")["message"]
    jwt_report = verify(client, jwt=issued["award"].credential_jwt)
    assert jwt_report["verified"] is False and "revoked" in check(jwt_report, "status")["message"]


def test_suspended_badge_is_reported_suspended(client, issued):
    from service.badges import status

    status.suspend(issued["award"], reason="under review")
    db.session.commit()
    report = verify(client, credential=issued["award"].credential)
    assert report["verified"] is False
    message = check(report, "status")["message"]
    assert "suspended" in message and "under review" not in message  # reasons are private by default
    issued["award"].status_reason_public = True  # unless the issuer marks them public
    db.session.commit()
    assert "under review" in check(verify(client, credential=issued["award"].credential), "status")["message"]


def test_tampered_copy_is_refused_with_the_reason(client, issued):
    report = verify(client, credential=bf.tampered(issued["award"].credential))
    assert report["verified"] is False
    proof = check(report, "proof")
    assert proof["status"] == "fail" and "signature does not match" in proof["message"]


def test_credential_signed_by_an_unknown_key_is_refused(client, issued):
    # Claims to be from our issuer, but signed with a key the issuer never published.
    unsigned = {k: v for k, v in issued["award"].credential.items() if k != "proof"}
    rogue = obkeys.generate("EdDSA")
    forged = data_integrity.sign(unsigned, rogue, unsigned["issuer"]["id"] + "#ed25519-99")
    report = verify(client, credential=forged)
    assert report["verified"] is False
    proof = check(report, "proof")
    assert proof["status"] == "fail" and "not found" in proof["message"] and "ed25519-99" in proof["message"]
    # ...and the same with a correct-looking key id but a different key's signature
    forged = data_integrity.sign(unsigned, rogue, issued["award"].credential["proof"][0]["verificationMethod"])
    assert check(verify(client, credential=forged), "proof")["status"] == "fail"


def test_any_issuers_did_key_credential_verifies(client, app):
    foreign = bf.foreign_credential()
    report = verify(client, credential=foreign)
    assert report["verified"] is True, report["checks"]
    assert report["issuer"]["name"] == "Elsewhere Academy" and report["issuer"]["ours"] is False
    assert report["badge"]["name"] == "Open Source Contributor"
    assert check(report, "status")["status"] == "skipped"


def test_retired_key_still_verifies_after_rotation(client, issued):
    from service.badges import keys

    keys.rotate(issued["org"], reason="yearly")
    report = verify(client, credential=issued["award"].credential)
    assert report["verified"] is True, report["checks"]
    assert verify(client, jwt=issued["award"].credential_jwt)["verified"] is True


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_baked_image_upload_verifies(client, issued, fmt):
    if fmt == "png":
        image = baking.bake_png(bf.tiny_png(), issued["award"].credential)
    else:
        image = baking.bake_svg(b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>',
                                issued["award"].credential_jwt)
    response = client.post("/api/v1/verify", data={"file": (io.BytesIO(image), f"badge.{fmt}")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert response.json["verified"] is True, response.json["checks"]
    assert response.json["format"] == fmt


def test_image_without_a_badge_is_a_failed_parse_not_an_error(client):
    response = client.post("/api/v1/verify", data={"file": (io.BytesIO(bf.tiny_png()), "plain.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert response.json["verified"] is False
    assert check(response.json, "parse")["status"] == "fail"


def test_our_own_urls_verify_without_the_network(client, issued):
    award = issued["award"]
    for url in (f"https://badges.test/credentials/{award.id}", f"https://badges.test/badges/{award.id}"):
        report = verify(client, url=url)
        assert report["verified"] is True, (url, report["checks"])


def test_url_of_another_site_is_fetched_and_verified(client, app):
    foreign = bf.foreign_credential()
    with bf.other_site({"/badge.json": ("application/json", json.dumps(foreign).encode())}) as (origin, hostport):
        app.config["BADGE_FETCH_ALLOW_PRIVATE"] = [hostport]
        report = verify(client, url=f"{origin}/badge.json")
    assert report["verified"] is True, report["checks"]
    assert report["badge"]["name"] == "Open Source Contributor"


def test_evidence_digest_is_checked_where_reachable(client, app):
    work = b"my essay, version 3"
    with bf.other_site({"/essay.txt": ("text/plain", work)}) as (origin, hostport):
        app.config["BADGE_FETCH_ALLOW_PRIVATE"] = [hostport]
        good = bf.foreign_credential(evidence_url=f"{origin}/essay.txt", evidence_sha256=bf.sha256_hex(work))
        report = verify(client, credential=good)
        assert report["verified"] is True, report["checks"]
        assert check(report, "evidence")["status"] == "pass"
        assert report["evidence"][0]["status"] == "pass"
        changed = bf.foreign_credential(evidence_url=f"{origin}/essay.txt",
                                        evidence_sha256=bf.sha256_hex(b"the original essay"))
        report = verify(client, credential=changed)
        assert report["verified"] is False
        assert check(report, "evidence")["status"] == "fail" and "changed" in check(report, "evidence")["message"]
        gone = bf.foreign_credential(evidence_url=f"{origin}/missing.txt", evidence_sha256=bf.sha256_hex(work))
        report = verify(client, credential=gone)
        assert report["verified"] is True  # unreachable evidence is a warning, not a forgery
        assert check(report, "evidence")["status"] == "warning"


@pytest.mark.parametrize("url,reason", [
    ("http://127.0.0.1:9/badge.json", "private, loopback"),
    ("http://localhost/badge.json", "private, loopback"),
    ("http://[::1]/badge.json", "private, loopback"),
    ("http://10.1.2.3/badge.json", "private, loopback"),
    ("http://169.254.169.254/latest/meta-data/", "private, loopback"),
    ("file:///etc/passwd", "http or https"),
    ("gopher://example.com/", "http or https"),
    ("http://user:pw@example.com/", "user names or passwords"),
])
def test_unsafe_urls_are_refused(client, url, reason):
    response = client.post("/api/v1/verify", json={"url": url})
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert reason in response.json["detail"]
    assert response.json["errors"][0]["field"] == "url"


def test_bad_requests_are_clear_problems(client):
    assert client.post("/api/v1/verify", data="not json", content_type="application/json").status_code == 400
    none = client.post("/api/v1/verify", json={})
    assert none.status_code == 422 and "nothing to verify" in none.json["detail"]
    two = client.post("/api/v1/verify", json={"jwt": "a.b.c", "url": "https://example.com/x"})
    assert two.status_code == 422 and "exactly one" in two.json["detail"]
    unknown = client.post("/api/v1/verify", json={"credentials": {}})
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "credentials"


def test_garbage_credentials_fail_checks_instead_of_crashing(client):
    for garbage in ("{", "[]", "a.b.c", '{"@context": 5}', "x" * 1000):
        report = verify(client, credential=garbage)
        assert report["verified"] is False
        assert any(c["status"] == "fail" for c in report["checks"])


def test_documented_in_openapi_without_authentication(client):
    operation = client.get("/api/openapi.json").json["paths"]["/api/v1/verify"]["post"]
    assert operation["security"] == []  # no account needed
    assert set(operation["requestBody"]["content"]) == {"application/json", "multipart/form-data"}


def test_report_has_exactly_the_documented_shape(client, issued):
    """The endpoint returns the report as built (no marshmallow dump): it must already
    be what VerificationSchema documents, field for field, verified or not."""
    from service.badges import status
    from service.badges.verify_api import VerificationSchema

    schema = VerificationSchema()
    tampered = json.loads(json.dumps(issued["award"].credential))
    tampered["credentialSubject"]["achievement"]["name"] = "Something else"
    reports = [verify(client, credential=issued["award"].credential), verify(client, credential=tampered),
               verify(client, jwt=issued["award"].credential_jwt), verify(client, credential="{"),
               verify(client, credential=bf.foreign_credential())]
    status.revoke(issued["award"], reason="plagiarism")
    db.session.commit()
    reports.append(verify(client, credential=issued["award"].credential))
    for report in reports:
        assert schema.dump(report) == report
        assert set(report) <= set(schema.fields)


@pytest.mark.parametrize("body", [{"credential": {"a": [1]}}, {"credential": "{}", "recipient": "a@b.example"},
                                  {"jwt": "a.b.c"}, {"url": "https://example.com/x", "recipient": "x"}])
def test_the_quick_read_of_a_plain_body_is_what_the_schema_loads(app, body):
    from service.badges.verify_api import VerifyRequestSchema, read_request

    with app.test_request_context("/api/v1/verify", method="POST", json=body):
        assert read_request() == VerifyRequestSchema().load(body)
