"""Proof and schema checks already made, kept per process (openbadges.verify's `memo`).

Two checks of a verification are pure functions of their inputs and read no
clock: the Data Integrity proof (canonicalization, SHA-256, Ed25519: depends
on the exact credential and on what its verification methods resolve to)
and the JSON schema check (the credential alone). They are kept only when
the cache key pins all of that down:

- the credential: SHA-256 of its JSON with sorted keys (any change to any
  field, the proof included, is another key; see `_digest`);
- every proof's verification method resolves in a way the key captures:
  a did:key (its document follows from the identifier alone), or one of our
  issuers' DIDs, with that issuer's published key set as read for this
  request (`ServiceResolver.issuer`, fresh from the database each request): a
  rotation or a withdrawn key is another key, so it shows at once in every
  process. With any other method (did:web of another site, an https key)
  nothing is kept and both checks run every time.

Only verified proofs and passed (or warned) schema checks are kept. What
depends on time or on the issuer's current state (validity dates, revocation
and suspension, the award's status, key binding, evidence) is checked on
every request.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json

import orjson

from openbadges.data_integrity import ProofResult

from ..lru import LRU
from . import urls

MAX_ENTRIES = 4096  # (credential, check) pairs per process, a few hundred bytes each

_results: LRU[object] = LRU(MAX_ENTRIES)


class CheckMemo:
    """For one verification: keys are built with that request's resolver."""

    def __init__(self, resolver):
        self._resolver = resolver

    def key(self, credential: dict) -> tuple | None:
        proofs = credential.get("proof")
        state: list[tuple | None] = []
        for proof in proofs if isinstance(proofs, list) else [proofs]:
            method = proof.get("verificationMethod") if isinstance(proof, dict) else None
            method = method.get("id") if isinstance(method, dict) else method
            if not isinstance(method, str):
                return None
            base = method.partition("#")[0]
            if base.startswith("did:key:"):
                state.append(None)
                continue
            slug = urls.issuer_slug_of(base)
            issuer = self._resolver.issuer(slug) if slug is not None else None
            if issuer is None:
                return None
            state.append((slug, issuer.keys))
        return _digest(credential), tuple(state)

    def get(self, key: tuple, check: str):
        return _private(_results.get((key, check)))

    def put(self, key: tuple, check: str, value) -> None:
        if isinstance(value, ProofResult) and not value.verified:
            return
        _results.put((key, check), _private(value))


def _digest(credential: dict) -> bytes | None:
    """SHA-256 of the credential's JSON with sorted keys. orjson writes it in a sixth of the
    standard encoder's time, but writes NaN and Infinity as null: so a text with null in it
    (where a non-finite number may hide), or one orjson refuses (an integer past 64 bits), is
    written by the standard encoder instead, which refuses non-finite numbers. The two kinds of
    text are tagged apart. None: not JSON, not kept."""
    try:
        text = orjson.dumps(credential, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson's JSONEncodeError
        text = None
    if text is not None and b"null" not in text:
        return hashlib.sha256(b"o" + text).digest()
    try:
        standard = json.dumps(credential, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None
    return hashlib.sha256(b"j" + standard.encode()).digest()


def _private(value):
    # a ProofResult is mutable: each verification gets its own copy (a Check is frozen)
    return dataclasses.replace(value, details=list(value.details)) if isinstance(value, ProofResult) else value


def clear() -> None:
    _results.clear()
