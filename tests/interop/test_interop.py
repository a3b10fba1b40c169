"""Interoperability with an independent implementation, both directions:
Digital Bazaar's Data Integrity stack (eddsa-rdfc-2022) and panva/jose (VC-JWT).
The Node harness serves the same bundled context files; nothing is fetched."""
import copy
import json
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from openbadges import data_integrity as di, did, keys, multibase
from openbadges import jwt as vcjwt
from openbadges.verify import verify

HERE = Path(__file__).parent
pytestmark = [
    pytest.mark.node,
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(not (HERE / "node_modules").is_dir(),
                       reason="tests/interop/node_modules missing: run `npm ci` in tests/interop"),
]
NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


def harness(request: dict) -> dict:
    proc = subprocess.run(["node", str(HERE / "harness.mjs")], input=json.dumps(request), capture_output=True,
                          text=True, timeout=120, cwd=HERE)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def credential(issuer="https://college.example/issuer"):
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:8d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Interop College"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Interop badge",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {"id": "https://college.example/achievements/interop", "type": ["Achievement"],
                            "name": "Interop", "description": "Verified by two implementations.",
                            "criteria": {"narrative": "Both sides agree."}},
            "result": [{"type": ["Result"], "value": "pass"}],
        },
    }


def tamper(doc):
    doc = copy.deepcopy(doc)
    doc["credentialSubject"]["achievement"]["name"] = "Forged"
    return doc


def test_we_sign_digital_bazaar_verifies():
    key = keys.generate()
    issuer = did.did_key(key.public_key)
    signed = di.sign(credential(issuer), key, f"{issuer}#{key.public_key.multikey}")
    result = harness({"op": "di-verify", "credential": signed})
    assert result["verified"] is True, result["error"]
    assert harness({"op": "di-verify", "credential": tamper(signed)})["verified"] is False


def test_digital_bazaar_signs_we_verify():
    out = harness({"op": "di-sign", "credential": credential()})
    signed = out["signed"]
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    report = verify(signed, now=NOW)
    assert report.verified, report.to_json()
    assert di.verify(signed, issuer=out["did"]).verified
    bad = verify(tamper(signed), now=NOW)
    assert not bad.verified and bad.check("proof").status == "fail"


@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "RS256"])
def test_we_sign_jwt_jose_verifies(alg):
    key = keys.generate(alg)
    token = vcjwt.sign(credential(), key)
    result = harness({"op": "jwt-verify", "jwt": token})
    assert result["verified"] is True, result.get("error")
    assert result["payload"]["vc"] == credential()
    head, payload, sig = token.split(".")
    forged_payload = vcjwt._b64u(json.dumps(dict(result["payload"], iss="https://evil.example")).encode())
    assert harness({"op": "jwt-verify", "jwt": f"{head}.{forged_payload}.{sig}"})["verified"] is False


@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "RS256"])
def test_jose_signs_we_verify(alg):
    out = harness({"op": "jwt-sign", "alg": alg, "credential": credential()})
    report = verify(out["jwt"], now=NOW)
    # the signature is valid (conformant), but a header jwk proves nothing about an https issuer
    assert report.conformant and report.check("proof").status == "pass", report.to_json()
    assert not report.verified and report.check("key_binding").status == "fail"
    head, payload, sig = out["jwt"].split(".")
    _, claims, _, _ = vcjwt.decode_unverified(out["jwt"])
    claims["vc"]["name"] = "Forged"
    forged = f"{head}.{vcjwt._b64u(json.dumps(claims).encode())}.{sig}"
    assert not verify(forged, now=NOW).conformant


def test_ecdsa_rdfc_2019_both_ways():
    # we sign with P-256, Digital Bazaar's ecdsa-rdfc-2019 cryptosuite verifies...
    key = keys.generate("ES256")
    issuer = did.did_key(key.public_key)
    signed = di.sign(credential(issuer), key, f"{issuer}#{key.public_key.multikey}")
    result = harness({"op": "ecdsa-verify", "credential": signed})
    assert result["verified"] is True, result["error"]
    assert harness({"op": "ecdsa-verify", "credential": tamper(signed)})["verified"] is False
    # ...and Digital Bazaar signs, we verify (key bound: the issuer is the did:key)
    out = harness({"op": "ecdsa-sign", "credential": credential()})
    report = verify(out["signed"], now=NOW)
    assert report.verified, report.to_json()
    assert not verify(tamper(out["signed"]), now=NOW).conformant


SD_MANDATORY = ["/issuer", "/validFrom", "/credentialSubject/achievement"]


def test_ecdsa_sd_2023_digital_bazaar_derives_we_verify():
    # Digital Bazaar signs the base proof (issuer) and derives (holder), disclosing the recipient
    # on top of the mandatory part; we verify the derived credential, and both refuse a tampered one
    out = harness({"op": "sd-derive", "credential": credential(), "mandatoryPointers": SD_MANDATORY,
                   "selectivePointers": ["/credentialSubject/id"]})
    derived = out["derived"]
    assert derived["proof"]["cryptosuite"] == "ecdsa-sd-2023" and "result" not in derived["credentialSubject"]
    report = verify(derived, now=NOW)
    assert report.verified, report.to_json()
    assert di.verify(derived, issuer=out["did"]).verified
    # a base proof is for the holder: neither side accepts it as a verifier
    assert not di.verify(out["base"]).verified
    assert harness({"op": "sd-verify", "credential": out["base"]})["verified"] is False
    for forged in (tamper(derived), dict(derived, name="Forged badge")):
        assert harness({"op": "sd-verify", "credential": forged})["verified"] is False
        assert not verify(forged, now=NOW).conformant


def test_ecdsa_sd_2023_same_verdict_on_1edtechs_derived_credential():
    from tests.conformance.fixture_web import FIXTURES, FixtureResolver, context_loader
    doc = json.loads((FIXTURES / "ob30/sd/derivedcredential.json").read_text("utf-8"))
    issuer_doc = FixtureResolver().resolve("https://1edtech.edu/issuers/565049")
    documents = {"https://1edtech.edu/issuers/565049": issuer_doc}
    assert harness({"op": "sd-verify", "credential": doc, "documents": documents})["verified"] is True
    assert di.verify(doc, FixtureResolver(), loader=context_loader()).verified
    forged = tamper(doc)
    assert harness({"op": "sd-verify", "credential": forged, "documents": documents})["verified"] is False
    assert not di.verify(forged, FixtureResolver(), loader=context_loader()).verified


def test_ecdsa_rdfc_2019_p384_digital_bazaar_signs_we_verify():
    # P-384 (SHA-384, 96-byte r||s): accepted from other issuers, verification only
    out = harness({"op": "ecdsa-sign", "curve": "P-384", "credential": credential()})
    signed = out["signed"]
    assert out["did"].startswith("did:key:z82")
    assert len(multibase.decode(signed["proof"]["proofValue"])) == 96
    report = verify(signed, now=NOW)
    assert report.verified, report.to_json()
    assert not verify(tamper(signed), now=NOW).conformant
    assert harness({"op": "ecdsa-verify", "credential": signed})["verified"] is True
    assert harness({"op": "ecdsa-verify", "credential": tamper(signed)})["verified"] is False
