"""ecdsa-sd-2023 derived proofs (a new acceptance path): every change a holder
or a thief could make to a selectively disclosed credential must fail.

Starting points: the W3C test vector (windsurf credential, did:key issuer) and
1EdTech's derived Open Badge. Each attack keeps the document otherwise
intact, so the only reason it fails is the change itself.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from openbadges import data_integrity as di
from openbadges import did, keys, multibase
from tests.conformance.fixture_web import FIXTURES, FixtureResolver, context_loader
from tests.security import forgery as f

W3C = Path(__file__).parents[1] / "openbadges" / "vectors" / "w3c-ecdsa-sd-2023" / "derivedRevealDocument.json"


def w3c() -> dict:
    return json.loads(W3C.read_text("utf-8"))


def obv3() -> dict:
    doc = json.loads((FIXTURES / "ob30/sd/derivedcredential.json").read_text("utf-8"))
    doc["proof"] = doc["proof"][0]
    return doc


def _verify(doc: dict):
    return di.verify(doc, FixtureResolver(), loader=context_loader())


def test_untouched_documents_verify():
    assert _verify(w3c()).verified and _verify(obv3()).verified


def _parts(doc, change):
    parts = f.sd_parts(doc["proof"]["proofValue"])
    change(parts)
    doc["proof"]["proofValue"] = f.sd_proof_value(parts)


def _swap_first_two(items):
    items[0], items[1] = items[1], items[0]


ATTACKS = {
    # the disclosed data
    "selectively disclosed value changed": (w3c, lambda d: d["credentialSubject"]["sails"][0].update(size=9.9)),
    "mandatory value changed": (w3c, lambda d: d["credentialSubject"].update(sailNumber="Mars202")),
    "disclosed statement removed": (w3c, lambda d: d["credentialSubject"]["sails"][0].pop("year")),
    "statement added": (w3c, lambda d: d["credentialSubject"]["sails"][0].update(color="red")),
    "new node added": (w3c, lambda d: d["credentialSubject"]["sails"].append({"size": 4.2})),
    "issuer changed": (w3c, lambda d: d.update(issuer="https://evil.example/issuer")),
    "badge name changed": (obv3, lambda d: d["credentialSubject"]["achievement"].update(name="Leadership")),
    "recipient changed": (obv3, lambda d: d["credentialSubject"].update(id="did:example:thief")),
    "issuer name changed": (obv3, lambda d: d["issuer"].update(name="Evil Corp")),
    "validity moved": (obv3, lambda d: d.update(validFrom="2030-01-01T00:00:00Z")),
    # the proof options (hashed into the base signature)
    "proof created changed": (obv3, lambda d: d["proof"].update(created="2011-01-01T19:23:24Z")),
    "proof given an expiry": (obv3, lambda d: d["proof"].update(expires="2099-01-01T00:00:00Z")),
    # the proof value's components
    "statement signatures reordered": (obv3, lambda d: _parts(d, lambda p: _swap_first_two(p[2]))),
    "statement signature dropped": (obv3, lambda d: _parts(d, lambda p: p[2].pop())),
    "statement marked mandatory": (w3c, lambda d: _parts(d, lambda p: (p[4].append(3), p[2].pop(0)))),
    "mandatory statement unmarked": (w3c, lambda d: _parts(d, lambda p: p[4].pop(0))),
    "blank-node labels swapped": (w3c, lambda d: _parts(d, lambda p: p[3].update({0: p[3][1], 1: p[3][0]}))),
    "blank-node label missing": (w3c, lambda d: _parts(d, lambda p: p[3].pop(0))),
    "two blank nodes, one label": (w3c, lambda d: _parts(d, lambda p: p[3].update({1: p[3][0]}))),
    "one-time key replaced": (obv3, lambda d: _parts(d, lambda p: p.__setitem__(1, _other_one_time_key()))),
    "base signature of another credential": (obv3, lambda d: _parts(d, lambda p: p.__setitem__(
        0, f.sd_parts(w3c()["proof"]["proofValue"])[0]))),
    "mandatory index past the end": (w3c, lambda d: _parts(d, lambda p: p[4].append(10_000))),
    "header of a base proof": (obv3, lambda d: d["proof"].update(
        proofValue=f.sd_proof_value(f.sd_parts(d["proof"]["proofValue"]), header=b"\xd9\x5d\x00"))),
}


def _other_one_time_key() -> bytes:
    return multibase.decode(keys.generate("ES256").public_key.multikey)  # 0x8024 + compressed point


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_tampered_derived_proof_fails(attack):
    start, change = ATTACKS[attack]
    doc = start()
    change(doc)
    result = _verify(doc)
    assert not result.verified, attack
    assert result.reason  # a reason, never a crash


def test_attacker_cannot_present_their_own_sd_proof_as_the_issuers():
    # a derived credential copied onto another key: the method names the attacker's key,
    # so either the controller is not the issuer or the signature fails
    doc = obv3()
    attacker = keys.generate("ES256")
    attacker_did = did.did_key(attacker.public_key)
    doc["proof"]["verificationMethod"] = f"{attacker_did}#{attacker.public_key.multikey}"
    assert not _verify(doc).verified
    bound = di.verify(obv3(), FixtureResolver(), loader=context_loader(), issuer="https://evil.example/issuer")
    assert not bound.verified and "is not the issuer" in bound.reason


def test_hostile_cbor_is_refused_without_a_crash():
    huge_array = "u" + f.b64u(b"\xd9\x5d\x01" + b"\x9b" + (2**40).to_bytes(8, "big"))
    deep = "u" + f.b64u(b"\xd9\x5d\x01" + b"\x81" * 50 + b"\x00")
    text_string = "u" + f.b64u(b"\xd9\x5d\x01" + b"\x85\x61a\x00\x00\x00\x00")
    for value in (huge_array, deep, text_string):
        doc = obv3()
        doc["proof"]["proofValue"] = value
        result = _verify(doc)
        assert not result.verified and "CBOR" in result.reason, result.reason


def test_a_copy_is_not_altered_by_verification():
    doc = obv3()
    before = copy.deepcopy(doc)
    _verify(doc)
    assert doc == before


@pytest.mark.node
def test_through_the_service_api_and_page(client):
    # a selectively disclosed badge (Digital Bazaar issued and derived it) verifies through POST
    # /api/v1/verify; the same with a changed disclosed value does not, and is never green on the page
    from tests.interop.test_interop import credential
    from tests.support.badges import node

    out = node({"op": "sd-derive", "credential": credential(),
                "mandatoryPointers": ["/issuer", "/validFrom", "/credentialSubject/achievement"],
                "selectivePointers": ["/credentialSubject/id"]})
    derived = out["derived"]
    report = client.post("/api/v1/verify", json={"credential": derived}).json
    assert report["verified"] is True, report["checks"]
    forged = copy.deepcopy(derived)
    forged["credentialSubject"]["id"] = "did:example:someone-else"
    report = client.post("/api/v1/verify", json={"credential": forged}).json
    assert report["verified"] is False and report["conformant"] is False
    html = client.post("/verify", data={"credential": json.dumps(forged)}).get_data(as_text=True)
    assert 'data-verdict="failed"' in html and 'data-verdict="verified"' not in html
