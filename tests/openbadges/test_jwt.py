import base64
import json

import pytest

from openbadges import did, keys
from openbadges import jwt as vcjwt


def credential(issuer="https://college.example/issuer", **over):
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:3f1f0a8e-6c1b-4f55-bb44-0d36fb3e8a01",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "College"},
        "validFrom": "2024-01-01T00:00:00Z",
        "validUntil": "2034-01-01T00:00:00Z",
        "name": "Badge",
        "credentialSubject": {"id": "did:example:learner", "type": ["AchievementSubject"]},
    }
    doc.update(over)
    return doc


def b64(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_sign_verify_each_algorithm(alg):
    key = keys.generate(alg)
    token = vcjwt.sign(credential(), key)
    header, claims, _, _ = vcjwt.decode_unverified(token)
    assert header == {"alg": alg, "typ": "JWT", "jwk": key.public_key.to_jwk()}
    assert claims["iss"] == "https://college.example/issuer"
    assert claims["jti"] == "urn:uuid:3f1f0a8e-6c1b-4f55-bb44-0d36fb3e8a01"
    assert claims["sub"] == "did:example:learner"
    assert claims["nbf"] == 1704067200 and claims["exp"] == 2019686400
    assert claims["vc"] == credential()
    result = vcjwt.verify(token)
    assert result.verified, result.reason
    assert result.key_bound_to_issuer is False and result.warnings


def test_did_key_issuer_binds_the_key():
    key = keys.generate()
    issuer = did.did_key(key.public_key)
    result = vcjwt.verify(vcjwt.sign(credential(issuer), key))
    assert result.verified and result.key_bound_to_issuer
    other = keys.generate()
    result = vcjwt.verify(vcjwt.sign(credential(issuer), other))
    # the signature is fine (conformant); the key is not the issuer's
    assert result.verified and result.key_bound_to_issuer is False
    assert "did:key" in result.key_binding.detail


def test_kid_resolved_through_jwks_and_did_documents():
    key = keys.generate("RS256")
    jwks_url = "https://college.example/.well-known/jwks.json"
    resolver = did.StaticResolver({jwks_url: {"keys": [dict(key.public_key.to_jwk(), kid="k1")]}})
    token = vcjwt.sign(credential(), key, kid=jwks_url + "#k1")
    assert vcjwt.decode_unverified(token)[0] == {"alg": "RS256", "typ": "JWT", "kid": jwks_url + "#k1"}
    result = vcjwt.verify(token, resolver)
    assert result.verified and result.key_binding.how == "issuer-origin"  # college.example's own JWKS
    assert not vcjwt.verify(token).verified  # default resolver knows only did:key

    ed = keys.generate()
    web = "did:web:college.example"
    doc = did.did_document(web, [ed.public_key], fragments=["key-1"])
    token = vcjwt.sign(credential(web), ed, kid=f"{web}#key-1")
    result = vcjwt.verify(token, did.StaticResolver({web: doc}))
    assert result.verified and result.key_bound_to_issuer
    token = vcjwt.sign(credential("did:web:someone.else"), ed, kid=f"{web}#key-1")
    result = vcjwt.verify(token, did.StaticResolver({web: doc}))
    assert result.key_bound_to_issuer is False and "someone.else" in result.key_binding.detail


def _resign(token, key, header=None, claims=None):
    h, c, _, _ = vcjwt.decode_unverified(token)
    h = header if header is not None else h
    c = claims if claims is not None else c
    signing_input = b64(h) + "." + b64(c)
    sig = base64.urlsafe_b64encode(key.sign(signing_input.encode())).rstrip(b"=").decode()
    return signing_input + "." + sig


def test_claims_must_mirror_the_credential():
    key = keys.generate()
    token = vcjwt.sign(credential(), key)
    _, claims, _, _ = vcjwt.decode_unverified(token)
    for name, value in (("iss", "https://evil.example"), ("jti", "urn:x"), ("sub", "did:example:other"), ("nbf", 0), ("exp", 1)):
        bad = _resign(token, key, claims=dict(claims, **{name: value}))
        result = vcjwt.verify(bad)
        assert not result.verified and name in result.reason
    missing = dict(claims)
    del missing["nbf"]
    assert "nbf" in vcjwt.verify(_resign(token, key, claims=missing)).reason


def test_header_rules():
    key = keys.generate()
    token = vcjwt.sign(credential(), key)
    header = vcjwt.decode_unverified(token)[0]
    assert "not allowed" in vcjwt.verify(_resign(token, key, header=dict(header, crit=["b64"]))).reason
    assert "typ" in vcjwt.verify(_resign(token, key, header=dict(header, typ="vc+ld+json"))).reason
    assert "private" in vcjwt.verify(_resign(token, key, header=dict(header, jwk=dict(header["jwk"], d="AAAA")))).reason
    assert "neither" in vcjwt.verify(_resign(token, key, header={"alg": "EdDSA"})).reason
    rsa = keys.generate("RS256")
    assert "does not fit" in vcjwt.verify(_resign(token, key, header=dict(header, jwk=rsa.public_key.to_jwk()))).reason


def test_none_and_hmac_are_never_accepted():
    key = keys.generate()
    token = vcjwt.sign(credential(), key)
    h, c, _, _ = vcjwt.decode_unverified(token)
    for alg in ("none", "HS256", "RS512"):
        forged = b64(dict(h, alg=alg)) + "." + b64(c) + "."
        result = vcjwt.verify(forged)
        assert not result.verified and "unsupported JWS alg" in result.reason


def test_tampered_payload_and_signature():
    key = keys.generate("ES256")
    token = vcjwt.sign(credential(), key)
    head, payload, sig = token.split(".")
    _, c, _, _ = vcjwt.decode_unverified(token)
    c["vc"]["name"] = "Forged"
    assert "signature" in vcjwt.verify(f"{head}.{b64(c)}.{sig}").reason
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    assert not vcjwt.verify(f"{head}.{payload}.{flipped}").verified


@pytest.mark.parametrize("bad", ["", "a.b", "a.b.c.d", "!!.??.**", "e30.e30.", "W10.W10.AA", 42, None, "x" * 2_000_000])
def test_malformed_tokens_give_reasons(bad):
    result = vcjwt.verify(bad)
    assert not result.verified and result.reason


def test_sign_requires_id_issuer_and_date():
    key = keys.generate()
    with pytest.raises(vcjwt.JwtError, match="jti"):
        vcjwt.sign({k: v for k, v in credential().items() if k != "id"}, key)
    with pytest.raises(vcjwt.JwtError, match="nbf"):
        vcjwt.sign({k: v for k, v in credential().items() if k != "validFrom"}, key)
    with pytest.raises(vcjwt.JwtError, match="iss"):
        vcjwt.sign(dict(credential(), issuer={}), key)
