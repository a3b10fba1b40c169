"""`issue()`: the library's one way to sign a credential, beside `verify()`.

A credential leaves an issuer with an `eddsa-rdfc-2022` Data Integrity proof
(as a one-element array, the form 1EdTech's schema expects) and, when a JWT
key is given, a VC-JWT twin of the same unsigned document. The service's
signer and the test fixtures both call this, so a change here is seen by
every test that verifies a credential.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import data_integrity, jwt
from .keys import PrivateKey


@dataclass(frozen=True)
class Issued:
    credential: dict  # the document with its Data Integrity proof
    jwt: str | None  # the VC-JWT of the same unsigned document, or None


def issue(unsigned: dict, key: PrivateKey, verification_method: str, *, jwt_key: PrivateKey | None = None,
          kid: str | None = None, created: str | None = None) -> Issued:
    """Sign `unsigned` (an OB 3.0 / CLR 2.0 credential as JSON, e.g. `model.to_json()`).

    `key` and `verification_method` make the Data Integrity proof (`created`
    defaults to now); `jwt_key` and `kid` the VC-JWT twin (without `kid` the
    public JWK goes into the header, for did:key issuers)."""
    signed = data_integrity.sign(unsigned, key, verification_method, created=created, as_set=True)
    token = jwt.sign(unsigned, jwt_key, kid=kid) if jwt_key is not None else None
    return Issued(signed, token)
