"""Recipient identity: salted, hashed e-mail IdentityObjects (OB 3.0 B.1.12, IdentityHash).

The e-mail is normalised (surrounding whitespace trimmed, lower-cased) before hashing so
that `Student@School.edu ` and `student@school.edu` identify the same recipient.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["IdentityError", "hashed_email", "matches", "normalize_email"]


class IdentityError(ValueError):
    """An e-mail address or IdentityObject that cannot be used."""


_ALGORITHMS = {"sha256": hashlib.sha256, "md5": hashlib.md5}  # the two IdentityHash allows


def normalize_email(email: str) -> str:
    if not isinstance(email, str):
        raise IdentityError("email must be a string")
    normalized = email.strip().lower()
    local, at, domain = normalized.partition("@")
    if not at or not local or not domain or any(c.isspace() for c in normalized):
        raise IdentityError(f"not an e-mail address: {email!r}")
    return normalized


def hashed_email(email: str, salt: str | None = None) -> dict:
    """IdentityObject for `email`: 'sha256$' + hex(sha256(normalised email + salt)).

    A fresh random salt is drawn when none is given, so equal addresses do not produce
    equal hashes across credentials.
    """
    if salt is None:
        salt = secrets.token_hex(16)
    elif not isinstance(salt, str):
        raise IdentityError("salt must be a string")
    digest = hashlib.sha256((normalize_email(email) + salt).encode("utf-8")).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def matches(identity_object: dict, email: str) -> bool:
    """True when `identity_object` identifies `email` (hashed or plaintext form)."""
    if not isinstance(identity_object, dict):
        raise IdentityError("identity object must be a JSON object")
    if identity_object.get("identityType") != "emailAddress":
        return False
    identity_hash = identity_object.get("identityHash")
    if not isinstance(identity_hash, str):
        raise IdentityError("identityHash must be a string")
    candidate = normalize_email(email)
    if identity_object.get("hashed") is not True:
        return hmac.compare_digest(identity_hash.strip().lower().encode(), candidate.encode())
    algorithm, sep, expected = identity_hash.partition("$")
    hash_function = _ALGORITHMS.get(algorithm.lower())
    if not sep or hash_function is None:
        raise IdentityError(f"unsupported identityHash algorithm: {algorithm!r}")
    salt = identity_object.get("salt") or ""  # absent salt: the hash was not salted
    if not isinstance(salt, str):
        raise IdentityError("salt must be a string")
    actual = hash_function((candidate + salt).encode("utf-8")).hexdigest()
    # hex may be upper or lower case per the IdentityHash type
    return hmac.compare_digest(actual.encode(), expected.lower().encode())
