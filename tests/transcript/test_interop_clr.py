"""The signed CLR, with its embedded badges, verifies with Digital Bazaar's independent
verifier (Node harness, documents fetched through our public routes); a changed number
or a revocation makes it fail there too."""
from __future__ import annotations

import copy

import pytest

from tests.support.badges import app_fetcher, node

pytestmark = pytest.mark.node


def _documents(client, credential):
    from openbadges.did import did_web_url

    fetch = app_fetcher(client)
    issuer = credential["issuer"]["id"] if isinstance(credential["issuer"], dict) else credential["issuer"]
    status_url = credential["credentialStatus"]["statusListCredential"]
    return {issuer: fetch(did_web_url(issuer)), status_url: fetch(status_url)}


def test_digital_bazaar_verifies_the_clr_and_its_badges(client, tschool, issued):
    from service.transcript import lifecycle

    clr = issued.credential
    documents = _documents(client, clr)
    result = node({"op": "di-verify", "credential": clr, "documents": documents})
    assert result["verified"] is True, result["error"]
    badges = [c for c in clr["credentialSubject"]["verifiableCredential"] if "proof" in c]
    assert badges
    for badge in badges:
        result = node({"op": "di-verify", "credential": badge, "documents": _documents(client, badge)})
        assert result["verified"] is True, result["error"]
    forged = copy.deepcopy(clr)
    course = next(c for c in forged["credentialSubject"]["verifiableCredential"]
                  if c["credentialSubject"]["achievement"].get("achievementType") == "Course")
    course["credentialSubject"]["creditsEarned"] = 0.5
    assert node({"op": "di-verify", "credential": forged, "documents": documents})["verified"] is False
    lifecycle.revoke(issued, actor=tschool["admin"], reason="Issued in error")
    revoked = node({"op": "di-verify", "credential": clr, "documents": _documents(client, clr)})
    assert revoked["verified"] is False and "revocation" in (revoked["error"] or "")
