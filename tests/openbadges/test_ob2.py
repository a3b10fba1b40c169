"""Open Badges 2.0: hosted and signed assertions, each document served by a real
HTTP server on loopback (the issuer's website), verified through the library."""
from __future__ import annotations

import base64
import hashlib
import json
import urllib.request
from datetime import datetime, timezone

import pytest
from cryptography.hazmat.primitives import serialization

from openbadges import did, keys
from openbadges.verify import verify
from tests.support.badge_fixtures import other_site

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
EMAIL = "learner@example.edu"


class HttpResolver:
    """Fetches the issuer's documents from the loopback site (tests only)."""

    def resolve(self, url):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback test server)
                return json.loads(response.read())
        except OSError as exc:
            raise did.ResolutionError(f"{url}: {exc}") from None


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def site():
    files: dict = {}
    with other_site(files) as (origin, _hostport):
        key = keys.generate("RS256")
        pem = key.public_key.key.public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        issuer = {"@context": "https://w3id.org/openbadges/v2", "type": "Issuer", "id": f"{origin}/issuer.json",
                  "name": "Riverside", "url": origin, "publicKey": f"{origin}/key.json",
                  "revocationList": f"{origin}/revoked.json"}
        docs = {
            "/issuer.json": issuer,
            "/key.json": {"@context": "https://w3id.org/openbadges/v2", "type": "CryptographicKey",
                          "id": f"{origin}/key.json", "owner": issuer["id"], "publicKeyPem": pem},
            "/badge.json": {"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass",
                            "id": f"{origin}/badge.json", "name": "Robotics", "description": "Built a robot.",
                            "image": f"{origin}/badge.png", "criteria": {"narrative": "Build one."},
                            "issuer": issuer["id"]},
            "/revoked.json": {"@context": "https://w3id.org/openbadges/v2", "type": "RevocationList",
                              "id": f"{origin}/revoked.json",
                              "revokedAssertions": [{"id": f"{origin}/assertions/2", "revocationReason": "error"}]},
        }
        for path, doc in docs.items():
            files[path] = ("application/json", json.dumps(doc).encode())

        def assertion(n, verification):
            return {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
                    "id": f"{origin}/assertions/{n}", "badge": f"{origin}/badge.json",
                    "recipient": {"type": "email", "hashed": True, "salt": "pepper",
                                  "identity": "sha256$" + hashlib.sha256((EMAIL + "pepper").encode()).hexdigest()},
                    "issuedOn": "2025-01-01T00:00:00Z", "verification": verification}

        def signed(n, body=None):
            body = body or assertion(n, {"type": "SignedBadge", "creator": f"{origin}/key.json"})
            head = b64u(json.dumps({"alg": "RS256"}).encode()) + "." + b64u(json.dumps(body).encode())
            return head + "." + b64u(key.sign(head.encode()))

        def host(n):
            doc = assertion(n, {"type": "HostedBadge"})
            files[f"/assertions/{n}"] = ("application/json", json.dumps(doc).encode())
            return doc

        yield {"origin": origin, "files": files, "assertion": assertion, "signed": signed, "host": host}


def checks(report):
    return {c.check: c.status for c in report.checks}


def test_hosted_assertion_served_by_its_issuer_verifies(site):
    report = verify(site["host"](1), resolver=HttpResolver(), now=NOW, recipient=EMAIL)
    assert report.verified, report.to_dict()
    assert report.key_binding.how == "hosted" and checks(report)["recipient"] == "pass"


def test_tampered_hosted_assertion_is_not_the_issuers(site):
    doc = site["host"](1)
    doc["issuedOn"] = "2024-01-01T00:00:00Z"  # not what the issuer serves at that id
    report = verify(doc, resolver=HttpResolver(), now=NOW)
    assert not report.verified and checks(report)["key_binding"] == "fail"


def test_signed_assertion_verifies_and_checks_the_recipient(site):
    token = site["signed"](1)
    report = verify(token, resolver=HttpResolver(), now=NOW, recipient=EMAIL)
    assert report.verified and report.key_binding.how == "issuer-publicKey", report.to_dict()
    wrong = verify(token, resolver=HttpResolver(), now=NOW, recipient="someone@else.example")
    assert not wrong.verified and checks(wrong)["recipient"] == "fail"


def test_revoked_signed_assertion_is_refused(site):
    report = verify(site["signed"](2), resolver=HttpResolver(), now=NOW)
    assert not report.verified and checks(report)["status"] == "fail"
    assert "revoked" in report.check("status").message


def test_tampered_signed_assertion_is_refused(site):
    head, payload, sig = site["signed"](1).split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["badge"] = body["badge"].replace("badge.json", "other.json")
    report = verify(f"{head}.{b64u(json.dumps(body).encode())}.{sig}", resolver=HttpResolver(), now=NOW)
    assert not report.conformant


def test_signed_by_a_key_the_issuer_does_not_own_is_refused(site):
    stranger = keys.generate("RS256")
    pem = stranger.public_key.key.public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    site["files"]["/evil-key.json"] = ("application/json", json.dumps(
        {"@context": "https://w3id.org/openbadges/v2", "type": "CryptographicKey", "id": f"{site['origin']}/evil-key.json",
         "owner": "https://evil.example/issuer", "publicKeyPem": pem}).encode())
    body = site["assertion"](3, {"type": "SignedBadge", "creator": f"{site['origin']}/evil-key.json"})
    head = b64u(json.dumps({"alg": "RS256"}).encode()) + "." + b64u(json.dumps(body).encode())
    token = head + "." + b64u(stranger.sign(head.encode()))
    report = verify(token, resolver=HttpResolver(), now=NOW)
    assert not report.verified and "owner" in report.check("proof").message
