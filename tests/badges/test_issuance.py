"""Issuing a badge: the credential's shape, its evidence and results, both
signatures, and the refusals."""
from __future__ import annotations


from openbadges import jwt as vcjwt
from openbadges.identity import matches
from openbadges.verify import verify
from tests.support.badges import HttpResolver, app_fetcher, badge_class, issue


def test_issued_credential_verifies_in_both_formats(app, client, factory):
    from service.badges import urls

    school = factory.school()
    award = issue(badge_class(school["org"]), school["s1"])
    cred = award.credential
    assert award.status == "issued"
    assert cred["id"] == urls.credential_url(award.id)
    assert cred["issuer"]["id"] == f"did:web:badges.test:issuers:{school['org'].slug}"
    assert cred["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert cred["proof"][0]["verificationMethod"].startswith(cred["issuer"]["id"] + "#ed25519-")
    identifier = cred["credentialSubject"]["identifier"][0]
    assert identifier["hashed"] is True and school["s1"].email not in str(cred)
    assert matches(identifier, school["s1"].email)
    assert cred["credentialStatus"]["statusPurpose"] == "suspension"  # one entry; revocation sets it too

    resolver = HttpResolver(client)
    report = verify(cred, resolver=resolver, status_fetcher=app_fetcher(client), recipient=school["s1"].email)
    assert report.verified, report.to_dict()
    assert report.check("status").status == "pass"

    header, claims, _, _ = vcjwt.decode_unverified(award.credential_jwt)
    assert header["alg"] == "RS256" and header["kid"].startswith(f"https://badges.test/issuers/{school['org'].slug}/keys/")
    jwt_report = verify(award.credential_jwt, resolver=resolver, status_fetcher=app_fetcher(client))
    assert jwt_report.verified, jwt_report.to_dict()
    assert claims["vc"]["id"] == cred["id"] and "proof" not in claims["vc"]


def test_manual_issue_needs_a_teacher_of_the_student_and_scored_evidence(app, client, factory):
    from service.portfolio import artifacts
    from service.extensions import db
    from tests.support.badges import competency_and_rubric, scored_work

    school = factory.school()
    competency, rubric = competency_and_rubric(school["org"], school["t1"])
    bc = badge_class(school["org"], issue_mode="approval")
    version, _ = scored_work(school, rubric, competency)
    unscored = artifacts.create_artifact(school["s1"], kind="link", title="Draft", url="https://example.test/draft")
    db.session.commit()
    url = f"/api/v1/badge-classes/{bc.id}/awards"

    body = {"recipient_id": str(school["s1"].id), "evidence_version_ids": [str(unscored.versions[0].id)]}
    response = client.post(url, headers=factory.auth(school["t1"]), json=body)
    assert response.status_code == 422 and "scored" in response.get_json()["errors"][0]["detail"]
    body["evidence_version_ids"] = [str(version.id)]
    assert client.post(url, headers=factory.auth(school["t2"]), json=body).status_code == 422  # not their student
    assert client.post(url, headers=factory.auth(school["s1"]), json=body).status_code == 403  # students do not issue
    response = client.post(url, headers=factory.auth(school["t1"]), json=body)
    assert response.status_code == 201, response.get_json()
    award = response.get_json()
    assert award["status"] == "issued" and award["source"] == "manual"
    [evidence] = award["credential"]["evidence"]
    assert evidence["digestSRI"].startswith("sha256-")
    [result] = award["credential"]["credentialSubject"]["result"]
    assert result["value"] == "Cites evidence: Exemplary"
    again = client.post(url, headers=factory.auth(school["t1"]), json=body)
    assert again.status_code == 200 and again.get_json()["id"] == award["id"]  # idempotent


def test_approval_queue_through_api_and_page(app, client, factory):
    from service.badges import issuance
    from tests.support.badges import competency_and_rubric, scored_work

    school = factory.school()
    competency, rubric = competency_and_rubric(school["org"], school["t1"])
    bc = badge_class(school["org"], issue_mode="approval",
                     rule={"all": [{"competency_id": str(competency.id), "min_level": 3}]})
    _, assessment = scored_work(school, rubric, competency)
    from service.assessment import scoring
    from service.extensions import db

    scoring.announce_mastery_change(assessment)  # the rule holds -> queued, not issued
    db.session.commit()  # the rule check runs after the commit
    teacher = factory.auth(school["t1"])
    [queued] = client.get("/api/v1/awards?status=pending_approval", headers=teacher).get_json()
    assert queued["credential"] is None and queued["evidence"]
    assert client.get("/api/v1/awards", headers=factory.auth(school["s1"])).get_json() == []  # not yet theirs

    page = client.get("/badges/manage", headers=teacher)
    assert page.status_code == 200 and f'id="pending-{queued["id"]}"' in page.get_data(as_text=True)
    assert client.post(f"/api/v1/awards/{queued['id']}/approve", headers=factory.auth(school["t2"])).status_code == 404
    response = client.post(f"/api/v1/awards/{queued['id']}/approve", headers=teacher)
    assert response.status_code == 200 and response.get_json()["status"] == "issued"
    assert verify(response.get_json()["credential"], resolver=HttpResolver(client),
                  status_fetcher=app_fetcher(client)).verified

    # Rejecting from the page: a second student's queued award.
    _, second = scored_work(school, rubric, competency, student=school["s2"])
    scoring.announce_mastery_change(second)
    db.session.commit()
    [queued2] = client.get("/api/v1/awards?status=pending_approval", headers=teacher).get_json()
    response = client.post(f"/badges/manage/awards/{queued2['id']}/reject", headers=teacher,
                           data={"reason": "needs one more piece"})
    assert response.status_code == 302
    rejected = client.get(f"/api/v1/awards/{queued2['id']}", headers=teacher).get_json()
    assert rejected["status"] == "rejected" and rejected["status_reason"] == "needs one more piece"
    assert issuance.award_by_key(issuance.award_key_for(bc.id, school["s2"].id)) is not None
