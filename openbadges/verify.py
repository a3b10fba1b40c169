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

import functools
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from . import data_integrity, did, ob2
from . import jwt as vcjwt
from .key_binding import KeyBinding, bind
from .status_list import StatusListError, read_status

__all__ = ["Check", "VerificationReport", "verify"]

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"
CLR_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/clr/v2p0/context"
# earlier published names of the same contexts, which 1EdTech's validator accepts
OB_CONTEXT_ALIASES = ("https://imsglobal.github.io/openbadges-specification/context.json",)
CLR_CONTEXT_ALIASES = ("https://dc.imsglobal.org/draft/clr/v2p0/context",)
_CREDENTIAL_TYPES = ("OpenBadgeCredential", "AchievementCredential", "ClrCredential", "EndorsementCredential")
_MAX_INPUT = 10 * 1024 * 1024
# 1EdTech's order, fail-fast: the structural probes (subject, issuer and
# evidence types; issuance and expiration) before the schema and the proof.
CHECKS = ("parse", "context", "type", "subject", "issuer", "evidence", "validity", "schema", "proof", "key_binding",
          "status", "recipient")
_KNOWN_PROOF_TYPES = ("DataIntegrityProof", "Ed25519Signature2020", "Ed25519Signature2018", "JsonWebSignature2020")
_SUBJECT_TYPE = {"ClrCredential": "ClrSubject", "EndorsementCredential": "EndorsementSubject"}
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
    # documents fetched to check it (OB 2.0: "badge", its BadgeClass, and "issuer", its Profile)
    documents: dict = field(default_factory=dict, repr=False)

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.check == name), None)

    def to_dict(self) -> dict:
        # built by hand: dataclasses.asdict deep-copies every field, a tenth of a verification's CPU
        return {"verified": self.verified, "conformant": self.conformant, "format": self.format,
                "key_binding": self.key_binding.to_dict() if self.key_binding else None,
                "checks": [{"check": c.check, "status": c.status, "message": c.message} for c in self.checks]}

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.to_dict(), **kwargs)


class _Failed(Exception):
    pass


class _MemoView:
    """The caller's memo (``verify(memo=...)``) for one credential: its key made once, on first use."""

    def __init__(self, memo, credential: dict):
        self._memo, self._credential, self._key, self._made = memo, credential, None, False

    def _the_key(self):
        if not self._made:
            self._made = True
            try:
                self._key = self._memo.key(self._credential)
            except Exception:  # a memo that cannot key this credential: check it afresh
                self._key = None
        return self._key

    def get(self, check: str):
        key = self._the_key()
        return self._memo.get(key, check) if key is not None else None

    def put(self, check: str, value) -> None:
        key = self._the_key()
        if key is not None:
            self._memo.put(key, check, value)


class _Run:
    def __init__(self):
        self.checks: list[Check] = []
        self._scanned = 0  # checks already looked at by failed() (asked before every step)
        self._failed = False

    def add(self, name, status, message):
        self.checks.append(Check(name, status, message))

    def failed(self) -> bool:
        # An unbound key does not stop the other checks: a verifier still
        # learns whether the credential is revoked, expired, about whom...
        checks = self.checks
        while self._scanned < len(checks):
            c = checks[self._scanned]
            self._scanned += 1
            if c.status == "fail" and c.check != KEY_BINDING:
                self._failed = True
        return self._failed


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
            fmt, source = baked.format, baked.payload
            if baked.ob_version != "3.0" and isinstance(source, str) and source.strip().startswith("http"):
                raise _Failed(f"image carries a link to an Open Badges {baked.ob_version} assertion "
                              f"({source.strip()}); verify that URL")
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
    if "ClrCredential" in types and not any(c.startswith(CLR_CONTEXT_PREFIX) or c in CLR_CONTEXT_ALIASES
                                            for c in strs):
        raise _Failed("ClrCredential needs the CLR 2.0 context")
    if not any(c.startswith(OB_CONTEXT_PREFIX) or c in OB_CONTEXT_ALIASES for c in strs) \
            and "ClrCredential" not in types:
        raise _Failed("the Open Badges 3.0 context is missing")
    proofs = credential.get("proof")
    for proof in proofs if isinstance(proofs, list) else [proofs] if isinstance(proofs, dict) else []:
        ptype = proof.get("type") if isinstance(proof, dict) else None
        if isinstance(ptype, str) and ptype not in _KNOWN_PROOF_TYPES:
            raise _Failed(f"proof type {ptype!r} is not defined by the credential's @context (JSON-LD)")
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


def _check_schema(run, credential, memo=None):
    """1EdTech's own schema decides (AchievementCredentials); our stricter bundled
    schemas only warn. VC 1.1 credentials are checked, as warnings only, against
    the VC 2.0 schemas. Inline credentialSchema entries must be ones we hold."""
    known = memo.get("schema") if memo is not None else None
    if known is not None:
        run.checks.append(known)
        return
    _schema_check(run, credential)
    if memo is not None and run.checks and run.checks[-1].check == "schema":
        memo.put("schema", run.checks[-1])


@functools.cache
def _schemas():
    """The official_schema and schema modules, imported on first use (they load jsonschema,
    which importing this module need not pay for); kept, as an import statement in a
    function costs microseconds at every call."""
    from . import official_schema, schema

    return official_schema, schema


def _schema_check(run, credential):
    official_schema, schema = _schemas()
    validate = schema.validate
    types = _types(credential)
    vc1 = _contexts(credential)[0] == VC_V1
    official = ("OpenBadgeCredential" in types or "AchievementCredential" in types) and \
        "ClrCredential" not in types and "EndorsementCredential" not in types
    failures, warnings = [], []
    if official:
        for path, message in official_schema.violations(credential):
            # a single proof object is valid VC; 1EdTech's schema wants an array
            if path == "proof":
                warnings.append("proof is a single object; 1EdTech's schema expects an array of proofs")
            else:
                (warnings if vc1 else failures).append(f"{path or '<document>'}: {message}")
        warnings += [str(v) for v in validate(credential)]
    else:
        (warnings if vc1 else failures).extend(str(v) for v in validate(credential))
    for entry in _as_list(credential.get("credentialSchema")):
        ref = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(ref, str) or not _known_schema(ref):
            warnings.append(f"credentialSchema {ref!r} is not a schema this verifier holds; not validated against it")

    def text(items):
        return "; ".join(items[:5]) + (f" (+{len(items) - 5} more)" if len(items) > 5 else "")

    if failures:
        raise _Failed(text(failures))
    if warnings:
        prefix = "VC 1.1 credential checked against the VC 2.0 based schema: " if vc1 else \
            "beyond 1EdTech's schema: "
        run.add("schema", "warning", prefix + text(warnings))
    else:
        run.add("schema", "pass", "conforms to 1EdTech's JSON schema" if official else "conforms to the JSON schema")


def _known_schema(ref: str) -> bool:
    official_schema, schema = _schemas()
    return ref in (official_schema.CREDENTIAL_SCHEMA_ID, official_schema.OFFICIAL_SCHEMA_ID,
                   schema.CLR_CREDENTIAL_SCHEMA, schema.ENDORSEMENT_CREDENTIAL_SCHEMA)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _has_type(node, wanted: str) -> bool:
    return isinstance(node, dict) and wanted in _as_list(node.get("type"))


def _check_subject(run, credential):
    """1EdTech's CredentialSubjectProbe: the subject and the objects in it carry their types."""
    subjects = _as_list(credential.get("credentialSubject"))
    if not subjects or not all(isinstance(s, dict) for s in subjects):
        raise _Failed("credentialSubject must be an object")
    types = _types(credential)
    wanted = next((v for k, v in _SUBJECT_TYPE.items() if k in types), "AchievementSubject")
    for s in subjects:
        if "type" in s and not _has_type(s, wanted):
            raise _Failed(f"credentialSubject type must include {wanted}")
        if wanted == "AchievementSubject" and not s.get("id") and not s.get("identifier"):
            raise _Failed("credentialSubject needs an id and/or an identifier")
        for identity in _as_list(s.get("identifier")):
            if not _has_type(identity, "IdentityObject"):
                raise _Failed("credentialSubject.identifier entries must have type IdentityObject")
        for result in _as_list(s.get("result")):
            if not _has_type(result, "Result"):
                raise _Failed("credentialSubject.result entries must have type Result")
        achievement = s.get("achievement")
        if isinstance(achievement, dict):
            for rd in _as_list(achievement.get("resultDescription")):
                if not _has_type(rd, "ResultDescription"):
                    raise _Failed("achievement.resultDescription entries must have type ResultDescription")
        if isinstance(s.get("source"), dict) and not _has_type(s["source"], "Profile"):
            raise _Failed("credentialSubject.source must have type Profile")
    run.add("subject", "pass", "credentialSubject is identified and typed")


def _check_issuer(run, credential):
    """1EdTech's IssuerProbe: an embedded issuer Profile and its parts carry their types."""
    issuer = credential.get("issuer")
    if issuer is None:
        run.add("issuer", "skipped", "no issuer (the schema check reports it)")
        return
    if isinstance(issuer, dict):
        if not _has_type(issuer, "Profile"):
            raise _Failed("issuer type must include Profile")
        parent = issuer.get("parentOrg")
        if isinstance(parent, dict) and not _has_type(parent, "Profile"):
            raise _Failed("issuer.parentOrg type must include Profile")
        for entry in _as_list(issuer.get("otherIdentifier")):
            if not _has_type(entry, "IdentifierEntry"):
                raise _Failed("issuer.otherIdentifier entries must have type IdentifierEntry")
    run.add("issuer", "pass", "issuer is a Profile" if isinstance(issuer, dict) else "issuer is given by its id")


def _check_evidence_types(run, credential):
    """1EdTech's EvidenceProbe: every evidence entry has type Evidence."""
    entries = _as_list(credential.get("evidence"))
    if not entries:
        run.add("evidence", "skipped", "no evidence")
        return
    for entry in entries:
        if not _has_type(entry, "Evidence"):
            raise _Failed("evidence entries must have type Evidence")
    run.add("evidence", "pass", f"{len(entries)} evidence entr{'y' if len(entries) == 1 else 'ies'} typed Evidence")


def _check_proof(run, credential, token, resolver, loader, signer, memo=None):
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
    result = memo.get("proof") if memo is not None else None
    if result is None:
        result = data_integrity.verify(credential, resolver, loader=loader)
        if memo is not None and result.verified:
            memo.put("proof", result)
    if not result.verified:
        raise _Failed(result.reason)
    signer.update(reference=result.verification_method, key=result.public_key, binding=None)
    if result.cryptosuite == "eddsa-2022":
        run.add("proof", "warning", result.reason + " (eddsa-2022 is the deprecated name of eddsa-rdfc-2022)")
    else:
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
    for entry in entries:
        if not isinstance(entry, dict):
            raise _Failed("credentialStatus entry is not an object")
        if entry.get("type") == "1EdTechRevocationList":
            _check_1edtech_revocation(run, credential, entry, status_fetcher)
            continue
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
        # A fetcher may hand back the report of a list it has already verified (a cache of its own).
        list_report = fetched if isinstance(fetched, VerificationReport) else \
            verify(fetched, resolver=resolver, now=now, _status_list=True, loader=loader)
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


def _check_1edtech_revocation(run, credential, entry, status_fetcher):
    """OB 3.0 "1EdTech Revocation List Status Method": an (unsigned) list at the
    entry's id; the credential is revoked if its id is in ``revokedCredentials``
    with ``revoked`` true or absent. A list that cannot be fetched is a warning,
    as in 1EdTech's RevocationListProbe."""
    url = entry.get("id")
    if not isinstance(url, str):
        raise _Failed("1EdTechRevocationList entry has no id (the list URL)")
    try:
        listing = status_fetcher(url)
        if isinstance(listing, (str, bytes)):
            listing = json.loads(listing)
    except Exception as exc:  # network, HTTP, JSON... all mean "cannot check"
        run.add("status", "warning", f"cannot fetch the revocation list {url}: {exc}; not checked")
        return
    revoked = listing.get("revokedCredentials") if isinstance(listing, dict) else None
    for item in revoked if isinstance(revoked, list) else []:
        if isinstance(item, dict) and item.get("id") == credential.get("id") and item.get("revoked", True) is not False:
            reason = item.get("revocationReason")
            raise _Failed(f"credential is revoked (1EdTech revocation list {url})" + (f": {reason}" if reason else ""))


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
    memo=None,
    _status_list: bool = False,
) -> VerificationReport:
    """Verify a credential given as dict, JSON text, compact JWT or baked PNG/SVG bytes.

    ``memo``: optional, for a caller that knows when its resolver's answers are
    fixed. ``key(credential)`` -> a hashable naming everything the two checks
    that are pure functions of their inputs depend on (the exact credential,
    and the state of the keys it resolves), or None to check afresh;
    ``get(key, check)`` -> what ``put(key, check, value)`` was given, or None.
    Kept: "proof" (the Data Integrity ProofResult, verified ones only) and
    "schema" (its Check, when it passed or warned). Every other check (dates,
    status, key binding, recipient) runs each time. This library never caches
    by itself."""
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
        except (_Failed, ob2.Failed) as exc:
            run.add(name, "fail", str(exc))
        except Exception as exc:  # a bug or hostile input must not escape verify()
            run.add(name, "fail", f"could not be checked: {type(exc).__name__}: {exc}")

    def parse():
        state["credential"], state["format"], state["token"] = _parse(credential)
        run.add("parse", "pass", f"{state['format']} credential")

    cred = lambda: state["credential"]  # noqa: E731

    def memo_view():
        if "memo" not in state:
            state["memo"] = _MemoView(memo, cred()) if memo is not None and isinstance(cred(), dict) else None
        return state["memo"]

    step("parse", parse)
    if not _status_list and ob2.is_ob2(state["credential"]):  # Open Badges 2.0: its own rules
        binding, documents = ob2.run_checks(run, step, state["credential"], state["token"], resolver=resolver,
                                 status_fetcher=status_fetcher, now=now, recipient=recipient, loader=loader)
        conformant = not run.failed()
        return VerificationReport(conformant and binding is not None and binding.bound, run.checks,
                                  state["credential"], state["format"], conformant, binding, documents)
    if _status_list:
        step("type", lambda: _status_list_type(run, cred()))
    else:
        step("context", lambda: _check_context(run, cred()))
        step("type", lambda: _check_type(run, cred()))
        step("subject", lambda: _check_subject(run, cred()))
        step("issuer", lambda: _check_issuer(run, cred()))
        step("evidence", lambda: _check_evidence_types(run, cred()))
        step("validity", lambda: _check_validity(run, cred(), now))
        step("schema", lambda: _check_schema(run, cred(), memo_view()))
    signer: dict = {}
    step("proof", lambda: _check_proof(run, cred(), state["token"], resolver, loader, signer, memo_view()))
    step(KEY_BINDING, lambda: _check_key_binding(run, cred(), signer, resolver))
    if _status_list:
        step("validity", lambda: _check_validity(run, cred(), now))
    else:
        step("status", lambda: _check_status(run, cred(), status_fetcher, resolver, loader, now))
        step("recipient", lambda: _check_recipient(run, cred(), recipient))
    conformant = not run.failed()
    binding = signer.get("binding")
    verified = conformant and binding is not None and binding.bound
    return VerificationReport(verified, run.checks, state["credential"], state["format"], conformant, binding)


def _status_list_type(run, credential):
    if "BitstringStatusListCredential" not in _types(credential):
        raise _Failed("not a BitstringStatusListCredential")
    run.add("type", "pass", "BitstringStatusListCredential")
