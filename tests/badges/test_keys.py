"""Issuer keys: created once, wrapped at rest, unwrapped only with the KEK."""
from __future__ import annotations

import threading

import pytest

from openbadges import keys as obkeys


def test_ensure_keys_creates_one_ed25519_and_one_rs256_key_wrapped(app, factory):
    from service.badges import keys
    from service.badges.models import IssuerKey
    from service.extensions import db

    org = factory.org()
    first = keys.ensure_keys(org)
    again = keys.ensure_keys(org)
    assert first["data_integrity"].id == again["data_integrity"].id and first["jwt"].id == again["jwt"].id
    assert (first["data_integrity"].algorithm, first["jwt"].algorithm) == ("EdDSA", "RS256")
    assert first["data_integrity"].key_id == "ed25519-1" and first["jwt"].key_id == "rs256-1"
    assert first["data_integrity"].public_key_multibase.startswith("z6Mk")
    rows = db.session.scalars(db.select(IssuerKey).where(IssuerKey.organization_id == org.id)).all()
    assert len(rows) == 2
    for row in rows:
        # Nothing in the row is the private key in the clear.
        private = keys.private_key(row)
        assert private.public_key.to_jwk() == row.public_jwk
        with pytest.raises(obkeys.KeyMaterialError):
            obkeys.unwrap(row.wrapped_private_key, b"\x00" * 32)


def test_wrong_kek_is_a_clear_error(app, factory):
    from service.badges import keys

    org = factory.org()
    row = keys.ensure_keys(org)["data_integrity"]
    app.config["KEY_ENCRYPTION_KEY_BYTES"] = b"\x01" * 32
    with pytest.raises(keys.SigningKeyUnavailable, match="cannot unwrap"):
        keys.private_key(row)


def test_concurrent_first_use_creates_one_key_per_algorithm(app, factory):
    from service.badges import keys
    from service.badges.models import IssuerKey
    from service.extensions import db
    from service.models import Organization

    org_id = factory.org().id
    barrier, errors = threading.Barrier(4), []

    def worker():
        with app.app_context():
            try:
                barrier.wait()
                keys.ensure_keys(db.session.get(Organization, org_id))
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = db.session.scalars(db.select(IssuerKey).where(IssuerKey.organization_id == org_id)).all()
    assert sorted(r.key_id for r in rows) == ["ed25519-1", "rs256-1"]


def test_rotate_keys_cli(app, factory):
    from service.badges.models import IssuerKey
    from service.extensions import db

    org = factory.org()
    result = app.test_cli_runner().invoke(args=["rotate-keys", "--org", org.slug])
    assert result.exit_code == 0, result.output
    assert "ed25519-1" in result.output and "rs256-1" in result.output
    result = app.test_cli_runner().invoke(args=["rotate-keys", "--org", org.slug])
    assert "ed25519-2" in result.output
    db.session.expire_all()
    rows = db.session.scalars(db.select(IssuerKey).where(IssuerKey.organization_id == org.id)).all()
    assert sorted((r.key_id, r.status) for r in rows) == [
        ("ed25519-1", "retired"), ("ed25519-2", "active"), ("rs256-1", "retired"), ("rs256-2", "active")]
    missing = app.test_cli_runner().invoke(args=["rotate-keys", "--org", "no-such-school"])
    assert missing.exit_code != 0 and "no organization" in missing.output
