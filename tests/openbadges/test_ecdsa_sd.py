"""ecdsa-sd-2023 derived proofs against the published W3C test vectors and
1EdTech's derived credential fixture (tampering: tests/security)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from openbadges import data_integrity as di
from openbadges import ecdsa_sd
from openbadges.verify import verify
from tests.conformance.fixture_web import FIXTURES, FixtureResolver, context_loader

VECTORS = Path(__file__).with_name("vectors") / "w3c-ecdsa-sd-2023"
BASE_KEY = "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"  # SDKeyMaterial.json baseKeyPair
ONE_TIME_KEY = "zDnaeTHfhmSaQKBc7CmdL3K7oYg3D6SC7yowe2eBeVd2DH32r"  # SDKeyMaterial.json proofKeyPair


def load(name: str) -> dict:
    return json.loads((VECTORS / name).read_text("utf-8"))


def test_w3c_derived_reveal_document_verifies():
    doc = load("derivedRevealDocument.json")
    result = di.verify(doc)  # did:key, resolved offline
    assert result.verified, result.reason
    assert result.cryptosuite == "ecdsa-sd-2023" and result.controller == f"did:key:{BASE_KEY}"
    assert "14 mandatory and 6 selectively disclosed" in result.reason


def test_w3c_intermediate_values():
    # addHashData.json (w3c/vc-di-ecdsa 2e0fe308): proof hash and mandatory hash of the windsurf credential
    doc = load("derivedRevealDocument.json")
    proof_hash, parsed, mandatory_hash, non_mandatory = ecdsa_sd.create_verify_data(doc, doc["proof"])
    assert proof_hash.hex() == "9c5c9b189f06cfa9d9f21a838ccb9b04316f07ad1a517bfd4955ee28c6a8229c"
    assert mandatory_hash.hex() == "1994f6ce32483940032e56987a2a0cb6ea78b50944a77750c57f63801e30eca0"
    assert len(non_mandatory) == len(parsed.signatures) == 6
    from openbadges import multibase
    assert multibase.encode(parsed.public_key, "z") == ONE_TIME_KEY  # the proof key pair of the vectors
    assert all(s.startswith("_:u") for s in non_mandatory)  # HMAC labels, never _:c14n


def test_1edtech_derived_credential_verifies():
    doc = json.loads((FIXTURES / "ob30/sd/derivedcredential.json").read_text("utf-8"))
    result = di.verify(doc, FixtureResolver(), loader=context_loader())
    assert result.verified, result.reason
    report = verify(doc, resolver=FixtureResolver(), loader=context_loader())
    assert report.conformant and report.check("proof").status == "pass", report.to_json()


def test_a_base_proof_is_refused():
    # addSignedSDBase.json: the issuer's base proof, which only the holder may use
    doc = load("derivedRevealDocument.json")
    doc["proof"]["proofValue"] = "u2V0A" + doc["proof"]["proofValue"][5:]
    result = di.verify(doc)
    assert not result.verified and "base proof" in result.reason


@pytest.mark.parametrize("value,reason", [
    ("zABC", "base64url"),
    ("u", "derived-proof header"),
    ("u2V0B", "truncated"),
    ("u2V0BgA", "five components"),  # an empty array
    ("u2V0B_w", "indefinite"),  # 0xff
    ("u2V0BhQ", "truncated"),  # an array of five, nothing in it
])
def test_malformed_proof_values_give_a_reason(value, reason):
    doc = load("derivedRevealDocument.json")
    doc["proof"]["proofValue"] = value
    result = di.verify(doc)
    assert not result.verified and reason in result.reason, result.reason


def test_only_blank_nodes_are_relabelled_never_text_that_looks_like_one():
    # the specification relabels the dataset's blank nodes (3.4.4); a literal or an IRI that
    # contains "_:c14n1" is data and stays as signed
    line = '_:c14n0 <http://x.example/_:c14n1> "a _:c14n1 \\" _:c14n1" _:c14n1 .'
    assert ecdsa_sd._relabel(line, {"c14n0": "uA", "c14n1": "uB"}) == [
        '_:uA <http://x.example/_:c14n1> "a _:c14n1 \\" _:c14n1" _:uB .\n']
    with pytest.raises(ecdsa_sd.SdProofError, match="no label for blank node _:c14n1"):
        ecdsa_sd._relabel("_:c14n1 <http://x.example/p> _:c14n0 .", {"c14n0": "uA"})
