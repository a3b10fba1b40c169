"""VC-JWT as Open Badges 3.0 defines it (ob_v3p0 integrity.md, "JSON Web Token
Proof Format"): a compact JWS whose payload carries the credential in ``vc``
plus ``iss``/``jti``/``sub``/``nbf``/``exp`` mirroring it.

JWS is done directly on pyca/cryptography (RS256, ES256, EdDSA); no other
algorithm - in particular not ``none`` or HMAC - is ever accepted.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

from . import b64url, did
from .key_binding import KeyBinding, bind
from .keys import KeyMaterialError, PrivateKey, PublicKey

__all__ = ["JwtError", "JwtResult", "sign", "verify", "decode_unverified", "looks_like_jwt", "claims_for"]

ALGORITHMS = ("RS256", "ES256", "EdDSA")
_HEADER_MEMBERS = {"alg", "kid", "jwk", "typ"}  # "Additional JOSE Headers are NOT allowed"
_MAX_TOKEN = 1024 * 1024


class JwtError(ValueError):
    """A malformed compact JWS or a credential that cannot be put in one."""


@dataclass
class JwtResult:
    """``verified``: the signature and the claims are right (what 1EdTech checks).
    Whether the key is the issuer's is ``key_binding`` - a separate question."""

    verified: bool
    reason: str
    header: dict | None = None
    claims: dict | None = None
    credential: dict | None = None
    key_binding: KeyBinding | None = None
    public_key: PublicKey | None = None
    warnings: list = field(default_factory=list)

    @property
    def key_bound_to_issuer(self) -> bool | None:
        return None if self.key_binding is None else self.key_binding.bound


_b64u = b64url.encode


def _unb64u(segment: str) -> bytes:
    try:
        return b64url.decode(segment)
    except ValueError:
        raise JwtError("segment is not base64url") from None


def looks_like_jwt(text) -> bool:
    if not isinstance(text, str):
        return False
    parts = text.strip().split(".")
    return len(parts) == 3 and all(parts[:2]) and all(
        c.isalnum() or c in "-_" for c in "".join(parts)
    )


def _issuer_id(credential: dict):
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _numeric_date(value) -> int | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise JwtError("date is not a string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise JwtError(f"{value!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())


def claims_for(credential: dict) -> dict:
    """JWT claims mirroring ``credential`` (OB 3.0 JWT payload format)."""
    if not isinstance(credential, dict):
        raise JwtError("credential must be a JSON object")
    issuer, cred_id = _issuer_id(credential), credential.get("id")
    if not isinstance(issuer, str) or not issuer:
        raise JwtError("credential has no issuer id (iss is required)")
    if not isinstance(cred_id, str) or not cred_id:
        raise JwtError("credential has no id (jti is required)")
    claims = {"vc": credential, "iss": issuer, "jti": cred_id}
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("id"), str):
        claims["sub"] = subject["id"]
    nbf = _numeric_date(credential.get("validFrom", credential.get("issuanceDate")))
    if nbf is None:
        raise JwtError("credential has no validFrom (nbf is required)")
    claims["nbf"] = nbf
    exp = _numeric_date(credential.get("validUntil", credential.get("expirationDate")))
    if exp is not None:
        claims["exp"] = exp
    return claims


def sign(credential: dict, key: PrivateKey, *, kid: str | None = None) -> str:
    """Compact JWS of ``credential``. Without ``kid`` the public JWK goes in the header."""
    header = {"alg": key.alg, "typ": "JWT"}
    if kid:
        header["kid"] = kid
    else:
        header["jwk"] = key.public_key.to_jwk()
    payload = json.dumps(claims_for(credential), separators=(",", ":"), ensure_ascii=False)
    signing_input = _b64u(json.dumps(header, separators=(",", ":")).encode()) + "." + _b64u(payload.encode("utf-8"))
    return signing_input + "." + _b64u(key.sign(signing_input.encode("ascii")))


def decode_unverified(token: str) -> tuple[dict, dict, bytes, bytes]:
    """(header, payload, signing_input, signature) - structure only, no trust."""
    if not isinstance(token, str) or len(token) > _MAX_TOKEN:
        raise JwtError("token must be a string under 1 MiB")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise JwtError("a compact JWS has exactly three dot-separated parts")
    try:
        header = json.loads(_unb64u(parts[0]))
        payload = json.loads(_unb64u(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise JwtError(f"header or payload is not JSON: {exc}") from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise JwtError("header and payload must be JSON objects")
    return header, payload, (parts[0] + "." + parts[1]).encode("ascii"), _unb64u(parts[2])


@lru_cache(maxsize=256)
def _key_from_jwk_text(text: str) -> PublicKey:
    return PublicKey.from_jwk(json.loads(text))


def _key_from_jwk(jwk) -> PublicKey:
    if not isinstance(jwk, dict):
        raise JwtError("jwk header must be an object")
    if "d" in jwk or "p" in jwk:
        raise JwtError("jwk header contains private key material")
    try:
        return _key_from_jwk_text(json.dumps(jwk, sort_keys=True))
    except KeyMaterialError as exc:
        raise JwtError(f"jwk header: {exc}") from None


def _key_from_kid(kid: str, resolver) -> PublicKey:
    """Dereference ``kid`` to a key: a JWK, a JWKS, or a DID/controller document.
    This only finds the key; whether it is the issuer's is key_binding's question."""
    try:
        doc = resolver.resolve(kid)
    except did.ResolutionError:
        doc = None
    if isinstance(doc, dict) and "kty" in doc:
        return _key_from_jwk(doc)
    if doc is None or "#" in kid:
        base = kid.split("#", 1)[0]
        base_doc = resolver.resolve(base)  # ResolutionError propagates with the reason
        if isinstance(base_doc, dict) and isinstance(base_doc.get("keys"), list):
            keys = [k for k in base_doc["keys"] if isinstance(k, dict)]
            match = [k for k in keys if k.get("kid") in (kid, kid.partition("#")[2])] or (keys if len(keys) == 1 else [])
            if not match:
                raise did.ResolutionError(f"no key {kid!r} in the JWKS at {base}")
            return _key_from_jwk({k: v for k, v in match[0].items() if k not in ("kid", "use", "alg", "key_ops")})
    if isinstance(doc, dict) and isinstance(doc.get("keys"), list):
        keys = [k for k in doc["keys"] if isinstance(k, dict)]
        if len(keys) != 1:
            raise did.ResolutionError(f"JWKS at {kid} does not identify a single key")
        return _key_from_jwk({k: v for k, v in keys[0].items() if k not in ("kid", "use", "alg", "key_ops")})
    return did.public_key_of(did.dereference(resolver, kid))


def _check_claims(claims: dict, credential: dict) -> str | None:
    def mismatch(name, expected):
        if claims.get(name) != expected:
            return f"claim {name}={claims.get(name)!r} does not match the credential ({expected!r})"
        return None

    if not isinstance(_issuer_id(credential), str):
        return "credential has no issuer id"
    for name, expected in (("iss", _issuer_id(credential)), ("jti", credential.get("id"))):
        if name not in claims:
            return f"required claim {name} is missing"
        problem = mismatch(name, expected)
        if problem:
            return problem
    subject = credential.get("credentialSubject")
    sub_id = subject.get("id") if isinstance(subject, dict) else None
    if "sub" in claims:  # optional (OB 3.0 section 8.2: "if present")
        problem = mismatch("sub", sub_id)
        if problem:
            return problem
    try:
        nbf = _numeric_date(credential.get("validFrom", credential.get("issuanceDate")))
        exp = _numeric_date(credential.get("validUntil", credential.get("expirationDate")))
    except JwtError as exc:
        return str(exc)
    if "nbf" not in claims:
        return "required claim nbf is missing"
    for name, expected in (("nbf", nbf), ("exp", exp)):
        value = claims.get(name)
        if value is None and expected is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or expected is None or int(value) != expected:
            return f"claim {name}={value!r} does not match the credential date ({expected!r})"
    return None


def verify(token: str, resolver=None) -> JwtResult:
    """Verify signature and claim/credential consistency; never raises.
    Validity dates against the clock are :func:`openbadges.verify.verify`'s job."""
    try:
        header, claims, signing_input, signature = decode_unverified(token)
    except JwtError as exc:
        return JwtResult(False, str(exc))
    result = JwtResult(False, "", header, claims)
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        result.reason = f"unsupported JWS alg {alg!r} (accepted: {', '.join(ALGORITHMS)})"
        return result
    extra = set(header) - _HEADER_MEMBERS
    if extra:
        result.reason = f"JOSE header has members not allowed by OB 3.0: {sorted(extra)}"
        return result
    if "typ" in header and header["typ"] != "JWT":
        result.reason = f"typ must be 'JWT', got {header['typ']!r}"
        return result
    credential = claims.get("vc", claims if "@context" in claims else None)
    if not isinstance(credential, dict):
        result.reason = "payload has no vc claim with the credential"
        return result
    result.credential = credential
    resolver = resolver or did.default_resolver()
    kid = header.get("kid") if isinstance(header.get("kid"), str) and header.get("kid") else None
    try:
        if "jwk" in header:
            public_key = _key_from_jwk(header["jwk"])
        elif kid:
            public_key = _key_from_kid(kid, resolver)
        else:
            result.reason = "JOSE header has neither kid nor jwk"
            return result
    except (JwtError, did.ResolutionError, KeyMaterialError) as exc:
        result.reason = f"cannot get the verification key: {exc}"
        return result
    result.public_key = public_key
    if public_key.alg != alg:
        result.reason = f"alg {alg} does not fit the {public_key.alg} key"
        return result
    if not public_key.verify(signature, signing_input):
        result.reason = "JWS signature does not verify"
        return result
    problem = _check_claims(claims, credential)
    if problem:
        result.reason = problem
        return result
    # An embedded jwk proves nothing about who signed: bind() asks the issuer.
    result.key_binding = bind(_issuer_id(credential), kid, public_key, resolver)
    if not result.key_binding.bound:
        result.warnings.append(f"signing key is not bound to the issuer: {result.key_binding.detail}")
    result.verified = True
    result.reason = f"{alg} JWS signature verified"
    return result
