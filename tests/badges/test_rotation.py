"""Key rotation: new credentials use the new keys, old ones still verify."""
from __future__ import annotations

import pytest

from openbadges import jwt as vcjwt
from openbadges.did import did_web_url
from openbadges.verify import verify
from tests.support.badges import HttpResolver, app_fetcher, badge_class, issue, node


def test_rotation_keeps_old_credentials_verifiable(app, client, factory):
    school = factory.school()
    org = school["org"]
    bc = badge_class(org)
    old = issue(bc, school["s1"])
    assert old.credential["proof"][0]["verificationMethod"].endswith("#ed25519-1")

    response = client.post("/api/v1/issuer-keys/rotate", headers=factory.auth(school["admin"]),
                           json={"reason": "yearly rotation"})
    assert response.status_code == 201, response.get_json()
    assert sorted(k["key_id"] for k in response.get_json()) == ["ed25519-2", "rs256-2"]
    listing = client.get("/api/v1/issuer-keys", headers=factory.auth(school["admin"])).get_json()
    assert {(k["key_id"], k["status"]) for k in listing} == {
        ("ed25519-1", "retired"), ("rs256-1", "retired"), ("ed25519-2", "active"), ("rs256-2", "active")}

    new = issue(bc, school["s2"])
    assert new.credential["proof"][0]["verificationMethod"].endswith("#ed25519-2")
    assert vcjwt.decode_unverified(new.credential_jwt)[0]["kid"].endswith("/keys/rs256-2")

    resolver, fetcher = HttpResolver(client), app_fetcher(client)
    for award in (old, new):
        assert verify(award.credential, resolver=resolver, status_fetcher=fetcher).verified
        assert verify(award.credential_jwt, resolver=resolver, status_fetcher=fetcher).verified
    did = old.credential["issuer"]["id"]
    doc = fetcher(did_web_url(did))
    assert [m["id"].rsplit("#", 1)[1] for m in doc["verificationMethod"]] == ["ed25519-1", "ed25519-2"]
    status_url = old.credential["credentialStatus"]["statusListCredential"]
    result = node({"op": "di-verify", "credential": old.credential,
                   "documents": {did: doc, status_url: fetcher(status_url)}})
    assert result["verified"] is True, result


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_only_admins_rotate(app, client, factory, role):
    org = factory.org()
    person = factory.person(role, org)
    response = client.post("/api/v1/issuer-keys/rotate", headers=factory.auth(person), json={})
    assert response.status_code == 403
