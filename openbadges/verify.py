"""One-call credential verification producing a report of named checks.

Order follows 1EdTech's reference validator: parse, context, type, schema,
subject, proof, status, validity, recipient, with ``key_binding`` after proof.
``verify`` never raises: every problem, including hostile input, becomes a
failed check.

Two verdicts: ``conformant`` - every check 1EdTech's validator makes passed
(a VC-JWT may carry its own key, and 1EdTech calls that valid); ``verified`` -
conformant AND the signing key is bound to the issuer named (key_binding.py).
Only ``verified`` says who issued the credential.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Callable

from . import data_integrity, did
from . import jwt as vcjwt
from .key_binding import KeyBinding, bind

__all__ = ["Check", "VerificationReport", "verify"]

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"
CLR_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/clr/v2p0/context"
_CREDENTIAL_TYPES = ("OpenBadgeCredential", "AchievementCredential", "ClrCredential", "EndorsementCredential")
_MAX_INPUT = 10 * 1024 * 1024
CHECKS = ("parse", "context", "type", "schema", "subject", "proof", "key_binding", "status", "validity", "recipient")
KEY_BINDING = "key_binding"


@dataclass(frozen=True)
class Check:
    check: str
    status: str  # 'pass' | 'fail' | 'warning' | 'skipped'
    message: str


@dataclass
class VerificationReport:
    verified: bool  # conformant and the key is bound to the issuer
    checks: list[Check]
    credential: dict | None = field(default=None, repr=False)
    format: str | None = None  # 'json' | 'jwt' | 'png' | 'svg'
    conformant: bool = False  # every check except key_binding passed (1EdTech's verdict)
    key_binding: KeyBinding | None = None

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.check == name), None)

    def to_dict(self) -> dict:
        return {"verified": self.verified, "conformant": self.conformant, "format": self.format,
                "key_binding": self.key_binding.to_dict() if self.key_binding else None,
                "checks": [asdict(c) for c in self.checks]}

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.to_dict(), **kwargs)


class _Failed(Exception):
    pass


class _Run:
    def __init__(self):
        self.checks: list[Check] = []

    def add(self, name, status, message):
        self.checks.append(Check(name, status, message))

    def failed(self) -> bool:
        # An unbound key does not stop the other checks: a verifier still
        # learns whether the credential is revoked, expired, about whom...
        return any(c.status == "fail" and c.check != KEY_BINDING for c in self.checks)


def _parse(source):
    """-> (credential dict, format, compact JWT or None)."""
    fmt = "json"
    if isinstance(source, (bytes, bytearray, memoryview)):
        raw = bytes(source)
        if len(raw) > _MAX_INPUT:
            raise _Failed("input larger than 10 MiB")
        if raw.startswith(b"\x89PNG\r\n\x1a\n") or b"<svg" in raw[:4096]:
            from . import baking  # local: only image inputs need it

            try:
                baked = baking.extract(raw)
            except baking.BakingError as exc:
                raise _Failed(f"no credential in the image: {exc}") from None
            if baked.ob_version != "3.0":
                raise _Failed(f"image carries an Open Badges {baked.ob_version} assertion; only 3.0 is verified here")
            fmt, source = baked.format, baked.payload
        else:
            try:
                source = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise _Failed("input is neither a PNG/SVG image nor UTF-8 text") from None
    if isinstance(source, str):
        if len(source) > _MAX_INPUT:
            raise _Failed("input larger than 10 MiB")
        text = source.strip().lstrip("\ufeff")
        if vcjwt.looks_like_jwt(text):
            try:
                _header, claims, _, _ = vcjwt.decode_unverified(text)
            except vcjwt.JwtError as exc:
                raise _Failed(f"malformed compact JWS: {exc}") from None
            credential = claims.get("vc", claims if "@context" in claims else None)
            if not isinstance(credential, dict):
                raise _Failed("JWT payload has no vc claim")
            return credential, ("jwt" if fmt == "json" else fmt), text
        try:
            source = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise _Failed(f"not JSON and not a compact JWT: {exc}") from None
    if not isinstance(source, dict):
        raise _Failed("credential must be a JSON object")
    return source, fmt, None


def _contexts(credential):
    ctx = credential.get("@context")
    return ctx if isinstance(ctx, list) else [ctx]


def _types(credential):
    types = credential.get("type")
    return types if isinstance(types, list) else [types]


def _issuer_id(credential):
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _parse_time(value, name):
    if not isinstance(value, str):
        raise _Failed(f"{name} is not a string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _Failed(f"{name} {value!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise _Failed(f"{name} {value!r} has no time zone")
    return moment


def _check_context(run, credential):
    ctx = _contexts(credential)
    if not ctx or not all(isinstance(c, (str, dict)) for c in ctx):
        raise _Failed("@context must be a string or a list of strings/objects")
    if ctx[0] not in (VC_V2, VC_V1):
        raise _Failed(f"first @context must be {VC_V2} (or the VC 1.1 context), got {ctx[0]!r}")
    types = _types(credential)
    strs = [c for c in ctx if isinstance(c, str)]
    if "ClrCredential" in types and not any(c.startswith(CLR_CONTEXT_PREFIX) for c in strs):
        raise _Failed("ClrCredential needs the CLR 2.0 context")
    if not any(c.startswith(OB_CONTEXT_PREFIX) for c in strs) and "ClrCredential" not in types:
        raise _Failed("the Open Badges 3.0 context is missing")
    if ctx[0] == VC_V1:
        run.add("context", "warning", "VC Data Model 1.1 context (accepted; OB 3.0 now uses VC 2.0)")
    else:
        run.add("context", "pass", "VC 2.0 and Open Badges contexts present")


def _check_type(run, credential):
    types = _types(credential)
    if "VerifiableCredential" not in types:
        raise _Failed("type must include VerifiableCredential")
    found = [t for t in _CREDENTIAL_TYPES if t in types]
    if not found:
        raise _Failed(f"type must include one of {', '.join(_CREDENTIAL_TYPES)}")
    run.add("type", "pass", f"type {found[0]}")


def _check_schema(run, credential):
    from .schema import validate  # the schema module loads its JSON schemas lazily

    violations = validate(credential)
    if not violations:
        run.add("schema", "pass", "conforms to the JSON schema")
        return
    text = "; ".join(str(v) for v in violations[:5]) + (f" (+{len(violations) - 5} more)" if len(violations) > 5 else "")
    if _contexts(credential)[0] == VC_V1:
        run.add("schema", "warning", f"VC 1.1 credential checked against the VC 2.0 based schema: {text}")
    else:
        raise _Failed(text)


def _check_subject(run, credential):
    subjects = credential.get("credentialSubject")
    subjects = subjects if isinstance(subjects, list) else [subjects]
    if not subjects or not all(isinstance(s, dict) for s in subjects):
        raise _Failed("credentialSubject must be an object")
    for s in subjects:
        if not s.get("id") and not s.get("identifier"):
            raise _Failed("credentialSubject needs an id and/or an identifier")
    run.add("subject", "pass", "credentialSubject is identified")


def _check_proof(run, credential, token, resolver, loader, signer):
    """Signature only; ``signer`` receives (key reference, public key) for key_binding."""
    issuer = _issuer_id(credential)
    if not isinstance(issuer, str) or not issuer:
        raise _Failed("issuer has no id")
    if token is not None:
        result = vcjwt.verify(token, resolver)
        if not result.verified:
            raise _Failed(result.reason)
        kid = result.header.get("kid") if result.header else None
        signer.update(reference=kid if isinstance(kid, str) and kid else None, key=result.public_key,
                      binding=result.key_binding)
        run.add("proof", "pass", result.reason)
        return
    if "proof" not in credential:
        raise _Failed("no proof: neither an embedded proof nor a VC-JWT")
    # No issuer= here: whose key it is, is the key_binding check (1EdTech calls a
    # proof by another controller's key valid; we say "issuer not proven").
    result = data_integrity.verify(credential, resolver, loader=loader)
    if not result.verified:
        raise _Failed(result.reason)
    signer.update(reference=result.verification_method, key=result.public_key, binding=None)
    run.add("proof", "pass", result.reason)


def _check_key_binding(run, credential, signer, resolver):
    binding = signer.get("binding") or bind(_issuer_id(credential), signer.get("reference"), signer.get("key"),
                                            resolver)
    signer["binding"] = binding
    if not binding.bound:
        raise _Failed(f"signature valid, issuer not proven: {binding.detail}")
    run.add(KEY_BINDING, "pass", f"key bound to the issuer ({binding.how}): {binding.detail}")


def _check_status(run, credential, status_fetcher, resolver, loader, now):
    entries = credential.get("credentialStatus")
    if entries is None:
        run.add("status", "skipped", "no credentialStatus")
        return
    entries = entries if isinstance(entries, list) else [entries]
    if status_fetcher is None:
        run.add("status", "warning", "credentialStatus present but no status fetcher was given; status not checked")
        return
    from .status_list import StatusListError, read_status

    for entry in entries:
        if not isinstance(entry, dict):
            raise _Failed("credentialStatus entry is not an object")
        if entry.get("type") != "BitstringStatusListEntry":
            run.add("status", "warning", f"status type {entry.get('type')!r} not supported; not checked")
            continue
        url, purpose, index = entry.get("statusListCredential"), entry.get("statusPurpose"), entry.get("statusListIndex")
        if not isinstance(url, str) or not isinstance(purpose, str):
            raise _Failed("BitstringStatusListEntry needs statusListCredential and statusPurpose")
        try:
            fetched = status_fetcher(url)
        except Exception as exc:  # network, HTTP, JSON... all mean "cannot check"
            raise _Failed(f"cannot fetch status list {url}: {exc}") from None
        list_report = verify(fetched, resolver=resolver, now=now, _status_list=True, loader=loader)
        list_cred = list_report.credential
        if isinstance(list_cred, dict) and _issuer_id(list_cred) != _issuer_id(credential):
            raise _Failed("status list credential has a different issuer than the credential")
        if not list_report.verified:  # verified includes: signed by a key bound to that issuer
            failed = next((c for c in list_report.checks if c.status == "fail"), None)
            raise _Failed(f"status list credential {url} does not verify: {failed.message if failed else '?'}")
        try:
            bit = read_status(list_cred, index, purpose)
        except StatusListError as exc:
            raise _Failed(f"status list: {exc}") from None
        if bit:
            state = {"revocation": "revoked", "suspension": "suspended"}.get(purpose, f"flagged ({purpose})")
            raise _Failed(f"credential is {state} (status list {url}, index {index})")
    if not run.checks or run.checks[-1].check != "status":
        run.add("status", "pass", "not revoked or suspended")


def _check_validity(run, credential, now):
    start = credential.get("validFrom", credential.get("issuanceDate"))
    end = credential.get("validUntil", credential.get("expirationDate"))
    if start is None:
        raise _Failed("no validFrom (or VC 1.1 issuanceDate)")
    begins = _parse_time(start, "validFrom")
    if now < begins:
        raise _Failed(f"not valid before {start}")
    if end is not None:
        ends = _parse_time(end, "validUntil")
        if now > ends:
            raise _Failed(f"expired at {end}")
    run.add("validity", "pass", f"valid at {now.isoformat()}")


def _check_recipient(run, credential, recipient):
    if recipient is None:
        run.add("recipient", "skipped", "no expected recipient given")
        return
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict):
        raise _Failed("credentialSubject is not an object")
    if subject.get("id") == recipient:
        run.add("recipient", "pass", "credentialSubject.id matches")
        return
    from .identity import IdentityError, matches

    for identity in subject.get("identifier") or []:
        try:
            if isinstance(identity, dict) and matches(identity, recipient):
                run.add("recipient", "pass", "identifier matches the expected recipient")
                return
        except IdentityError:
            continue
    raise _Failed("credential is not about the expected recipient")


def verify(
    credential,
    *,
    resolver=None,
    status_fetcher: Callable[[str], dict] | None = None,
    now: datetime | None = None,
    recipient: str | None = None,
    loader=None,
    _status_list: bool = False,
) -> VerificationReport:
    """Verify a credential given as dict, JSON text, compact JWT or baked PNG/SVG bytes."""
    run = _Run()
    now = now or datetime.now(timezone.utc)
    resolver = resolver or did.default_resolver()
    state = {"credential": None, "format": None, "token": None}

    def step(name, fn):
        if run.failed():
            run.add(name, "skipped", "an earlier check failed")
            return
        try:
            fn()
        except _Failed as exc:
            run.add(name, "fail", str(exc))
        except Exception as exc:  # a bug or hostile input must not escape verify()
            run.add(name, "fail", f"could not be checked: {type(exc).__name__}: {exc}")

    def parse():
        state["credential"], state["format"], state["token"] = _parse(credential)
        run.add("parse", "pass", f"{state['format']} credential")

    cred = lambda: state["credential"]  # noqa: E731
    step("parse", parse)
    if _status_list:
        step("type", lambda: _status_list_type(run, cred()))
    else:
        step("context", lambda: _check_context(run, cred()))
        step("type", lambda: _check_type(run, cred()))
        step("schema", lambda: _check_schema(run, cred()))
        step("subject", lambda: _check_subject(run, cred()))
    signer: dict = {}
    step("proof", lambda: _check_proof(run, cred(), state["token"], resolver, loader, signer))
    step(KEY_BINDING, lambda: _check_key_binding(run, cred(), signer, resolver))
    if not _status_list:
        step("status", lambda: _check_status(run, cred(), status_fetcher, resolver, loader, now))
    step("validity", lambda: _check_validity(run, cred(), now))
    if not _status_list:
        step("recipient", lambda: _check_recipient(run, cred(), recipient))
    conformant = not run.failed()
    binding = signer.get("binding")
    verified = conformant and binding is not None and binding.bound
    return VerificationReport(verified, run.checks, state["credential"], state["format"], conformant, binding)


def _status_list_type(run, credential):
    if "BitstringStatusListCredential" not in _types(credential):
        raise _Failed("not a BitstringStatusListCredential")
    run.add("type", "pass", "BitstringStatusListCredential")
