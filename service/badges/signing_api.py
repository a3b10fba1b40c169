"""What badges lends other features that issue their own credentials (the
transcript): the organization's embedded issuer profile, a revocation bit in
its status lists, and signing with its keys. Plain values in and out; the key
rows, status-list rows and URL scheme stay badges' own (import-linter holds
other features to this module, see pyproject.toml)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from openbadges import data_integrity, jwt as vcjwt

from ..models import Organization
from . import issuer, keys, status, urls

__all__ = ["RevocationEntry", "allocate_revocation", "credential_issuer", "revoke", "sign"]


@dataclass(frozen=True)
class RevocationEntry:
    """A reserved revocation bit: where it lives and the credentialStatus that names it."""

    status_list_id: uuid.UUID
    index: int
    credential_status: dict


def credential_issuer(org: Organization) -> dict:
    """The compact issuer Profile to embed in a credential."""
    return issuer.credential_issuer(org)


def allocate_revocation(org: Organization) -> RevocationEntry:
    """Reserve one bit of the organization's revocation list (see status.allocate)."""
    (list_row, index), = status.allocate(org, "revocation")
    return RevocationEntry(list_row.id, index, status.credential_status(list_row, index))


def sign(org: Organization, unsigned: dict) -> tuple[dict, str]:
    """(Data Integrity credential with its proof as an array, VC-JWT) signed with the
    organization's active keys (created if missing)."""
    signing = keys.ensure_keys(org)
    di_row, jwt_row = signing["data_integrity"], signing["jwt"]
    credential = data_integrity.sign(
        unsigned, keys.private_key(di_row), urls.verification_method_id(org.slug, di_row.key_id),
        created=unsigned["validFrom"], as_set=True)  # proof as an array, as 1EdTech's schemas want
    token = vcjwt.sign(unsigned, keys.private_key(jwt_row), kid=urls.jwt_kid(org.slug, jwt_row.key_id))
    return credential, token


def revoke(status_list_id: uuid.UUID, index: int) -> None:
    """Set a reserved bit and re-sign its list. Caller commits."""
    status.set_bit(status_list_id, index, 1)
