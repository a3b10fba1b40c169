"""Building forged credentials: raw JWS with any header, attacker keys, and
the documents an attacker's (or a real issuer's) website would serve."""
from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import uuid
from datetime import datetime, timedelta, timezone

from openbadges import data_integrity, did
from openbadges import jwt as vcjwt
from openbadges import keys as obkeys

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jws(header: dict, claims: dict, sign) -> str:
    """Compact JWS with exactly this header; ``sign(signing_input) -> signature bytes``."""
    signing_input = b64u(json.dumps(header).encode()) + "." + b64u(json.dumps(claims).encode())
    return signing_input + "." + b64u(sign(signing_input.encode("ascii")))


def jwt_with(credential: dict, key: obkeys.PrivateKey, **header) -> str:
    """VC-JWT of ``credential`` signed by ``key`` with the given header members (alg defaults to the key's)."""
    return jws({"alg": key.alg, "typ": "JWT", **header}, vcjwt.claims_for(credential), key.sign)


def hs256_with_public_key(credential: dict, public_key: obkeys.PublicKey, kid: str) -> str:
    """The classic key confusion: HMAC keyed with the issuer's *public* key."""
    secret = json.dumps(public_key.to_jwk(), sort_keys=True).encode()
    return jws({"alg": "HS256", "typ": "JWT", "kid": kid}, vcjwt.claims_for(credential),
               lambda data: hmac.new(secret, data, hashlib.sha256).digest())


def alg_none(credential: dict, kid: str | None = None) -> str:
    header = {"alg": "none", "typ": "JWT", **({"kid": kid} if kid else {})}
    return jws(header, vcjwt.claims_for(credential), lambda data: b"")


def unsigned_copy(credential: dict, *, issuer=None) -> dict:
    """A credential's content without its proof, as new (fresh id), optionally under another issuer."""
    out = copy.deepcopy(credential)
    out.pop("proof", None)
    out["id"] = f"urn:uuid:{uuid.uuid4()}"
    if issuer is not None:
        if isinstance(out.get("issuer"), dict):
            out["issuer"] = dict(out["issuer"], id=issuer)
        else:
            out["issuer"] = issuer
    return out


def credential(issuer: str, *, name="Forged Mastery", status: dict | None = None) -> dict:
    """A schema-valid OB 3.0 credential naming ``issuer`` (unsigned)."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    out = {
        "@context": [VC_V2, OB_V3],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Claimed Issuer"},
        "validFrom": (now - timedelta(days=1)).isoformat().replace("+00:00", "Z"),
        "name": name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:example:learner",
            "achievement": {"id": f"urn:uuid:{uuid.uuid4()}", "type": ["Achievement"], "name": name,
                            "description": "Made up.", "criteria": {"narrative": "None."}},
        },
    }
    if status is not None:
        out["credentialStatus"] = status
    return out


def di_sign_did_key(document: dict, key: obkeys.PrivateKey) -> dict:
    """Data Integrity proof by ``key`` with its own did:key as verification method."""
    issuer = did.did_key(key.public_key)
    return data_integrity.sign(document, key, f"{issuer}#{issuer[len('did:key:'):]}")


def status_list(issuer: str, list_id: str, purpose="revocation", revoked: tuple[int, ...] = ()) -> dict:
    """A BitstringStatusListCredential naming ``issuer`` (unsigned); ``revoked`` bits set."""
    from openbadges import status_list as sl

    bits = sl.StatusList()
    for index in revoked:
        bits.set(index, 1)
    valid_from = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
    return sl.status_list_credential(id=list_id, issuer=issuer, purpose=purpose, status_list=bits,
                                     valid_from=valid_from)


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError("too large")


def cbor(value) -> bytes:
    """CBOR (RFC 8949) of what an ecdsa-sd-2023 proof value holds: ints, bytes, lists, int-keyed dicts."""
    if isinstance(value, bool) or value is None:
        raise TypeError("not in a derived proof")
    if isinstance(value, int):
        return _cbor_head(0, value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(cbor(v) for v in value)
    if isinstance(value, dict):
        return _cbor_head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    raise TypeError(type(value).__name__)


def sd_proof_value(parts: list, header: bytes = b"\xd9\x5d\x01") -> str:
    """An ecdsa-sd-2023 proofValue with these five components (a derived proof by default)."""
    return "u" + b64u(header + cbor(parts))


def sd_parts(proof_value: str) -> list:
    """The five components of a derived proof, as plain values to tamper with and re-encode."""
    from openbadges import ecdsa_sd
    parsed = ecdsa_sd.parse_derived_proof(proof_value)
    labels = {int(k[4:]): base64.urlsafe_b64decode(v[1:] + "=" * (-len(v[1:]) % 4))
              for k, v in parsed.label_map.items()}
    return [parsed.base_signature, parsed.public_key, list(parsed.signatures), labels,
            list(parsed.mandatory_indexes)]
