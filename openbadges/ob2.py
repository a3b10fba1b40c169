"""Open Badges 2.0 assertions (hosted and signed), as colleges still receive
them from Badgr and Credly: https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html

Verification ("Verifying Open Badges", OB 2.0 section "Verification"):
- the BadgeClass and the Issuer Profile are fetched by their ids (through the
  injected resolver: our guarded fetch in the service, local files in tests);
- hosted: the assertion id must lie within the issuer's allowed origins
  (``verification.allowedOrigins`` / ``startsWith``, else the issuer id's
  host); its issuer is proven only when the copy served at that id is this one;
- signed: a JWS (RS256) by the ``CryptographicKey`` named in
  ``verification.creator``, whose ``owner`` is the issuer and which the issuer
  Profile lists in ``publicKey``; revocation through ``revocationList``;
- dates: not issued in the future, not expired; recipient: the hashed identity.

Each step adds one check to the caller's run and raises :class:`Failed`.
"""
from __future__ import annotations

import hashlib
import hmac
import urllib.parse
from datetime import datetime

from cryptography.hazmat.primitives.serialization import load_pem_public_key

from . import did, ob2_nodes
from .key_binding import KeyBinding
from .keys import KeyMaterialError, PublicKey

__all__ = ["CONTEXTS", "Failed", "display_view", "is_ob2", "run_checks"]

CONTEXTS = ("https://w3id.org/openbadges/v2", "https://openbadgespec.org/v2/context.json")
_TYPES = ("Assertion", "BadgeClass", "Issuer", "Profile")


class Failed(Exception):
    """One OB 2.0 check failed; the message says why."""


def _ob2_context(ctx) -> bool:
    # the context by URL, or embedded whole (its "obi" prefix names the OB vocabulary)
    return ctx in CONTEXTS if isinstance(ctx, str) else \
        isinstance(ctx, dict) and ctx.get("obi") == "https://w3id.org/openbadges#"


def is_ob2(document) -> bool:
    if not isinstance(document, dict):
        return False
    ctx = document.get("@context")
    ctxs = ctx if isinstance(ctx, list) else [ctx]
    return any(_ob2_context(c) for c in ctxs) or (
        "@context" in document and not any(isinstance(c, str) and "credentials" in c for c in ctxs)
        and _first_type(document) in _TYPES)


def _first_type(node):
    t = node.get("type") if isinstance(node, dict) else None
    t = t[0] if isinstance(t, list) and t else t
    return t.rsplit(":", 1)[-1] if isinstance(t, str) else None


def _as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _fetch(resolver, ref, what: str, notes: list | None = None) -> dict:
    if isinstance(ref, dict):  # embedded
        return ref
    if not isinstance(ref, str) or not ref:
        raise Failed(f"{what} is neither an embedded object nor a URL")
    try:
        doc = ob2_nodes.fetch_document(resolver, ref)
    except did.ResolutionError as exc:
        raise Failed(f"cannot fetch the {what} at {ref}: {exc}") from None
    if not isinstance(doc, dict):
        raise Failed(f"the {what} at {ref} is not a JSON object")
    if notes is not None and isinstance(doc.get("id"), str) and doc["id"] != ref:
        notes.append(f"the {what} fetched from {ref} gives its id as {doc['id']} (redirected)")
    return doc


def _time(value, name: str) -> datetime:
    if not isinstance(value, str):
        raise Failed(f"{name} is missing or not a string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Failed(f"{name} {value!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise Failed(f"{name} {value!r} has no time zone")
    return moment


def _origin(url: str) -> str | None:
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return None
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}" if parts.scheme and parts.netloc else None


def run_checks(run, step, document, token: str | None, *, resolver, status_fetcher, now, recipient,
               loader=None):
    """Add the OB 2.0 checks to ``run`` through ``step(name, fn)``; returns the KeyBinding and the
    documents fetched on the way (``badge``: the BadgeClass, ``issuer``: the Issuer Profile)."""
    state: dict = {"binding": None}

    def context():
        if not any(_ob2_context(c) for c in _as_list(document.get("@context"))):
            raise Failed(f"@context must be the Open Badges 2.0 context ({CONTEXTS[0]})")
        run.add("context", "pass", "Open Badges 2.0 context")

    def type_():
        kind = _first_type(document)
        try:
            ob2_nodes.check_rdf_types(document, loader=loader)
            if kind not in _TYPES:  # another OB 2.0 class (or an unknown one named by IRI), checked on its own
                kind = ob2_nodes.node_class(document)
                ob2_nodes.check_class_properties(document, kind)
        except ob2_nodes.NodeError as exc:
            raise Failed(str(exc)) from None
        state["kind"] = kind
        run.add("type", "pass", f"Open Badges 2.0 {kind}" if kind in _TYPES else
                f"an Open Badges 2.0 {kind if kind != 'Unknown' else 'node of type ' + repr(document.get('type'))}, "
                "not a badge: nothing to verify beyond its shape")

    def issuer():
        kind, notes = state["kind"], list[str]()
        if kind not in _TYPES:
            run.add("issuer", "skipped", f"a {kind} node names no issuer")
            return
        if kind in ("Issuer", "Profile"):
            state["issuer"] = document
        else:
            badge = document if kind == "BadgeClass" else _fetch(resolver, document.get("badge"), "BadgeClass", notes)
            if _first_type(badge) != "BadgeClass":
                raise Failed("the badge is not a BadgeClass")
            state["badge"] = badge
            state["issuer"] = _fetch(resolver, badge.get("issuer"), "issuer Profile", notes)
        profile = state["issuer"]
        if _first_type(profile) not in ("Issuer", "Profile"):
            raise Failed(f"the issuer is not an Issuer Profile (type {profile.get('type')!r})")
        if kind == "Assertion" and isinstance(document.get("image"), str) and document["image"].startswith("data:"):
            raise Failed("an Assertion's image must be a URL (a data URI is for a BadgeClass)")
        issuer_id = profile.get("id")
        if isinstance(issuer_id, str) and not issuer_id.startswith("https://"):
            notes.append(f"issuer id {issuer_id!r} is not an https URL")
        if notes:
            run.add("issuer", "warning", "; ".join(notes))
        else:
            run.add("issuer", "pass", f"issued by {profile.get('name') or issuer_id}")

    def validity():
        if state["kind"] != "Assertion":
            run.add("validity", "skipped", f"a {state['kind']} has no dates")
            return
        issued = _time(document.get("issuedOn"), "issuedOn")
        if issued > now:
            raise Failed(f"issued in the future ({document['issuedOn']})")
        if document.get("expires") is not None:
            expires = _time(document["expires"], "expires")
            if expires < issued:
                raise Failed("expires before it was issued")
            if expires < now:
                raise Failed(f"expired at {document['expires']}")
        run.add("validity", "pass", f"valid at {now.isoformat()}")

    def extensions():
        try:
            count, notes = ob2_nodes.check_extensions(document, resolver=resolver, loader=loader)
        except ob2_nodes.NodeError as exc:
            raise Failed(str(exc)) from None
        if notes:
            run.add("schema", "warning", "; ".join(notes))
        else:
            run.add("schema", "pass" if count else "skipped",
                    f"{count} extension(s) match their schemas" if count else "no extensions")

    def proof():
        if state["kind"] != "Assertion":
            run.add("proof", "skipped", f"a {state['kind']} carries no verification")
            return
        verification = document.get("verification") if isinstance(document.get("verification"), dict) else {}
        vtype = (_first_type(verification) or "").lower().replace("badge", "")
        if token is not None or vtype == "signed":
            _signed(verification)
        elif vtype == "hosted":
            _hosted()
        else:
            raise Failed("verification.type must be hosted or signed")

    def _signed(verification):
        if token is None:
            raise Failed("a signed assertion must be given as its JWS")
        from . import jwt as vcjwt

        header, _payload, signing_input, signature = vcjwt.decode_unverified(token)
        if header.get("alg") != "RS256":
            raise Failed(f"signed OB 2.0 assertions use RS256, got {header.get('alg')!r}")
        creator = verification.get("creator")
        key_doc = _fetch(resolver, creator, "signing key")
        if _first_type(key_doc) != "CryptographicKey" or not isinstance(key_doc.get("publicKeyPem"), str):
            raise Failed(f"{creator} is not a CryptographicKey with a publicKeyPem")
        try:
            key = PublicKey(load_pem_public_key(key_doc["publicKeyPem"].encode()))
            if key.alg != "RS256":
                raise KeyMaterialError("not an RSA key")
        except (ValueError, KeyMaterialError) as exc:
            raise Failed(f"the key at {creator} is unusable: {exc}") from None
        if not key.verify(signature, signing_input):
            raise Failed("JWS signature does not verify")
        issuer_id = state["issuer"].get("id")
        if key_doc.get("owner") != issuer_id:
            raise Failed(f"the key's owner {key_doc.get('owner')!r} is not the issuer {issuer_id!r}")
        listed = creator in [k.get("id") if isinstance(k, dict) else k
                             for k in _as_list(state["issuer"].get("publicKey"))]
        state["binding"] = KeyBinding(True, "issuer-publicKey", f"key {creator} is owned and published by the issuer") \
            if listed else KeyBinding(False, "unbound", f"the issuer Profile does not list {creator} in publicKey")
        run.add("proof", "pass", f"RS256 JWS signature verified with {creator}")

    def _hosted():
        assertion_id = document.get("id")
        if not isinstance(assertion_id, str) or _origin(assertion_id) is None:
            raise Failed("a hosted assertion's id must be its http(s) URL")
        profile = state["issuer"]
        rules = profile.get("verification") if isinstance(profile.get("verification"), dict) else {}
        starts = [s for s in _as_list(rules.get("startsWith")) if isinstance(s, str)]
        origins = [o for o in _as_list(rules.get("allowedOrigins")) if isinstance(o, str)]
        if starts:
            if not any(assertion_id.startswith(s) for s in starts):
                raise Failed(f"assertion id {assertion_id} does not start with the issuer's {starts}")
        elif origins:
            host = urllib.parse.urlsplit(assertion_id).netloc.lower()
            if host not in [o.lower() for o in origins]:
                raise Failed(f"assertion id {assertion_id} is not on the issuer's allowed origins {origins}")
        elif _origin(str(profile.get("id"))) is not None and \
                urllib.parse.urlsplit(assertion_id).hostname != urllib.parse.urlsplit(str(profile.get("id"))).hostname:
            raise Failed(f"assertion id {assertion_id} is not on the issuer's host")
        # the issuer is proven only by the copy served at the id being this one
        try:
            served = ob2_nodes.fetch_document(resolver, assertion_id)
        except did.ResolutionError as exc:
            state["binding"] = KeyBinding(False, "unbound", f"the hosted assertion could not be fetched from "
                                                            f"{assertion_id}: {exc}")
        else:
            same = {k: v for k, v in served.items() if k != "@context"} == \
                   {k: v for k, v in document.items() if k != "@context"} if isinstance(served, dict) else False
            state["served"] = served if same else None
            state["binding"] = KeyBinding(True, "hosted", f"served by the issuer at {assertion_id}") if same else \
                KeyBinding(False, "unbound", f"the assertion served at {assertion_id} differs from this one")
        run.add("proof", "pass", f"hosted assertion at {assertion_id}, within the issuer's origins")

    def key_binding():
        binding = state["binding"]
        if binding is None:
            run.add("key_binding", "skipped", "nothing was signed or hosted")
        elif not binding.bound:
            raise Failed(f"signature valid, issuer not proven: {binding.detail}")
        else:
            run.add("key_binding", "pass", f"issuer proven ({binding.how}): {binding.detail}")

    def status():
        if state["kind"] != "Assertion":
            run.add("status", "skipped", "not an assertion")
            return
        if document.get("revoked") is True or (state.get("served") or {}).get("revoked") is True:
            raise Failed("the assertion is revoked" + (f": {document['revocationReason']}"
                                                       if document.get("revocationReason") else ""))
        listing_ref = state["issuer"].get("revocationList")
        if listing_ref is None:
            run.add("status", "pass" if token is None else "skipped", "no revocation list" if token else "not revoked")
            return
        listing = _fetch(resolver, listing_ref, "revocation list")
        for item in _as_list(listing.get("revokedAssertions")):
            rid = item.get("id") if isinstance(item, dict) else item
            if rid == document.get("id") or (isinstance(item, dict) and item.get("uid") == document.get("uid")
                                             and document.get("uid")):
                reason = item.get("revocationReason") if isinstance(item, dict) else None
                raise Failed("the assertion is revoked" + (f": {reason}" if reason else ""))
        run.add("status", "pass", "not on the issuer's revocation list")

    def recipient_check():
        if recipient is None or state["kind"] != "Assertion":
            run.add("recipient", "skipped", "no expected recipient given")
            return
        r = document.get("recipient") if isinstance(document.get("recipient"), dict) else {}
        identity, salt = r.get("identity"), r.get("salt") or ""
        candidate = recipient.strip().lower() if r.get("type", "email") == "email" else recipient.strip()
        if not isinstance(identity, str) or not isinstance(salt, str):
            raise Failed("recipient identity is missing")
        if r.get("hashed"):
            algorithm, _, expected = identity.partition("$")
            if algorithm.lower() not in ("sha256", "md5"):
                raise Failed(f"unsupported recipient hash {algorithm!r}")
            actual = hashlib.new(algorithm.lower(), (candidate + salt).encode()).hexdigest()
            ok = hmac.compare_digest(actual, expected.lower())
        else:
            ok = hmac.compare_digest(identity.strip().lower().encode(), candidate.lower().encode())
        if not ok:
            raise Failed("the assertion is not about the expected recipient")
        run.add("recipient", "pass", "recipient identity matches")

    for name, fn in (("context", context), ("type", type_), ("issuer", issuer), ("validity", validity),
                     ("schema", extensions), ("proof", proof), ("key_binding", key_binding), ("status", status),
                     ("recipient", recipient_check)):
        step(name, fn)
    return state["binding"], {k: state[k] for k in ("badge", "issuer") if isinstance(state.get(k), dict)}


def display_view(assertion: dict, documents: dict) -> dict:
    """The assertion with its BadgeClass and Issuer, shaped like an OB 3.0
    credential, for a report or page to name the badge, its issuer and the
    recipient the same way for both versions. Display only: never verified."""
    badge = documents.get("badge") or (assertion.get("badge") if isinstance(assertion.get("badge"), dict) else {})
    recipient = assertion.get("recipient") if isinstance(assertion.get("recipient"), dict) else {}
    identifier = [{"identityType": recipient.get("type", "email"), "hashed": recipient.get("hashed") is True,
                   "identityHash": recipient.get("identity")}] if recipient else []
    return {
        "id": assertion.get("id"),
        "issuer": documents.get("issuer") or {},
        "validFrom": assertion.get("issuedOn"), "validUntil": assertion.get("expires"),
        "image": assertion.get("image"),
        "credentialSubject": {"achievement": badge, "identifier": identifier},
    }
