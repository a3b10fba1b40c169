"""eddsa-rdfc-2022 against the W3C and 1EdTech vectors, plus failure reasons."""
import copy
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from openbadges import data_integrity as di, did, keys, multibase
from openbadges.jsonld import DocumentLoader, bundled_contexts

VECTORS = Path(__file__).parent / "vectors"
W3C = VECTORS / "w3c-eddsa-rdfc-2022"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
W3C_LOADER = DocumentLoader({EXAMPLES_V2: json.loads((VECTORS / "contexts/examples-v2.jsonld").read_text())})
W3C_ISSUER = "https://vc.example/issuers/5678"
W3C_VM = W3C_ISSUER + "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"


def controller_doc(issuer, vm, multikey):
    return {
        "id": issuer,
        "verificationMethod": [{"id": vm, "type": "Multikey", "controller": issuer, "publicKeyMultibase": multikey}],
        "assertionMethod": [vm],
    }


W3C_RESOLVER = did.StaticResolver({W3C_ISSUER: controller_doc(W3C_ISSUER, W3C_VM, "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")})


def w3c_key():
    pair = json.loads((W3C / "keyPair.json").read_text())
    key = keys.PrivateKey.from_multikey(pair["privateKeyMultibase"])
    assert key.public_key.multikey == pair["publicKeyMultibase"]
    return key


def test_w3c_vector_hashes_and_proof_value_reproduced_exactly():
    signed = json.loads((W3C / "signedDataInt.json").read_text())
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    config = json.loads((W3C / "proofConfigDataInt.json").read_text())
    data = di.hash_data(unsigned, config, loader=W3C_LOADER)
    assert data[:32].hex() == (W3C / "proofHashDataInt.txt").read_text()
    assert data.hex() == (W3C / "combinedHashDataInt.txt").read_text()
    ours = di.sign(unsigned, w3c_key(), W3C_VM, created=config["created"], loader=W3C_LOADER)
    assert ours["proof"]["proofValue"] == (W3C / "sigBTC58DataInt.txt").read_text()
    assert ours == signed


def test_w3c_vector_verifies_and_tampering_is_caught():
    signed = json.loads((W3C / "signedDataInt.json").read_text())
    result = di.verify(signed, W3C_RESOLVER, issuer=W3C_ISSUER, loader=W3C_LOADER)
    assert result.verified, result.reason
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["alumniOf"] = "Another School"
    result = di.verify(tampered, W3C_RESOLVER, loader=W3C_LOADER)
    assert not result.verified and "signature does not match" in result.reason


def test_1edtech_ob_published_signature_and_hashes():
    """The published OB 3.0 signature is valid over the published hashes with the
    published key. Those hashes are of the vector's earlier canonical form (no
    cryptosuiteString datatype), so the credential as now published cannot verify;
    a fresh signature with the same key over the current form does."""
    pub = json.loads((VECTORS / "1edtech-ob/published.json").read_text())
    public = keys.PublicKey(ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(pub["publicKeyHex"])))
    assert public.multikey == pub["publicKeyMultibase"]
    assert multibase.decode(pub["proofValue"]).hex() == pub["signatureHex"]
    assert pub["dataToSignHex"] == pub["proofHashHex"] + pub["documentHashHex"]
    assert public.verify(bytes.fromhex(pub["signatureHex"]), bytes.fromhex(pub["dataToSignHex"]))
    old_proof_canon = (VECTORS / "1edtech-clr/proof-canon.txt").read_text()  # untyped cryptosuite form
    assert hashlib.sha256(old_proof_canon.encode()).hexdigest() == pub["proofHashHex"]

    ob_alias = "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld"
    loader = DocumentLoader({
        ob_alias: bundled_contexts()["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "https://w3id.org/security/data-integrity/v1": bundled_contexts()["https://w3id.org/security/data-integrity/v2"],
    })
    signed = json.loads((VECTORS / "1edtech-ob/signed.json").read_text())
    issuer = signed["issuer"]["id"]
    vm = signed["proof"]["verificationMethod"]
    resolver = did.StaticResolver({issuer: controller_doc(issuer, vm, pub["publicKeyMultibase"])})
    stale = di.verify(signed, resolver, issuer=issuer, loader=loader)
    assert not stale.verified and "signature does not match" in stale.reason
    secret = keys.PrivateKey.from_ed25519_seed(bytes.fromhex(pub["privateKeyHex"])[:32])
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    fresh = di.sign(unsigned, secret, vm, created=signed["proof"]["created"], loader=loader)
    assert di.verify(fresh, resolver, issuer=issuer, loader=loader).verified


def test_1edtech_clr_published_proof_hash():
    pub = json.loads((VECTORS / "1edtech-clr/published.json").read_text())
    canon = (VECTORS / "1edtech-clr/proof-canon.txt").read_text()
    assert hashlib.sha256(canon.encode()).hexdigest() == pub["proofHashHex"]
    assert multibase.decode(pub["proofValue"]).hex() == pub["signatureHex"]


# -- our own credentials -------------------------------------------------------
def issued():
    key = keys.generate()
    issuer = did.did_key(key.public_key)
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:7b0e7a8e-0f38-4b1b-9d55-2b7d1f0b9e10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "College"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Lab safety",
        "credentialSubject": {"id": "did:example:s1", "type": ["AchievementSubject"],
                              "achievement": {"id": "urn:uuid:ach-1", "type": ["Achievement"], "name": "Lab safety",
                                              "criteria": {"narrative": "Passed"}}},
    }
    return key, issuer, di.sign(doc, key, f"{issuer}#{key.public_key.multikey}")


def test_sign_verify_did_key():
    _, issuer, signed = issued()
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert signed["proof"]["proofValue"].startswith("z")
    result = di.verify(signed, issuer=issuer)
    assert result.verified and result.controller == issuer


def test_controller_must_be_issuer():
    _, _, signed = issued()
    result = di.verify(signed, issuer="did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
    assert not result.verified and "is not the issuer" in result.reason


@pytest.mark.parametrize(
    "mutate,reason",
    [
        (lambda p: p.update(cryptosuite="ecdsa-rdfc-2019"), "not a P-256 key"),  # supported, needs P-256
        (lambda p: p.update(cryptosuite="ecdsa-sd-2023"), "base64url"),  # supported: a derived proof value
        (lambda p: p.update(type="Ed25519Signature2018"), "unsupported"),
        (lambda p: p.update(proofPurpose="authentication"), "proofPurpose"),
        (lambda p: p.update(proofValue="uAAAA"), "base58btc"),
        (lambda p: p.update(proofValue="z" + "1" * 10), "64-byte"),
        (lambda p: p.update(verificationMethod="did:key:z6MkBAD#x"), "not found"),
        (lambda p: p.pop("verificationMethod"), "verificationMethod"),
        (lambda p: p.update({"@context": ["https://www.w3.org/2018/credentials/v1"]}), "@context"),
        (lambda p: p.update(created="2030-01-01T00:00:00Z"), "signature does not match"),
    ],
)
def test_failure_reasons(mutate, reason):
    _, _, signed = issued()
    mutate(signed["proof"])
    result = di.verify(signed)
    assert not result.verified
    assert reason in result.reason


def test_missing_or_empty_proof_and_non_objects():
    assert "no proof" in di.verify({"@context": []}).reason
    assert "empty" in di.verify({"proof": []}).reason
    assert not di.verify("text").verified
    assert not di.verify({"proof": "x"}).verified


def test_any_valid_proof_in_a_set_suffices():
    _, issuer, signed = issued()
    bogus = dict(signed["proof"], proofValue="z" + "2" * 87)
    signed["proof"] = [bogus, signed["proof"]]
    assert di.verify(signed, issuer=issuer).verified


def test_deprecated_eddsa_2022_verifies_but_is_never_issued():
    key, issuer, signed = issued()
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    proof = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    proof["cryptosuite"] = "eddsa-2022"
    data = di.hash_data(unsigned, dict(proof, **{"@context": unsigned["@context"]}))
    old = dict(unsigned, proof=dict(proof, proofValue=multibase.encode(key.sign(data))))
    assert di.verify(old, issuer=issuer).verified
    assert di.sign(unsigned, key, proof["verificationMethod"])["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_vc_1_1_credential_with_data_integrity_context():
    key = keys.generate()
    issuer = did.did_key(key.public_key)
    doc = {
        "@context": ["https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                     "https://w3id.org/security/data-integrity/v2"],
        "id": "urn:uuid:1", "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Old"}, "issuanceDate": "2022-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:x", "type": ["AchievementSubject"]},
    }
    signed = di.sign(doc, key, f"{issuer}#{key.public_key.multikey}")
    assert di.verify(signed, issuer=issuer).verified
    signed["issuanceDate"] = "2023-01-01T00:00:00Z"
    assert not di.verify(signed, issuer=issuer).verified


def test_sign_refuses_bad_inputs():
    key, issuer, signed = issued()
    with pytest.raises(di.ProofError, match="already has a proof"):
        di.sign(signed, key, "x")
    with pytest.raises(di.ProofError, match="Ed25519"):
        di.sign({"@context": []}, keys.generate("RS256"), "x")
    with pytest.raises(di.ProofError, match="dateTime"):
        di.sign({"@context": []}, key, "x", created="yesterday")
    with pytest.raises(di.ProofError):
        di.sign({"@context": ["https://unknown.example/ctx"], "a": 1}, key, "x")


def test_ecdsa_rdfc_2019_p256_round_trip_and_tamper():
    # ecdsa-rdfc-2019: same transformation and hashing, ECDSA P-256 over the hash data
    p256 = keys.generate("ES256")
    issuer = did.did_key(p256.public_key)
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:uuid:1",
           "type": ["VerifiableCredential"], "issuer": issuer, "credentialSubject": {"id": "did:example:1"}}
    signed = di.sign(doc, p256, f"{issuer}#{p256.public_key.multikey}")
    assert signed["proof"]["cryptosuite"] == "ecdsa-rdfc-2019" and len(multibase.decode(signed["proof"]["proofValue"])) == 64
    assert di.verify(signed, issuer=issuer).verified
    signed["credentialSubject"]["id"] = "did:example:2"
    assert not di.verify(signed, issuer=issuer).verified
    # an Ed25519 key cannot stand in for the P-256 suite
    ed = keys.generate("EdDSA")
    forged = di.sign(doc, ed, f"{issuer}#{p256.public_key.multikey}")
    forged["proof"]["cryptosuite"] = "ecdsa-rdfc-2019"
    assert not di.verify(forged, issuer=issuer).verified
