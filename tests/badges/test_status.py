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
    before = fetch(url)
    assert obstatus.read_status(before, entry["statusListIndex"], "revocation") == 0
    # The published list is itself a signed credential of the same issuer.
    assert verify(before, resolver=resolver, _status_list=True).verified

    teacher = factory.auth(school["t1"])
    response = client.post(f"/api/v1/awards/{award.id}/suspend", headers=teacher, json={"reason": "under review"})
    assert response.status_code == 200 and response.get_json()["status"] == "suspended"
    assert client.get(f"/credentials/{award.id}").status_code == 409
    response = client.post(f"/api/v1/awards/{award.id}/unsuspend", headers=teacher, json={})
    assert response.get_json()["status"] == "issued"

    response = client.post(f"/api/v1/awards/{award.id}/revoke", headers=teacher,
                           json={"reason": "plagiarism", "reason_public": True})
    assert response.status_code == 200 and response.get_json()["status_reason"] == "plagiarism"
    assert response.get_json()["status_reason_public"] is True
    after = fetch(url)
    assert after["proof"][0]["proofValue"] != before["proof"][0]["proofValue"]
    assert obstatus.read_status(after, entry["statusListIndex"], "revocation") == 1
    report = verify(award.credential, resolver=resolver, status_fetcher=fetch)
    assert not report.verified and "revoked" in report.check("status").message
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
