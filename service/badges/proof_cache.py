"""Data Integrity proof checks already made, kept per process (openbadges.verify's `proof_memo`).

A proof check (canonicalization, SHA-256, Ed25519) is a pure function of the
exact credential and of what its verification methods resolve to; it depends
on no clock (data_integrity.verify reads no time). So it is kept only when
both are pinned down by the cache key:

- the credential: SHA-256 of its JSON with sorted keys (any change to any
  field, the proof included, is another key);
- every proof's verification method resolves in a way the key captures:
  a did:key (its document follows from the identifier alone), or one of our
  issuers' DIDs, with that issuer's published key set as read for this
  request (`ServiceResolver.issuer`, fresh from the database each request): a
  rotation or a withdrawn key is another key, so it shows at once in every
  process. Any other method (did:web of another site, an https key) is
  checked afresh every time.

Only verified results are kept. What depends on time or on the issuer's
current state (validity dates, revocation and suspension, the award's status,
key binding, evidence) is checked on every request; so is the schema.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections import OrderedDict

from openbadges.data_integrity import ProofResult

from . import urls

MAX_ENTRIES = 2048  # credentials per process (a few hundred bytes each)

_results: OrderedDict[tuple, ProofResult] = OrderedDict()
_lock = threading.Lock()


class ProofMemo:
    """For one verification: keys are built with that request's resolver."""

    def __init__(self, resolver):
        self._resolver = resolver

    def key(self, credential: dict) -> tuple | None:
        proofs = credential.get("proof")
        state = []
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
        try:
            text = json.dumps(credential, sort_keys=True, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError):
            return None
        return hashlib.sha256(text.encode()).digest(), tuple(state)

    def get(self, key: tuple) -> ProofResult | None:
        with _lock:
            found = _results.get(key)
            if found is not None:
                _results.move_to_end(key)
        return dataclasses.replace(found, details=list(found.details)) if found is not None else None

    def put(self, key: tuple, result: ProofResult) -> None:
        if not result.verified:
            return
        with _lock:
            _results[key] = dataclasses.replace(result, details=list(result.details))
            while len(_results) > MAX_ENTRIES:
                _results.popitem(last=False)


def clear() -> None:
    with _lock:
        _results.clear()
