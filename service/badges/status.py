"""Revocation and suspension through W3C Bitstring Status Lists.

Each organization has a revocation list and a suspension list (a new one when
one fills up). Indexes are handed out in a shuffled order so that neighbouring
bits do not reveal issuance order (herd privacy): the n-th allocation of a list
gets bit (a*n + b) mod size, a fixed permutation derived from the list's id
(size is a power of two and `a` is odd, so it is a bijection).

A credential carries one `credentialStatus` (1EdTech's OB 3.0 schema allows a
single object, not VC 2.0's array): a `suspension` entry (CREDENTIAL_PURPOSE).
Suspending sets its bit, reinstating clears it, and revoking sets it for good,
so every Bitstring Status List verifier sees a suspended or revoked award as
not valid (Digital Bazaar's checker reports the bit of the entry's purpose;
1EdTech's probe fails on any set bit). Revocation is also recorded in the
revocation list and in the 1EdTech revocation list; our own verifier says
"revoked" for our awards. Credentials issued before this carry a `revocation`
entry and keep their meaning (suspension of those is known only to us).
Every change re-signs the list credential (Data Integrity) in the same
transaction and caches it on the row.
"""
from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from openbadges import data_integrity
from openbadges import status_list as obstatus

from .. import audit
from ..extensions import db
from ..models import Organization, utcnow
from . import keys, urls
from .models import Award, StatusList, StatusListEntry

LIST_SIZE = obstatus.MIN_SIZE  # 131,072 entries, 16 KiB of bits
PURPOSES = obstatus.PURPOSES
CREDENTIAL_PURPOSE = "suspension"  # the purpose of the one entry a new award credential carries


class StatusChangeRefused(ValueError):
    """The award is not in a state that allows this change."""


def _permutation(list_id: uuid.UUID, size: int) -> tuple[int, int]:
    raw = list_id.int
    return (raw & (size - 1)) | 1, (raw >> 64) % size


def index_for(status_list: StatusList, ordinal: int) -> int:
    a, b = _permutation(status_list.id, status_list.size)
    return (a * ordinal + b) % status_list.size


def _new_list(organization: Organization, purpose: str) -> StatusList:
    row = StatusList(id=uuid.uuid4(), organization_id=organization.id, purpose=purpose, size=LIST_SIZE,
                     bits=bytes(LIST_SIZE // 8), allocated=0, version=0)
    db.session.add(row)
    db.session.flush()
    resign(row, organization)
    return row


def allocate(organization: Organization, purpose: str, count: int = 1) -> list[tuple[StatusList, int]]:
    """Reserve `count` status bits; atomic across processes (UPDATE ... RETURNING).

    An index reserved by a transaction that later rolls back is simply never
    used; that wastes a bit, never shares one.
    """
    out: list[tuple[StatusList, int]] = []
    while len(out) < count:
        want = count - len(out)
        candidates = db.session.scalars(db.select(StatusList).where(
            StatusList.organization_id == organization.id, StatusList.purpose == purpose,
            StatusList.allocated < StatusList.size).order_by(StatusList.updated_at)).all()
        got = False
        for row in candidates:
            take = min(want, row.size - row.allocated)
            end = db.session.execute(
                update(StatusList).where(StatusList.id == row.id, StatusList.allocated + take <= StatusList.size)
                .values(allocated=StatusList.allocated + take).returning(StatusList.allocated)
                .execution_options(synchronize_session=False)).scalar()
            if end is None:
                continue  # filled concurrently; try the next list
            set_committed_value(row, "allocated", end)  # what RETURNING said: no SELECT of it again
            out.extend((row, index_for(row, n)) for n in range(end - take, end))
            got = True
            break
        if not got:
            _new_list(organization, purpose)
    return out


def credential_status(status_list: StatusList, index: int) -> dict:
    return obstatus.status_entry(list_credential_url=urls.status_list_url(status_list.id), index=index,
                                 purpose=status_list.purpose)


def resign(status_list: StatusList, organization: Organization | None = None) -> dict:
    """Re-sign the list credential from the bits (version + 1) and cache it."""
    organization = organization or db.session.get(Organization, status_list.organization_id)
    bits = obstatus.StatusList(status_list.size)
    bits._bits = bytearray(status_list.bits)  # same byte layout (left-most bit first)
    now = utcnow()
    unsigned = obstatus.status_list_credential(
        id=urls.status_list_url(status_list.id), issuer=urls.issuer_did(organization.slug),
        purpose=status_list.purpose, status_list=bits, valid_from=now)
    key_row = keys.ensure_keys(organization)["data_integrity"]
    signed = data_integrity.sign(unsigned, keys.private_key(key_row),
                                 urls.verification_method_id(organization.slug, key_row.key_id), as_set=True)
    status_list.credential = signed
    status_list.version = (status_list.version or 0) + 1
    status_list.updated_at = now
    return signed


def _set_bit(status_list: StatusList, index: int, value: int) -> None:
    bits = bytearray(status_list.bits)
    byte, shift = index // 8, 7 - index % 8
    bits[byte] = (bits[byte] | (1 << shift)) if value else (bits[byte] & ~(1 << shift) & 0xFF)
    status_list.bits = bytes(bits)


def _entry(award: Award, purpose: str) -> StatusListEntry | None:
    return db.session.scalar(db.select(StatusListEntry).join(StatusList).where(
        StatusListEntry.award_id == award.id, StatusList.purpose == purpose))


def _flip(award: Award, purpose: str, value: int) -> StatusList:
    entry = _entry(award, purpose)
    if entry is None:
        (row, index), = allocate(db.session.get(Organization, award.organization_id), purpose)
        entry = StatusListEntry(status_list_id=row.id, award_id=award.id, status_index=index)
        db.session.add(entry)
        db.session.flush()
    # Lock the list row while we change its bits (PostgreSQL; SQLite locks the file).
    row = db.session.scalar(db.select(StatusList).where(StatusList.id == entry.status_list_id).with_for_update())
    db.session.refresh(row)
    _set_bit(row, entry.status_index, value)
    resign(row)
    return row


def set_bit(status_list_id: uuid.UUID, index: int, value: int) -> StatusList:
    """Flip one bit of a list and re-sign it (for credentials other than awards,
    e.g. transcripts, which keep their list and index on their own row). Caller commits."""
    row = db.session.scalar(db.select(StatusList).where(StatusList.id == status_list_id).with_for_update())
    db.session.refresh(row)
    _set_bit(row, index, value)
    resign(row)
    return row


def bit(status_list_id: uuid.UUID, index: int) -> int:
    row = db.session.get(StatusList, status_list_id)
    return (row.bits[index // 8] >> (7 - index % 8)) & 1


def revoke(award: Award, *, reason: str, actor=None) -> Award:
    """Permanently revoke an issued (or suspended) award. Caller commits."""
    if award.status not in ("issued", "suspended"):
        raise StatusChangeRefused(f"a {award.status} award cannot be revoked")
    if credential_purpose(award) == "suspension":
        _flip(award, "suspension", 1)  # the bit every verifier reads; never cleared again
    elif award.status == "suspended":
        _flip(award, "suspension", 0)
    _flip(award, "revocation", 1)
    _change(award, "revoked", reason, actor)
    return award


def credential_purpose(award: Award) -> str | None:
    """The statusPurpose of the entry in the award's signed credential."""
    entry = (award.credential or {}).get("credentialStatus")
    return entry.get("statusPurpose") if isinstance(entry, dict) else None


def suspend(award: Award, *, reason: str, actor=None) -> Award:
    if award.status != "issued":
        raise StatusChangeRefused(f"a {award.status} award cannot be suspended")
    _flip(award, "suspension", 1)
    _change(award, "suspended", reason, actor)
    return award


def unsuspend(award: Award, *, reason: str | None = None, actor=None) -> Award:
    if award.status != "suspended":
        raise StatusChangeRefused(f"a {award.status} award is not suspended")
    _flip(award, "suspension", 0)
    _change(award, "issued", reason, actor)
    return award


def _change(award: Award, new_status: str, reason: str | None, actor) -> None:
    old = award.status
    award.status = new_status
    award.status_reason = reason
    award.status_changed_at = utcnow()
    action = {"revoked": "revoke", "suspended": "suspend", "issued": "unsuspend"}[new_status]
    audit.record(f"award.{action}", obj=award, actor=actor, previous=old, reason=reason)


def public_reason(award: Award) -> str | None:
    """The revocation or suspension reason anyone may read: only one the issuer marked public."""
    return award.status_reason if award.status_reason_public else None


def published_credential(status_list_id: uuid.UUID) -> dict | None:
    row = db.session.get(StatusList, status_list_id)
    if row is None:
        return None
    if row.credential is None:
        resign(row)
        db.session.commit()
    return row.credential


def revocation_list(organization: Organization) -> dict:
    """1EdTechRevocationList (OB 3.0 appendix): the ids of revoked credentials."""
    revoked = db.session.scalars(db.select(Award).where(
        Award.organization_id == organization.id, Award.status == "revoked").order_by(Award.status_changed_at))
    return {
        "id": urls.revocation_list_url(organization.slug),
        "issuer": urls.issuer_did(organization.slug),
        "revokedCredentials": [{"id": urls.credential_url(a.id), "revocationReason": public_reason(a) or ""}
                               for a in revoked],
    }
