"""Revocation and suspension through the signed Bitstring Status Lists."""
from __future__ import annotations

from openbadges import status_list as obstatus
from openbadges.verify import verify
from tests.support.badges import HttpResolver, app_fetcher, badge_class, issue


def test_status_indexes_are_shuffled_and_unique(app, factory):
    from service.badges import status

    org = factory.org()
    slots = status.allocate(org, "revocation", 500)
    indexes = [i for _, i in slots]
    assert len(set(indexes)) == 500
    assert indexes != sorted(indexes)  # not handed out in order
    assert all(0 <= i < status.LIST_SIZE for i in indexes)


def test_revoke_suspend_unsuspend_resign_the_lists(app, client, factory):
    school = factory.school()
    award = issue(badge_class(school["org"]), school["s1"])
    other = issue(badge_class(school["org"], name="Other"), school["s2"])
    entry = award.credential["credentialStatus"]
    url = entry["statusListCredential"]
    fetch, resolver = app_fetcher(client), HttpResolver(client)
    # the one entry (1EdTech's schema allows one) is a suspension entry: every Bitstring
    # Status List verifier sees a suspension, and a revocation sets the same bit for good
    assert entry["statusPurpose"] == "suspension"
    before = fetch(url)
    assert obstatus.read_status(before, entry["statusListIndex"], "suspension") == 0
    # The published list is itself a signed credential of the same issuer.
    assert verify(before, resolver=resolver, _status_list=True).verified

    teacher = factory.auth(school["t1"])
    response = client.post(f"/api/v1/awards/{award.id}/suspend", headers=teacher, json={"reason": "under review"})
    assert response.status_code == 200 and response.get_json()["status"] == "suspended"
    assert client.get(f"/credentials/{award.id}").status_code == 409
    assert obstatus.read_status(fetch(url), entry["statusListIndex"], "suspension") == 1
    report = verify(award.credential, resolver=resolver, status_fetcher=fetch)
    assert not report.verified and "suspended" in report.check("status").message
    response = client.post(f"/api/v1/awards/{award.id}/unsuspend", headers=teacher, json={})
    assert response.get_json()["status"] == "issued"
    assert obstatus.read_status(fetch(url), entry["statusListIndex"], "suspension") == 0
    assert verify(award.credential, resolver=resolver, status_fetcher=fetch).verified

    response = client.post(f"/api/v1/awards/{award.id}/revoke", headers=teacher,
                           json={"reason": "plagiarism", "reason_public": True})
    assert response.status_code == 200 and response.get_json()["status_reason"] == "plagiarism"
    assert response.get_json()["status_reason_public"] is True
    after = fetch(url)
    assert after["proof"][0]["proofValue"] != before["proof"][0]["proofValue"]
    assert obstatus.read_status(after, entry["statusListIndex"], "suspension") == 1
    report = verify(award.credential, resolver=resolver, status_fetcher=fetch)
    assert not report.verified and report.check("status").status == "fail"
    # our own verifier knows the award and says what happened
    api = client.post("/api/v1/verify", json={"credential": award.credential}).get_json()
    status_checks = [c for c in api["checks"] if c["check"] == "status"]
    assert api["verified"] is False and "revoked by its issuer: plagiarism" in status_checks[0]["message"]
    assert "suspended" not in status_checks[0]["message"]  # a college is not told a revoked badge is suspended
    assert verify(other.credential, resolver=resolver, status_fetcher=fetch).verified  # neighbours unaffected

    # Revocation is final; the 1EdTech revocation list names it too.
    again = client.post(f"/api/v1/awards/{award.id}/unsuspend", headers=teacher, json={})
    assert again.status_code == 409
    listed = client.get(f"/issuers/{school['org'].slug}/revocations").get_json()
    assert listed["revokedCredentials"] == [{"id": award.credential["id"], "revocationReason": "plagiarism"}]


def test_who_may_change_status(app, client, factory):
    school = factory.school()
    award = issue(badge_class(school["org"]), school["s1"])
    body = {"reason": "x"}
    # The other section's teacher cannot see the award at all; the student may see but not revoke.
    assert client.post(f"/api/v1/awards/{award.id}/revoke", headers=factory.auth(school["t2"]),
                       json=body).status_code == 404
    assert client.post(f"/api/v1/awards/{award.id}/revoke", headers=factory.auth(school["s1"]),
                       json=body).status_code == 403
    assert client.post(f"/api/v1/awards/{award.id}/revoke", headers=factory.auth(school["t1"], scopes=("read",)),
                       json=body).status_code == 403
    assert client.post(f"/api/v1/awards/{award.id}/revoke", headers=factory.auth(school["admin"]),
                       json={}).status_code == 422
    assert client.post(f"/api/v1/awards/{award.id}/revoke", headers=factory.auth(school["admin"]),
                       json=body).status_code == 200


def test_credentials_issued_with_a_revocation_entry_keep_their_meaning(app, factory):
    # before suspension entries, a credential's one entry was its revocation entry
    from service.badges import status
    from service.badges.models import StatusList, StatusListEntry
    from service.extensions import db

    school = factory.school()
    award = issue(badge_class(school["org"]), school["s1"])
    (row, index), = status.allocate(school["org"], "revocation")
    db.session.add(StatusListEntry(status_list_id=row.id, award_id=award.id, status_index=index))
    award.credential = dict(award.credential, credentialStatus=status.credential_status(row, index))
    db.session.commit()
    suspension = status._entry(award, "suspension")
    status.suspend(award, reason="review")
    assert status.bit(suspension.status_list_id, suspension.status_index) == 1
    status.revoke(award, reason="plagiarism")
    db.session.commit()
    assert status.bit(row.id, index) == 1  # the bit this credential names
    assert status.bit(suspension.status_list_id, suspension.status_index) == 0  # no longer "suspended"
    assert db.session.get(StatusList, row.id).purpose == "revocation"
