"""Open Badges 3.0 / CLR 2.0 library: keys, proofs and verification.

The few names a verifier needs::

    from openbadges import verify
    report = verify(credential_bytes_or_json)
    report.verified, report.checks

Everything else lives in its module (``openbadges.keys``, ``.did``,
``.data_integrity``, ``.jwt``, ``.canonical``...). This package never imports
Flask or a database.
"""
from .did import ChainResolver, DidKeyResolver, HttpsResolver, Resolver, StaticResolver
from .keys import PrivateKey, PublicKey, generate
from .verify import Check, VerificationReport, verify

__all__ = [
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
