"""Verification reports of our own status lists, kept per process.

Checking a credential's status means verifying the status list credential
it points at: Data Integrity proof (canonicalization and Ed25519), key
binding, validity. For our own lists that is a signature this service made,
over a document in our database, so each process verifies each version of
a list once and reuses the report while three things stay the same:

- the list credential's content (SHA-256 of its JSON): a revocation or
  suspension re-signs the list, so a new bit is a new key;
- the issuer's published key set (read fresh per request by
  `ServiceResolver.issuer`, one query): a rotated or withdrawn key is a new
  key, so a list signed by a withdrawn key fails again at once;
- its validity window does not end: our lists carry no validUntil, and a
  cached report is dropped when one would have passed.

Only reports that verified are kept; a failure is recomputed every time.
Other issuers' lists are fetched and verified on every request.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from datetime import datetime, timezone

from openbadges.verify import VerificationReport
from openbadges.verify import verify as ob_verify

MAX_ENTRIES = 256  # lists per process; a school has a few per purpose

_reports: OrderedDict[tuple, VerificationReport] = OrderedDict()
_lock = threading.Lock()


def digest(credential: dict) -> str:
    return hashlib.sha256(json.dumps(credential, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _still_valid(credential: dict, now: datetime) -> bool:
    until = credential.get("validUntil")
    if until is None:
        return True
    try:
        return datetime.fromisoformat(str(until).replace("Z", "+00:00")) > now
    except ValueError:
        return False


def own_list_report(credential: dict, published_keys: tuple | None, resolver) -> VerificationReport:
    """The report `openbadges.verify` makes of this status list credential, from
    the cache when this content was verified under this key set before."""
    key = (digest(credential), published_keys)
    now = datetime.now(timezone.utc)
    with _lock:
        report = _reports.get(key)
        if report is not None:
            _reports.move_to_end(key)
    if report is not None and _still_valid(credential, now):
        return report
    report = ob_verify(credential, resolver=resolver, now=now, _status_list=True)
    if report.verified and published_keys is not None:
        with _lock:
            _reports[key] = report
            while len(_reports) > MAX_ENTRIES:
                _reports.popitem(last=False)
    return report


def clear() -> None:
    with _lock:
        _reports.clear()
