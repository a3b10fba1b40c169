"""W3C Bitstring Status List v1.0: the list itself, its credential and its entries.

Bit order follows the specification: index 0 is the left-most (most significant) bit of
the first byte. The list is GZIP-compressed and multibase base64url encoded (`u` prefix,
no padding) into `encodedList`. Lists hold at least 131,072 entries (16 KiB).
"""

from __future__ import annotations

import binascii
import functools
import gzip
import zlib
from datetime import datetime, timezone

from . import b64url

__all__ = [
    "MIN_SIZE",
    "PURPOSES",
    "StatusList",
    "StatusListError",
    "read_status",
    "status_entry",
    "status_list_credential",
]

MIN_SIZE = 131072
PURPOSES = ("revocation", "suspension")
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
# Decompression bomb guard: far above any list this service publishes (2^24 entries).
_MAX_BYTES = 2 * 1024 * 1024


class StatusListError(ValueError):
    """Malformed status list, credential or entry; or an index outside the list."""


class StatusList:
    """A mutable bitstring of `size` one-bit statuses, all clear initially."""

    def __init__(self, size: int = MIN_SIZE) -> None:
        if not isinstance(size, int) or isinstance(size, bool):
            raise StatusListError("size must be an integer")
        if size < MIN_SIZE or size % 8:
            raise StatusListError(f"size must be a multiple of 8 and at least {MIN_SIZE}")
        self._bits = bytearray(size // 8)

    @property
    def size(self) -> int:
        return len(self._bits) * 8

    def _locate(self, index: int) -> tuple[int, int]:
        if not isinstance(index, int) or isinstance(index, bool):
            raise StatusListError("index must be an integer")
        if not 0 <= index < self.size:
            raise StatusListError(f"index {index} outside the list (0..{self.size - 1})")
        return index // 8, 7 - index % 8  # left-most bit first

    def get(self, index: int) -> int:
        byte, shift = self._locate(index)
        return (self._bits[byte] >> shift) & 1

    def set(self, index: int, value: int = 1) -> None:
        if value not in (0, 1):
            raise StatusListError("a status bit is 0 or 1")
        byte, shift = self._locate(index)
        if value:
            self._bits[byte] |= 1 << shift
        else:
            self._bits[byte] &= ~(1 << shift) & 0xFF

    def clear(self, index: int) -> None:
        self.set(index, 0)

    def encode(self) -> str:
        # mtime=0 keeps the encoding deterministic for equal lists
        compressed = gzip.compress(bytes(self._bits), mtime=0)
        return "u" + b64url.encode(compressed)

    @classmethod
    def decode(cls, encoded: str) -> "StatusList":
        if not isinstance(encoded, str) or not encoded.startswith("u") or len(encoded) < 2:
            raise StatusListError("encodedList must be multibase base64url ('u' prefix)")
        body = encoded[1:]
        if "=" in body:
            raise StatusListError("encodedList must not be padded")
        try:
            compressed = b64url.decode(body)
            # GZIP container only (wbits 16+), bounded output size
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            raw = inflater.decompress(compressed, _MAX_BYTES + 1)
        except (binascii.Error, ValueError, zlib.error) as exc:
            raise StatusListError(f"encodedList is not GZIP data in base64url: {exc}") from None
        if len(raw) > _MAX_BYTES or inflater.unconsumed_tail:
            raise StatusListError("status list too large")
        if not inflater.eof:
            raise StatusListError("encodedList holds truncated GZIP data")
        if len(raw) * 8 < MIN_SIZE:
            raise StatusListError(
                f"status list has {len(raw) * 8} entries; at least {MIN_SIZE} required"
            )
        status_list = cls.__new__(cls)
        status_list._bits = bytearray(raw)
        return status_list

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StatusList) and self._bits == other._bits

    def __repr__(self) -> str:
        return f"StatusList(size={self.size}, set={sum(bin(b).count('1') for b in self._bits)})"


def _check_purpose(purpose: str) -> str:
    if purpose not in PURPOSES:
        raise StatusListError(f"statusPurpose must be one of {PURPOSES}, not {purpose!r}")
    return purpose


def _timestamp(value: datetime | str) -> str:
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise StatusListError("valid_from must be time-zone aware")
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_list_credential(
    *,
    id: str,
    issuer: str | dict,
    purpose: str,
    status_list: StatusList,
    valid_from: datetime | str | None = None,
) -> dict:
    """Unsigned BitstringStatusListCredential (VC 2.0 context) publishing `status_list`."""
    if not isinstance(id, str) or not id:
        raise StatusListError("id must be the URL the credential is published at")
    if not isinstance(status_list, StatusList):
        raise StatusListError("status_list must be a StatusList")
    credential = {
        "@context": [VC_V2_CONTEXT],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": _timestamp(valid_from or datetime.now(timezone.utc)),
        "credentialSubject": {
            "id": f"{id}#list",
            "type": "BitstringStatusList",
            "statusPurpose": _check_purpose(purpose),
            "encodedList": status_list.encode(),
        },
    }
    return credential


def status_entry(*, list_credential_url: str, index: int, purpose: str) -> dict:
    """`credentialStatus` value (BitstringStatusListEntry) pointing at bit `index`."""
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise StatusListError("index must be a non-negative integer")
    if not isinstance(list_credential_url, str) or not list_credential_url:
        raise StatusListError("list_credential_url must be a URL")
    return {
        # the entry id MUST NOT be the status list URL itself
        "id": f"{list_credential_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": _check_purpose(purpose),
        "statusListIndex": str(index),
        "statusListCredential": list_credential_url,
    }


def read_status(status_list_credential: dict, index: int, purpose: str | None = None) -> int:
    """The status bit at `index` of a BitstringStatusListCredential (1 = revoked/suspended).

    Checks the credential's shape first; when `purpose` is given it must match the list's
    statusPurpose (the spec's STATUS_VERIFICATION_ERROR case). Signature and validity
    period are the verifier's job, not this function's.
    """
    if not isinstance(status_list_credential, dict):
        raise StatusListError("status list credential must be a JSON object")
    types = status_list_credential.get("type")
    if not isinstance(types, list) or "BitstringStatusListCredential" not in types:
        raise StatusListError("type must include BitstringStatusListCredential")
    subject = status_list_credential.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        raise StatusListError("credentialSubject must be a BitstringStatusList")
    purposes = subject.get("statusPurpose")
    purposes = [purposes] if isinstance(purposes, str) else purposes
    if not isinstance(purposes, list) or not purposes:
        raise StatusListError("credentialSubject.statusPurpose is missing")
    if purpose is not None and purpose not in purposes:
        raise StatusListError(f"status list purpose {purposes} does not match {purpose!r}")
    if isinstance(index, str):
        if not index.isdigit():
            raise StatusListError(f"statusListIndex {index!r} is not a non-negative integer")
        index = int(index)
    encoded = subject.get("encodedList")
    if isinstance(encoded, str) and len(encoded) <= _MAX_MEMO_ENCODED:
        return _decoded(encoded).get(index)
    return StatusList.decode(encoded).get(index)


# Decoded lists, memoized by their encoding: a verifier reads the same list for
# every credential it checks (a GZIP inflate of 16 KiB each time otherwise).
# Only short encodings (a list with few bits set compresses to a few hundred
# bytes); never mutated, read through .get only.
_MAX_MEMO_ENCODED = 64 * 1024


@functools.lru_cache(maxsize=32)
def _decoded(encoded: str) -> StatusList:
    return StatusList.decode(encoded)
