"""P-384 keys are accepted for ecdsa-rdfc-2019 proofs of other issuers
(verification only; interop with Digital Bazaar in tests/interop). Every way
of mixing curves, hashes and suites must fail."""
from __future__ import annotations

import copy
import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from openbadges import data_integrity as di
from openbadges import did, keys, multibase
from openbadges import jwt as vcjwt
from tests.security import forgery as f

P384 = ec.generate_private_key(ec.SECP384R1())
PUBLIC = keys.PublicKey(P384.public_key())
ISSUER = did.did_key(PUBLIC)
METHOD = f"{ISSUER}#{PUBLIC.multikey}"


def _sign(document: dict, *, digest=hashlib.sha384, ecdsa_hash=None, suite="ecdsa-rdfc-2019") -> dict:
    proof = {"type": "DataIntegrityProof", "cryptosuite": suite, "created": "2025-01-01T00:00:00Z",
             "verificationMethod": METHOD, "proofPurpose": "assertionMethod"}
    data = di.hash_data(document, dict(proof, **{"@context": document["@context"]}), digest=digest)
    r, s = utils.decode_dss_signature(P384.sign(data, ec.ECDSA(ecdsa_hash or hashes.SHA384())))
    proof["proofValue"] = multibase.encode(r.to_bytes(48, "big") + s.to_bytes(48, "big"), "z")
    return dict(document, proof=proof)


def _credential() -> dict:
    return f.credential(ISSUER)


def test_a_p384_proof_made_as_the_specification_says_verifies():
    assert PUBLIC.multikey.startswith("z82") and PUBLIC.alg == "ES384"
    assert di.verify(_sign(_credential()), issuer=ISSUER).verified


@pytest.mark.parametrize("name,make", [
    ("P-384 over SHA-256 hashes", lambda c: _sign(c, digest=hashlib.sha256)),
    ("P-384 signing with SHA-256", lambda c: _sign(c, ecdsa_hash=hashes.SHA256())),
    ("P-384 key under the Ed25519 suite", lambda c: _sign(c, suite="eddsa-rdfc-2022")),
    ("P-384 key under ecdsa-sd-2023", lambda c: _sign(c, suite="ecdsa-sd-2023")),
])
def test_mixed_curves_hashes_and_suites_fail(name, make):
    assert not di.verify(make(_credential()), issuer=ISSUER).verified, name


def test_tampered_and_truncated_fail():
    signed = _sign(_credential())
    tampered = copy.deepcopy(signed)
    tampered["name"] = "Forged"
    assert not di.verify(tampered, issuer=ISSUER).verified
    short = copy.deepcopy(signed)
    short["proof"]["proofValue"] = multibase.encode(multibase.decode(signed["proof"]["proofValue"])[:64], "z")
    assert not di.verify(short, issuer=ISSUER).verified


def test_no_p384_signing_and_no_es384_jwt():
    with pytest.raises(keys.KeyMaterialError):
        keys.PrivateKey(P384)
    token = f.jws({"alg": "ES384", "typ": "JWT", "jwk": PUBLIC.to_jwk()}, vcjwt.claims_for(_credential()),
                  lambda data: b"\0" * 96)
    assert not vcjwt.verify(token).verified
