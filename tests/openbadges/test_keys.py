import json
import os

import pytest

from openbadges import keys
from openbadges.keys import KeyMaterialError, PrivateKey, PublicKey

ALGS = ["EdDSA", "RS256", "ES256"]


@pytest.mark.parametrize("alg", ALGS)
def test_sign_verify_and_jwk_roundtrip(alg):
    key = keys.generate(alg)
    sig = key.sign(b"message")
    assert key.public_key.verify(sig, b"message")
    assert not key.public_key.verify(sig, b"messagE")
    jwk = key.public_key.to_jwk()
    assert "d" not in jwk
    again = PublicKey.from_jwk(jwk)
    assert again.verify(sig, b"message")
    assert again.alg == alg


def test_es256_signature_is_raw_64_bytes():
    key = keys.generate("ES256")
    assert len(key.sign(b"x")) == 64
    assert key.public_key.multikey.startswith("zDn")


def test_w3c_vector_secret_key_gives_published_public_key():
    key = PrivateKey.from_multikey("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
    assert key.public_key.multikey == "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    assert PublicKey.from_multikey(key.public_key.multikey).to_jwk() == key.public_key.to_jwk()


@pytest.mark.parametrize("alg", ALGS)
def test_wrap_unwrap_roundtrip(alg):
    key = keys.generate(alg)
    kek = os.urandom(32)
    blob = key.wrap(kek)
    restored = keys.unwrap(blob, kek)
    assert restored.public_key.to_jwk() == key.public_key.to_jwk()
    assert restored.public_key.verify(restored.sign(b"m"), b"m")


def test_unwrap_refuses_wrong_kek_and_tampering():
    key = keys.generate()
    kek = os.urandom(32)
    blob = bytearray(key.wrap(kek))
    with pytest.raises(KeyMaterialError, match="wrong KEK"):
        keys.unwrap(bytes(blob), os.urandom(32))
    blob[-1] ^= 1
    with pytest.raises(KeyMaterialError):
        keys.unwrap(bytes(blob), kek)
    with pytest.raises(KeyMaterialError):
        key.wrap(b"short")
    with pytest.raises(KeyMaterialError):
        keys.unwrap(b"garbage", kek)


@pytest.mark.parametrize("alg", ALGS)
def test_keyfile_roundtrip(alg):
    key = keys.generate(alg)
    text = key.to_keyfile()
    assert json.loads(text)["d"]
    assert PrivateKey.from_keyfile(text).public_key.to_jwk() == key.public_key.to_jwk()


def test_keyfile_pem_and_mismatch():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    raw = ed25519.Ed25519PrivateKey.generate()
    pem = raw.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    assert PrivateKey.from_keyfile(pem).alg == "EdDSA"
    jwk = json.loads(keys.generate().to_keyfile())
    jwk["x"] = json.loads(keys.generate().to_keyfile())["x"]
    with pytest.raises(KeyMaterialError, match="do not match"):
        PrivateKey.from_keyfile(json.dumps(jwk))
    for bad in ("not a key", "{}", '{"kty":"OKP","crv":"Ed25519","x":"AA"}'):
        with pytest.raises(KeyMaterialError):
            PrivateKey.from_keyfile(bad)


def test_private_material_is_not_printed():
    key = keys.generate()
    assert repr(key) == "<PrivateKey EdDSA>"
    assert key.to_keyfile() not in str(vars(key) if hasattr(key, "__dict__") else key)


def test_bad_public_keys_are_refused():
    with pytest.raises(KeyMaterialError):
        PublicKey.from_jwk({"kty": "RSA", "n": "AQAB", "e": "AQAB"})  # far too short
    with pytest.raises(KeyMaterialError):
        PublicKey.from_jwk({"kty": "oct", "k": "AAAA"})
    with pytest.raises(KeyMaterialError):
        PublicKey.from_multikey("z6Mk")
    with pytest.raises(KeyMaterialError):
        keys.generate("HS256")
