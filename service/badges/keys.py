"""An organization's signing keys: create on first use, rotate, unwrap to sign.

Two active keys per organization: Ed25519 for Data Integrity proofs
(eddsa-rdfc-2022) and, for the VC-JWT twin, JWT_ALGORITHM (RS256 by default).
Private keys are stored only wrapped with KEY_ENCRYPTION_KEY. Rotation retires
the active keys (they stay published, so old credentials keep verifying) and
creates new ones. Key ids are `<alg>-<generation>`; the unique constraint on
(organization, key_id) makes concurrent "ensure" calls create one key.
"""
from __future__ import annotations

import threading
import uuid

from flask import current_app
from sqlalchemy.exc import IntegrityError

from openbadges import keys as obkeys

from .. import audit
from ..extensions import db
from ..models import Organization, utcnow
from .models import IssuerKey

DATA_INTEGRITY_ALGORITHM = "EdDSA"

_unwrapped: dict[tuple[uuid.UUID, bytes, bytes], obkeys.PrivateKey] = {}
_unwrapped_lock = threading.Lock()


class SigningKeyUnavailable(LookupError):
    """No usable key (for example the KEK cannot unwrap it)."""


def jwt_algorithm() -> str:
    return current_app.config["JWT_ALGORITHM"]  # RS256 unless configured (service/config.py)


def _prefix(alg: str) -> str:
    return {"EdDSA": "ed25519", "RS256": "rs256", "ES256": "es256"}[alg]


def active_key(organization_id: uuid.UUID, alg: str) -> IssuerKey | None:
    return db.session.scalar(db.select(IssuerKey).where(
        IssuerKey.organization_id == organization_id, IssuerKey.algorithm == alg,
        IssuerKey.status == "active").order_by(IssuerKey.created_at.desc()).limit(1))


def published_keys(organization_id: uuid.UUID | None = None, alg: str | None = None) -> list[IssuerKey]:
    """Active and retired keys (oldest first): what DID documents and the JWKS list."""
    query = db.select(IssuerKey).where(IssuerKey.status.in_(("active", "retired")))
    if organization_id is not None:
        query = query.where(IssuerKey.organization_id == organization_id)
    if alg is not None:
        query = query.where(IssuerKey.algorithm == alg)
    return list(db.session.scalars(query.order_by(IssuerKey.created_at, IssuerKey.key_id)))


def _next_generation(organization_id: uuid.UUID, alg: str) -> int:
    count = db.session.scalar(db.select(db.func.count(IssuerKey.id)).where(
        IssuerKey.organization_id == organization_id, IssuerKey.algorithm == alg))
    return (count or 0) + 1


def _new_key_row(organization_id: uuid.UUID, alg: str, generation: int) -> IssuerKey:
    private = obkeys.generate(alg)
    public = private.public_key
    return IssuerKey(
        organization_id=organization_id, algorithm=alg, key_id=f"{_prefix(alg)}-{generation}",
        public_jwk=public.to_jwk(),
        public_key_multibase=public.multikey if alg in ("EdDSA", "ES256") else None,
        wrapped_private_key=private.wrap(current_app.config["KEY_ENCRYPTION_KEY_BYTES"]),
        status="active")


def ensure_keys(organization: Organization) -> dict[str, IssuerKey]:
    """The active Data Integrity and JWT keys, created (and committed) if missing.

    Commits only when it creates a key; a concurrent creator wins the unique
    constraint and this call then reads its key.
    """
    wanted = (DATA_INTEGRITY_ALGORITHM, jwt_algorithm())
    found = {alg: active_key(organization.id, alg) for alg in wanted}
    missing = [alg for alg, row in found.items() if row is None]
    if missing:
        try:
            for alg in missing:
                row = _new_key_row(organization.id, alg, _next_generation(organization.id, alg))
                db.session.add(row)
                db.session.flush()
                audit.record("issuer_key.create", obj=row, organization_id=organization.id,
                             key_id=row.key_id, algorithm=alg)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # someone else created it first
        found = {alg: active_key(organization.id, alg) for alg in wanted}
        if any(row is None for row in found.values()):
            raise SigningKeyUnavailable(f"could not create signing keys for {organization.slug}")
    return {"data_integrity": found[DATA_INTEGRITY_ALGORITHM], "jwt": found[jwt_algorithm()]}


def rotate(organization: Organization, *, actor=None, reason: str | None = None) -> dict[str, IssuerKey]:
    """Retire the active keys and create new ones; commits.

    Retired keys stay in the DID document and JWKS: credentials signed with
    them still verify. (A compromised key needs revocation of its
    credentials, not only rotation.)
    """
    now = utcnow()
    for row in db.session.scalars(db.select(IssuerKey).where(
            IssuerKey.organization_id == organization.id, IssuerKey.status == "active")):
        row.status = "retired"
        row.retired_at = now
        audit.record("issuer_key.retire", obj=row, actor=actor, organization_id=organization.id,
                     key_id=row.key_id, reason=reason)
    created = {}
    for label, alg in (("data_integrity", DATA_INTEGRITY_ALGORITHM), ("jwt", jwt_algorithm())):
        row = _new_key_row(organization.id, alg, _next_generation(organization.id, alg))
        db.session.add(row)
        db.session.flush()
        audit.record("issuer_key.create", obj=row, actor=actor, organization_id=organization.id,
                     key_id=row.key_id, algorithm=alg, reason="rotation")
        created[label] = row
    db.session.commit()
    return created


def private_key(row: IssuerKey) -> obkeys.PrivateKey:
    """Unwrap a key row with the KEK (cached per process: unwrapping RSA costs ~1 ms)."""
    kek = current_app.config["KEY_ENCRYPTION_KEY_BYTES"]
    cache_key = (row.id, bytes(row.wrapped_private_key), bytes(kek))
    with _unwrapped_lock:
        key = _unwrapped.get(cache_key)
    if key is None:
        try:
            key = obkeys.unwrap(row.wrapped_private_key, kek)
        except obkeys.KeyMaterialError as exc:
            raise SigningKeyUnavailable(f"cannot unwrap key {row.key_id}: {exc}") from None
        with _unwrapped_lock:
            _unwrapped[cache_key] = key
    return key
