"""Open Badges 3.0 / CLR 2.0 library: keys, proofs and verification.

The few names an issuer and a verifier need::

    from openbadges import issue, verify
    issued = issue(unsigned_json, key, verification_method, jwt_key=rsa_key, kid=kid)
    report = verify(credential_bytes_or_json)
    report.verified, report.checks

Everything else lives in its module (``openbadges.keys``, ``.did``,
``.data_integrity``, ``.jwt``, ``.canonical``...). This package never imports
Flask or a database.
"""
from .did import ChainResolver, DidKeyResolver, HttpsResolver, Resolver, StaticResolver
from .keys import PrivateKey, PublicKey, generate
from .signing import Issued, issue
from .verify import Check, VerificationReport, verify

__all__ = [
    "issue",
    "Issued",
    "verify",
    "VerificationReport",
    "Check",
    "Resolver",
    "DidKeyResolver",
    "StaticResolver",
    "ChainResolver",
    "HttpsResolver",
    "PrivateKey",
    "PublicKey",
    "generate",
]
