"""Signing keys on pyca/cryptography: Ed25519 (Data Integrity, EdDSA JWT),
RSA-2048 (RS256) and P-256 (ES256).

Private key material leaves this module only in two ways: wrapped with a
key-encryption key (AES-256-GCM, :meth:`PrivateKey.wrap`), or as an explicit
unencrypted key file for CLI users (:meth:`PrivateKey.to_keyfile`).
"""
from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import b64url, multibase

__all__ = ["KeyMaterialError", "PrivateKey", "PublicKey", "generate", "unwrap"]

ALGORITHMS = ("EdDSA", "RS256", "ES256")
_WRAP_VERSION = b"\x01"
_WRAP_AAD = b"openbadges private key v1"


class KeyMaterialError(ValueError):
    """Unusable key material (wrong type, bad encoding, wrong KEK...)."""


_b64u = b64url.encode


def _unb64u(text) -> bytes:
    if not isinstance(text, str):
        raise KeyMaterialError("JWK member must be a base64url string")
    try:
        return b64url.decode(text)
    except ValueError:
        raise KeyMaterialError("JWK member is not base64url") from None


def _int_b64u(n: int, length: int | None = None) -> str:
    length = length or (n.bit_length() + 7) // 8
    return _b64u(n.to_bytes(length, "big"))


def _alg_of(key) -> str:
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return "EdDSA"
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return "RS256"
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        if isinstance(key.curve, ec.SECP256R1):
            return "ES256"
        if isinstance(key.curve, ec.SECP384R1) and isinstance(key, ec.EllipticCurvePublicKey):
            return "ES384"  # P-384: verification only (ecdsa-rdfc-2019 of other issuers)
    raise KeyMaterialError("unsupported key type (need Ed25519, RSA or P-256)")


@dataclass(frozen=True)
class PublicKey:
    """A verification key. ``alg`` is the JOSE algorithm it verifies."""

    key: object

    # cached: pure functions of the immutable key, asked for several times per verification
    # (from_multikey hands out one PublicKey per key, so the base58 encoding runs once)
    @functools.cached_property
    def alg(self) -> str:
        return _alg_of(self.key)

    def verify(self, signature: bytes, data: bytes) -> bool:
        """True only for a valid signature; never raises on bad signatures."""
        try:
            if self.alg == "EdDSA":
                self.key.verify(signature, data)
            elif self.alg == "RS256":
                self.key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
            else:
                # ECDSA signatures are raw r||s (RFC 7518 section 3.4; Data Integrity ECDSA too)
                size, digest = (48, hashes.SHA384()) if self.alg == "ES384" else (32, hashes.SHA256())
                if len(signature) != 2 * size:
                    return False
                der = utils.encode_dss_signature(
                    int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
                )
                self.key.verify(der, data, ec.ECDSA(digest))
            return True
        except InvalidSignature:
            return False

    def raw(self) -> bytes:
        if self.alg != "EdDSA":
            raise KeyMaterialError("raw bytes only for Ed25519 keys")
        return self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @functools.cached_property
    def spki(self) -> bytes:
        """The DER SubjectPublicKeyInfo: one canonical byte string per key, any algorithm."""
        return self.key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)

    @functools.cached_property
    def multikey(self) -> str:
        """``publicKeyMultibase`` (``z6Mk...`` for Ed25519, ``zDn...`` for P-256)."""
        if self.alg == "EdDSA":
            return multibase.encode_multikey(multibase.ED25519_PUB, self.raw())
        if self.alg in ("ES256", "ES384"):
            point = self.key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
            )
            return multibase.encode_multikey(multibase.P256_PUB if self.alg == "ES256" else multibase.P384_PUB,
                                             point)
        raise KeyMaterialError("RSA keys have no Multikey form here")

    @classmethod
    def from_multikey(cls, text: str) -> "PublicKey":
        if cls is PublicKey and isinstance(text, str):
            return _public_key_from_multikey(text)  # a verifier sees the same issuer keys again and again
        return cls._decode_multikey(text)

    @classmethod
    def _decode_multikey(cls, text: str) -> "PublicKey":
        try:
            codec, raw = multibase.decode_multikey(text)
            if codec == "ed25519-pub" and len(raw) == 32:
                return cls(ed25519.Ed25519PublicKey.from_public_bytes(raw))
            if codec == "p256-pub":
                return cls(ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw))
            if codec == "p384-pub":
                return cls(ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP384R1(), raw))
        except (multibase.MultibaseError, ValueError) as exc:
            raise KeyMaterialError(f"bad publicKeyMultibase: {exc}") from None
        raise KeyMaterialError(f"unsupported Multikey codec {codec}")

    def to_jwk(self) -> dict:
        alg = self.alg
        if alg == "EdDSA":
            return {"kty": "OKP", "crv": "Ed25519", "x": _b64u(self.raw())}
        if alg == "RS256":
            nums = self.key.public_numbers()
            return {"kty": "RSA", "n": _int_b64u(nums.n), "e": _int_b64u(nums.e)}
        nums = self.key.public_numbers()
        crv, size = ("P-384", 48) if alg == "ES384" else ("P-256", 32)
        return {"kty": "EC", "crv": crv, "x": _int_b64u(nums.x, size), "y": _int_b64u(nums.y, size)}

    @classmethod
    def from_jwk(cls, jwk) -> "PublicKey":
        if not isinstance(jwk, dict):
            raise KeyMaterialError("JWK must be a JSON object")
        kty = jwk.get("kty")
        try:
            if kty == "OKP" and jwk.get("crv") == "Ed25519":
                return cls(ed25519.Ed25519PublicKey.from_public_bytes(_unb64u(jwk.get("x"))))
            if kty == "RSA":
                n = int.from_bytes(_unb64u(jwk.get("n")), "big")
                e = int.from_bytes(_unb64u(jwk.get("e")), "big")
                if n.bit_length() < 2048:
                    raise KeyMaterialError("RSA keys shorter than 2048 bits are refused")
                return cls(rsa.RSAPublicNumbers(e, n).public_key())
            if kty == "EC" and jwk.get("crv") in ("P-256", "P-384"):
                x = int.from_bytes(_unb64u(jwk.get("x")), "big")
                y = int.from_bytes(_unb64u(jwk.get("y")), "big")
                curve = ec.SECP256R1() if jwk["crv"] == "P-256" else ec.SECP384R1()
                return cls(ec.EllipticCurvePublicNumbers(x, y, curve).public_key())
        except ValueError as exc:
            if isinstance(exc, KeyMaterialError):
                raise
            raise KeyMaterialError(f"invalid JWK: {exc}") from None
        raise KeyMaterialError(f"unsupported JWK kty/crv {kty!r}/{jwk.get('crv')!r}")

    def thumbprint(self) -> str:
        """RFC 7638 JWK thumbprint (base64url SHA-256), handy as a ``kid``."""
        jwk = self.to_jwk()
        members = {"OKP": ("crv", "kty", "x"), "RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y")}
        canon = json.dumps({k: jwk[k] for k in members[jwk["kty"]]}, separators=(",", ":"), sort_keys=True)
        digest = hashes.Hash(hashes.SHA256())
        digest.update(canon.encode())
        return _b64u(digest.finalize())


class PrivateKey:
    """A signing key. Construct with :func:`generate`, :meth:`unwrap`-style
    loaders or :meth:`from_keyfile`; the private bytes are never exposed raw."""

    __slots__ = ("_key",)

    def __init__(self, key):
        _alg_of(key)
        if isinstance(key, rsa.RSAPrivateKey) and key.key_size < 2048:
            raise KeyMaterialError("RSA keys shorter than 2048 bits are refused")
        self._key = key

    def __repr__(self) -> str:  # never print key material
        return f"<PrivateKey {self.alg}>"

    @property
    def alg(self) -> str:
        return _alg_of(self._key)

    @property
    def public_key(self) -> PublicKey:
        return PublicKey(self._key.public_key())

    def sign(self, data: bytes) -> bytes:
        """Signature in the JWS/Data Integrity wire form for this key type."""
        if self.alg == "EdDSA":
            return self._key.sign(data)
        if self.alg == "RS256":
            return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        r, s = utils.decode_dss_signature(self._key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    @classmethod
    def from_ed25519_seed(cls, seed: bytes) -> "PrivateKey":
        """Ed25519 key from its 32-byte secret (test vectors publish keys this way)."""
        try:
            return cls(ed25519.Ed25519PrivateKey.from_private_bytes(seed))
        except ValueError as exc:
            raise KeyMaterialError(str(exc)) from None

    @classmethod
    def from_multikey(cls, secret_key_multibase: str) -> "PrivateKey":
        """Ed25519 key from a ``secretKeyMultibase`` (ed25519-priv multicodec)."""
        try:
            codec, raw = multibase.decode_multikey(secret_key_multibase)
        except multibase.MultibaseError as exc:
            raise KeyMaterialError(str(exc)) from None
        if codec != "ed25519-priv":
            raise KeyMaterialError("not an ed25519-priv Multikey")
        return cls.from_ed25519_seed(raw[:32])

    # -- storage: encrypted ---------------------------------------------------
    def _pkcs8(self) -> bytes:
        return self._key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def wrap(self, kek: bytes) -> bytes:
        """Encrypt the key (PKCS#8) under a 32-byte KEK with AES-256-GCM."""
        if not isinstance(kek, (bytes, bytearray)) or len(kek) != 32:
            raise KeyMaterialError("KEK must be 32 bytes")
        nonce = os.urandom(12)
        return _WRAP_VERSION + nonce + AESGCM(bytes(kek)).encrypt(nonce, self._pkcs8(), _WRAP_AAD)

    # -- storage: explicit plaintext key file (CLI only) ----------------------
    def to_keyfile(self) -> str:
        """Unencrypted private JWK as JSON text. Callers must warn the user."""
        jwk = self.public_key.to_jwk()
        if self.alg == "EdDSA":
            raw = self._key.private_bytes(
                serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
            )
            jwk["d"] = _b64u(raw)
        elif self.alg == "ES256":
            jwk["d"] = _int_b64u(self._key.private_numbers().private_value, 32)
        else:
            nums = self._key.private_numbers()
            jwk.update(
                d=_int_b64u(nums.d), p=_int_b64u(nums.p), q=_int_b64u(nums.q),
                dp=_int_b64u(nums.dmp1), dq=_int_b64u(nums.dmq1), qi=_int_b64u(nums.iqmp),
            )
        jwk["alg"] = self.alg
        return json.dumps(jwk, indent=2) + "\n"

    @classmethod
    def from_keyfile(cls, data: bytes | str) -> "PrivateKey":
        """Load an unencrypted private JWK (JSON) or PKCS#8 / traditional PEM."""
        if isinstance(data, str):
            data = data.encode()
        text = data.strip()
        if text.startswith(b"-----BEGIN"):
            try:
                return cls(serialization.load_pem_private_key(text, password=None))
            except (ValueError, TypeError) as exc:
                raise KeyMaterialError(f"unreadable PEM key: {exc}") from None
        try:
            jwk = json.loads(text)
        except ValueError:
            raise KeyMaterialError("key file is neither PEM nor JSON (JWK)") from None
        if not isinstance(jwk, dict) or "d" not in jwk:
            raise KeyMaterialError("key file JWK has no private member 'd'")
        public = PublicKey.from_jwk(jwk)
        d = _unb64u(jwk["d"])
        if public.alg == "EdDSA":
            key = cls.from_ed25519_seed(d)
        elif public.alg == "ES256":
            key = cls(ec.derive_private_key(int.from_bytes(d, "big"), ec.SECP256R1()))
        else:
            try:
                nums = rsa.RSAPrivateNumbers(
                    p=int.from_bytes(_unb64u(jwk["p"]), "big"),
                    q=int.from_bytes(_unb64u(jwk["q"]), "big"),
                    d=int.from_bytes(d, "big"),
                    dmp1=int.from_bytes(_unb64u(jwk["dp"]), "big"),
                    dmq1=int.from_bytes(_unb64u(jwk["dq"]), "big"),
                    iqmp=int.from_bytes(_unb64u(jwk["qi"]), "big"),
                    public_numbers=public.key.public_numbers(),
                )
                key = cls(nums.private_key())
            except (KeyError, ValueError) as exc:
                raise KeyMaterialError(f"incomplete RSA JWK: {exc}") from None
        if key.public_key.to_jwk() != public.to_jwk():
            raise KeyMaterialError("JWK private and public members do not match")
        return key


@functools.lru_cache(maxsize=1024)
def _public_key_from_multikey(text: str) -> PublicKey:
    """Decoded once per process: PublicKey is immutable and the text names exactly one key
    (a bad text raises every time: exceptions are not cached)."""
    return PublicKey._decode_multikey(text)


def generate(alg: str = "EdDSA") -> PrivateKey:
    """New key: ``EdDSA`` (Ed25519), ``RS256`` (RSA-2048) or ``ES256`` (P-256)."""
    if alg in ("EdDSA", "Ed25519"):
        return PrivateKey(ed25519.Ed25519PrivateKey.generate())
    if alg == "RS256":
        return PrivateKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    if alg == "ES256":
        return PrivateKey(ec.generate_private_key(ec.SECP256R1()))
    raise KeyMaterialError(f"unsupported algorithm {alg!r}; use one of {ALGORITHMS}")


def unwrap(blob: bytes, kek: bytes) -> PrivateKey:
    """Inverse of :meth:`PrivateKey.wrap`; a wrong KEK or tampered blob raises."""
    if not isinstance(kek, (bytes, bytearray)) or len(kek) != 32:
        raise KeyMaterialError("KEK must be 32 bytes")
    if not isinstance(blob, (bytes, bytearray)) or len(blob) < 1 + 12 + 16 or blob[:1] != _WRAP_VERSION:
        raise KeyMaterialError("not a wrapped key blob")
    try:
        der = AESGCM(bytes(kek)).decrypt(bytes(blob[1:13]), bytes(blob[13:]), _WRAP_AAD)
    except InvalidTag:
        raise KeyMaterialError("cannot unwrap: wrong KEK or corrupted blob") from None
    return PrivateKey(serialization.load_der_private_key(der, password=None))
