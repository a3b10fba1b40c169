"""End to end, every step a person takes over HTTP with bearer tokens: the
admin imports a framework, writes a rubric and defines an automatic badge;
the student uploads work (portfolio API) and submits it (assessment API); the
teacher scores it (assessment API); the badge is issued by the
`mastery_changed` signal the scoring endpoint sends; independent verifiers
(Digital Bazaar in Node, our library, POST /api/v1/verify) agree, including
after revocation and on a tampered copy.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import io

import pytest

from openbadges.verify import verify
from tests.support.badges import HttpResolver, app_fetcher, node

pytestmark = pytest.mark.node

WORK = b"%PDF-1.4\n% student essay on close reading\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FRAMEWORK_CSV = ("identifier,parent,human_code,statement,item_type,grade_levels\n"
                 "ela-cr-1,,CR.1,Reads closely and cites evidence,Competency,9;10\n")


def _documents(client, credential):
    """What a remote verifier would download: the issuer's DID document and the status list."""
    fetch = app_fetcher(client)
    from openbadges.did import did_web_url

    issuer = credential["issuer"]["id"]
    status_url = credential["credentialStatus"]["statusListCredential"]
    return {issuer: fetch(did_web_url(issuer)), status_url: fetch(status_url)}


def _ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _verify_api(client, credential):
    """POST /api/v1/verify needs no account; returns {check name: entry} and the verdict."""
    report = _ok(client.post("/api/v1/verify", json={"credential": credential}))
    return report["verified"], {c["check"]: c for c in report["checks"]}


def test_upload_score_auto_issue_verify_revoke(app, client, factory):
    from service.events import mastery_changed

    school = factory.school()
    admin, teacher, student = school["admin"], school["t1"], school["s1"]
    admin_auth, teacher_auth, student_auth = factory.auth(admin), factory.auth(teacher), factory.auth(student)

    # The admin imports the framework and writes a 4-level rubric aligned to its competency.
    framework = _ok(client.post("/api/v1/frameworks/import/csv", headers=admin_auth, json={
        "title": "ELA", "subject": "ELA", "csv": FRAMEWORK_CSV}), 201)
    items = _ok(client.get(f"/api/v1/frameworks/{framework['id']}", headers=admin_auth))["items"]
    competency_id = next(i["id"] for i in items if i["human_code"] == "CR.1")
    rubric = _ok(client.post("/api/v1/rubrics", headers=admin_auth, json={
        "title": "Close reading", "levels": [
            {"label": "Beginning", "points": 1, "proficiency_value": 1},
            {"label": "Developing", "points": 2, "proficiency_value": 2},
            {"label": "Proficient", "points": 3, "proficiency_value": 3},
            {"label": "Exemplary", "points": 4, "proficiency_value": 4}],
        "criteria": [{"title": "Cites evidence", "competency_ids": [competency_id]}]}), 201)

    # The admin defines an automatic badge: mastery >= 3 of the competency.
    response = client.post("/api/v1/badge-classes", headers=admin_auth, json={
        "name": "Careful Reader", "description": "Reads closely and cites evidence.",
        "criteria_narrative": "Reach level 3 (Proficient) on CR.1 in scored work.", "issue_mode": "auto",
        "rubric_id": rubric["id"], "rule": {"all": [{"competency_id": competency_id, "min_level": 3}]},
        "alignments": [{"targetName": "Reads closely and cites evidence", "targetCode": "CR.1",
                        "targetUrl": "https://standards.example/ela/cr-1", "targetType": "CFItem"}]})
    assert response.status_code == 201, response.get_json()
    badge_class_id = response.get_json()["id"]

    # The student uploads work through the portfolio API and submits it through the assessment API.
    response = client.post("/api/v1/artifacts/files", headers=student_auth, data={
        "file": (io.BytesIO(WORK), "essay.pdf"), "title": "Close reading essay"},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    artifact = response.get_json()
    version = artifact["versions"][0]
    submission = _ok(client.post("/api/v1/submissions", headers=student_auth, json={
        "section_id": str(school["sec1"].id), "rubric_id": rubric["id"], "title": "Essay",
        "artifact_version_ids": [version["id"]], "competency_id": competency_id}), 201)

    # The teacher finds it in the review queue and scores it "Exemplary"; the scoring
    # endpoint announces the mastery change after its commit, and badges listen.
    queue = _ok(client.get("/api/v1/submissions?status=submitted", headers=teacher_auth))
    assert [s["id"] for s in queue] == [submission["id"]]
    level = next(lv for lv in rubric["levels"] if lv["proficiency_value"] == 4)
    announced = []

    def heard(sender, **kw):
        announced.append(kw)

    mastery_changed.connect(heard)
    try:
        _ok(client.post(f"/api/v1/submissions/{submission['id']}/scores", headers=teacher_auth, json={
            "scores": [{"criterion_id": rubric["criteria"][0]["id"], "level_id": level["id"]}]}), 201)
    finally:
        mastery_changed.disconnect(heard)
    assert [(str(a["student_id"]), [str(c) for c in a["competency_ids"]]) for a in announced] == [
        (str(student.id), [competency_id])]

    # The student sees the badge in the API, issued automatically.
    listed = _ok(client.get("/api/v1/awards", headers=student_auth))
    assert [a["badge_class_id"] for a in listed] == [badge_class_id]
    award = listed[0]
    assert award["status"] == "issued" and award["source"] == "auto"
    credential = award["credential"]
    evidence = credential["evidence"][0]
    assert evidence["id"].endswith(f"/api/v1/artifacts/{artifact['id']}/versions/1/content")
    assert evidence["digestSRI"] == "sha256-" + base64.b64encode(hashlib.sha256(WORK).digest()).decode()
    result = credential["credentialSubject"]["result"][0]
    assert result["achievedLevel"].endswith(f"#level-{level['id']}")
    assert result["resultDescription"] in {rd["id"] for rd in
                                           credential["credentialSubject"]["achievement"]["resultDescription"]}
    # Evidence can no longer change.
    locked = _ok(client.get(f"/api/v1/artifacts/{artifact['id']}/versions/1", headers=student_auth))
    assert locked["locked"] is True and locked["locked_at"]
    assert _ok(client.get(f"/api/v1/awards/{award['id']}", headers=student_auth))["id"] == award["id"]
    assert client.get(f"/credentials/{award['id']}", headers=student_auth).get_json() == credential
    # Anonymous callers get it only once the earner has made the evidence visible (issue 14).
    assert client.get(f"/credentials/{award['id']}").status_code == 403

    # Independent verifier (Digital Bazaar, Node), our library and our verify API agree.
    documents = _documents(client, credential)
    assert node({"op": "di-verify", "credential": credential, "documents": documents}) == {
        "verified": True, "status": {"verified": True}, "error": None}
    resolver, fetcher = HttpResolver(client), app_fetcher(client)
    report = verify(credential, resolver=resolver, status_fetcher=fetcher, recipient=student.email)
    assert report.verified, report.to_dict()
    assert verify(award["credential_jwt"], resolver=resolver, status_fetcher=fetcher).verified
    verified, checks = _verify_api(client, credential)
    assert verified is True and checks["proof"]["status"] == "pass" and checks["status"]["status"] == "pass"

    # A tampered copy is refused by all three, with a reason.
    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["achievement"]["name"] = "Brilliant Reader"
    refused = node({"op": "di-verify", "credential": forged, "documents": documents})
    assert refused["verified"] is False and refused["error"]
    mine = verify(forged, resolver=resolver, status_fetcher=fetcher)
    assert not mine.verified and "signature does not match" in mine.check("proof").message
    verified, checks = _verify_api(client, forged)
    assert verified is False and "signature does not match" in checks["proof"]["message"]

    # Revocation: the re-signed status list says so to every verifier.
    response = client.post(f"/api/v1/awards/{award['id']}/revoke", headers=teacher_auth,
                           json={"reason": "plagiarised essay"})
    assert response.status_code == 200 and response.get_json()["status"] == "revoked"
    revoked = node({"op": "di-verify", "credential": credential, "documents": _documents(client, credential)})
    # the credential's one status entry is its suspension entry, set for good by a revocation
    assert revoked["verified"] is False and revoked["status"]["status"] == "suspension"
    after = verify(credential, resolver=resolver, status_fetcher=fetcher)
    assert not after.verified and "suspended" in after.check("status").message
    verified, checks = _verify_api(client, credential)
    assert verified is False and checks["status"]["status"] == "fail" and "revoked" in checks["status"]["message"]
    assert client.get(f"/credentials/{award['id']}").status_code == 410


def test_credential_signed_by_an_unknown_key_is_refused(app, client, factory):
    from service.badges import issuance
    from service.extensions import db
    from tests.support.badges import badge_class

    school = factory.school()
    award = issuance.issue(badge_class(school["org"]), issuance.Unit(school["s2"])).award
    credential = copy.deepcopy(award.credential)
    # Re-signed by a stranger's key that claims to be our issuer's.
    from openbadges import data_integrity, keys

    stranger = keys.generate("EdDSA")
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    forged = data_integrity.sign(unsigned, stranger, credential["proof"][0]["verificationMethod"])
    report = verify(forged, resolver=HttpResolver(client), status_fetcher=app_fetcher(client))
    assert not report.verified and "signature does not match" in report.check("proof").message
    refused = node({"op": "di-verify", "credential": forged, "documents": _documents(client, credential)})
    assert refused["verified"] is False
    db.session.rollback()
