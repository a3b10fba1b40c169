"""Verification reports of our own status lists, kept per process.

Checking a credential's status means verifying the status list credential
it points at: Data Integrity proof (canonicalization and Ed25519), key
binding, validity. For our own lists that is a signature this service made,
over a document in our database, so each process verifies each version of
a list once and reuses the report while these stay the same (the cache key,
all read fresh per request in the query that loads the issuer, see
`verification._load_issuer`):

- the list's `version` and `updated_at`: `status.resign` sets both whenever
  it re-signs the list (a revocation, suspension or reinstatement), and it is
  the only writer of the list credential; so the list's JSON is neither read
  nor hashed on a hit;
- the issuer's slug and published key set: a rotated or withdrawn key is a
  new key, so a list signed by a withdrawn key fails again at once;
- its validity window does not end: our lists carry no validUntil, and a
  cached report is dropped when one would have passed.

So a change shows at once in every process (no staleness bound to state).
Only reports that verified are kept; a failure is recomputed every time.
Other issuers' lists are fetched and verified on every request.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from openbadges.verify import VerificationReport
from openbadges.verify import verify as ob_verify

from ..lru import LRU
from .fetch import FetchError

MAX_ENTRIES = 256  # lists per process; a school has a few per purpose

_reports: LRU[VerificationReport] = LRU(MAX_ENTRIES)


def _still_valid(credential: dict, now: datetime) -> bool:
    until = credential.get("validUntil")
    if until is None:
        return True
    try:
        return datetime.fromisoformat(str(until).replace("Z", "+00:00")) > now
    except ValueError:
        return False


def own_list_report(key: tuple, issuer_did: str, load: Callable[[], tuple | None], resolver) -> VerificationReport:
    """The report `openbadges.verify` makes of one of our status list credentials.

    ``key``: (list id, version, updated_at, issuer slug, published keys) as read
    for this request; ``load()``: (credential, version, updated_at) read from the
    database, called on a miss only (its own version is what the report is kept
    under, should the list have been re-signed in between). A report is kept only
    when the list names ``issuer_did``, the DID of the issuer whose keys are in the key."""
    now = datetime.now(timezone.utc)
    report = _reports.get(key)
    if report is not None and isinstance(report.credential, dict) and _still_valid(report.credential, now):
        return report
    loaded = load()
    if loaded is None:
        raise FetchError("this service no longer publishes that status list")
    credential, version, updated_at = loaded
    report = ob_verify(credential, resolver=resolver, now=now, _status_list=True)
    issuer = credential.get("issuer") if isinstance(credential, dict) else None
    if report.verified and (issuer.get("id") if isinstance(issuer, dict) else issuer) == issuer_did:
        _reports.put((key[0], version, updated_at, *key[3:]), report)
    return report


def clear() -> None:
    _reports.clear()
