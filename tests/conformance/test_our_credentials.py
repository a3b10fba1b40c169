"""Our freshly issued credentials, in all four forms (JSON, VC-JWT, baked PNG,
baked SVG), through 1EdTech's probe order, and through Digital Bazaar's
verifier with its own Bitstring Status List checker: valid when issued, and a
suspension, a reinstatement and a revocation seen by both through the status
list alone.

1EdTech's order (OB30Inspector): parse, context, type, JSON schema (1EdTech's
own schema, bundled unchanged), proof (EmbeddedProofProbe for the JSON forms;
ExternalProofProbe for the JWT: alg RS256, key by kid as a JWK), dates, then
the status probe: BitstringStatusListProbe reads the entry's first bit at
index x statusSize and fails ("Credential has been revoked") on any set bit.
"""
from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone

import pytest

from openbadges import b64url, baking, data_integrity, official_schema
from openbadges import jwt as vcjwt
from openbadges.keys import PublicKey
from tests.support.badges import HttpResolver, app_fetcher, badge_class, issue, node

VC_V2 = "https://www.w3.org/ns/credentials/v2"
FORMS = ("json", "jwt", "png", "svg")


def _forms(award) -> dict:
    from service.badges import downloads

    return {"json": json.dumps(award.credential).encode(), "jwt": award.credential_jwt.encode(),
            "png": downloads.baked_png(award), "svg": downloads.baked_svg(award)}


def _parse(fmt: str, raw: bytes):
    """CredentialParseProbe: the credential (and the JWT, if that is the form)."""
    if fmt in ("png", "svg"):
        payload = baking.extract(raw).payload
        raw = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        fmt = "jwt" if raw.count(b".") == 2 and not raw.lstrip().startswith(b"{") else "json"
    if fmt == "jwt":
        token = raw.decode()
        _header, claims, _, _ = vcjwt.decode_unverified(token)
        return claims.get("vc", claims), token
    return json.loads(raw), None


def _bitstring_status_probe(credential: dict, fetch) -> str | None:
    """BitstringStatusListProbe, as 1EdTech wrote it: None, or its fatal message."""
    entry = credential["credentialStatus"]
    assert isinstance(entry, dict), "1EdTech's schema allows one credentialStatus object"
    listing = fetch(entry["statusListCredential"])["credentialSubject"]
    assert listing["statusPurpose"] == entry["statusPurpose"], "statusPurpose mismatch"
    bits = gzip.decompress(b64url.decode(listing["encodedList"][1:]))
    size = int(entry.get("statusSize", 1))
    assert len(bits) * 8 // size >= 131_072
    index = int(entry["statusListIndex"]) * size
    return "Credential has been revoked" if bits[index // 8] & (1 << (7 - index % 8)) else None


def _probe_order(fmt: str, raw: bytes, client, resolver, fetch) -> str | None:
    """1EdTech's probes in its order; returns the status probe's verdict (None = not revoked)."""
    credential, token = _parse(fmt, raw)
    contexts = credential["@context"]
    assert contexts[0] == VC_V2 and any("purl.imsglobal.org/spec/ob/v3p0/context" in c for c in contexts)
    assert "VerifiableCredential" in credential["type"] and "OpenBadgeCredential" in credential["type"]
    assert list(official_schema.violations(credential)) == [], "1EdTech's JSON schema"
    if token is not None:
        header, _claims, signing_input, signature = vcjwt.decode_unverified(token)
        assert header["alg"] == "RS256", "ExternalProofProbe: alg must be present and must be 'RS256'"
        jwk = client.get(header["kid"]).get_json()  # the kid URL answers the JWK itself
        assert jwk["kty"] == "RSA" and jwk["n"] and jwk["e"]
        assert PublicKey.from_jwk(jwk).verify(signature, signing_input)
    else:
        assert data_integrity.verify(credential, resolver).verified, "EmbeddedProofProbe"
    now = datetime.now(timezone.utc)
    assert datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00")) <= now
    return _bitstring_status_probe(credential, fetch)


def _db(client, credential) -> dict:
    from openbadges.did import did_web_url

    fetch = app_fetcher(client)
    issuer, status_url = credential["issuer"]["id"], credential["credentialStatus"]["statusListCredential"]
    documents = {issuer: fetch(did_web_url(issuer)), status_url: fetch(status_url)}
    return node({"op": "db-status-verify", "credential": credential, "documents": documents})


@pytest.mark.node
def test_issued_suspended_reinstated_revoked_through_1edtech_and_digital_bazaar(app, client, factory):
    from service.badges import status
    from service.extensions import db

    school = factory.school()
    award = issue(badge_class(school["org"]), school["s1"])
    forms = _forms(award)
    resolver, fetch = HttpResolver(client), app_fetcher(client)

    def seen() -> tuple[set, list]:
        verdicts = {_probe_order(fmt, forms[fmt], client, resolver, fetch) for fmt in FORMS}
        result = _db(client, award.credential)
        assert result["verified"] is True and result["statusVerified"] is True, result
        return verdicts, result["statuses"]

    assert seen() == ({None}, [{"purpose": "suspension", "set": False}])
    status.suspend(award, reason="under review")
    db.session.commit()
    assert seen() == ({"Credential has been revoked"}, [{"purpose": "suspension", "set": True}])
    status.unsuspend(award)
    db.session.commit()
    assert seen() == ({None}, [{"purpose": "suspension", "set": False}])
    status.revoke(award, reason="plagiarism")
    db.session.commit()
    assert seen() == ({"Credential has been revoked"}, [{"purpose": "suspension", "set": True}])


@pytest.mark.node
def test_digital_bazaar_refuses_a_tampered_credential_of_ours(app, client, factory):
    school = factory.school()
    award = issue(badge_class(school["org"]), school["s1"])
    forged = json.loads(json.dumps(award.credential))
    forged["credentialSubject"]["achievement"]["name"] = "Forged"
    result = _db(client, forged)
    assert result["verified"] is False and result["error"]
