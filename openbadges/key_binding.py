"""Is the signing key the issuer's? A valid signature only proves that *some*
key signed; a credential may name any issuer, so the key must be shown to
belong to the issuer it names before anyone reads it as that issuer's.

A key is bound to an issuer only when it comes from the issuer itself:

- ``did:key`` issuer: the key *is* the DID;
- any other DID issuer: the key is a verification method of the issuer's DID
  document (resolved through the injected resolver), authorized for
  ``assertionMethod`` when the document says which keys are;
- ``did:web`` or https issuer: the key is published at the ``kid`` /
  verification-method URL under the issuer's own https origin (for a did:web
  with a path, under that path), and does not name another controller.

A key carried inside the credential (a VC-JWT ``jwk`` header) is never
evidence by itself: it is bound only if it equals a key found one of those ways.
"""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from functools import lru_cache


from . import did
from .keys import KeyMaterialError, PublicKey

__all__ = ["KeyBinding", "bind", "issuer_scope"]

_RELATIONS = ("verificationMethod", "assertionMethod", "authentication", "capabilityInvocation",
              "capabilityDelegation")


@dataclass(frozen=True)
class KeyBinding:
    bound: bool
    how: str  # 'did:key' | 'did-document' | 'issuer-origin' | 'unbound'
    detail: str

    def to_dict(self) -> dict:
        return {"bound": self.bound, "how": self.how, "detail": self.detail}


def _unbound(detail: str) -> KeyBinding:
    return KeyBinding(False, "unbound", detail)


def _fingerprint(key: PublicKey) -> bytes:
    return key.spki  # kept on the key: the same issuer keys are bound again and again


@lru_cache(maxsize=1024)
def _did_key_fingerprint(issuer_id: str) -> bytes:
    return _fingerprint(did.did_key_public_key(issuer_id))


def _key_of(method) -> PublicKey | None:
    try:
        return did.public_key_of(method)
    except (did.ResolutionError, KeyMaterialError, TypeError, ValueError):
        return None


def issuer_scope(issuer_id: str) -> tuple[str, str] | None:
    """(https origin, path prefix) under which the issuer publishes its own keys,
    or None for issuers with no https home (did:key, other DID methods)."""
    if issuer_id.startswith("did:web:"):
        try:
            url = did.did_web_url(issuer_id)
        except did.ResolutionError:
            return None
        parts = urllib.parse.urlsplit(url)
        path = parts.path.rsplit("/", 1)[0]  # drop did.json
        prefix = "/" if path in ("", "/.well-known") else path + "/"
        return f"https://{parts.netloc.lower()}", prefix
    parts = urllib.parse.urlsplit(issuer_id)
    if parts.scheme.lower() != "https" or not parts.hostname or parts.username or parts.password:
        return None
    return f"https://{parts.netloc.lower()}", "/"


def _in_scope(reference: str, scope: tuple[str, str]) -> bool:
    try:
        parts = urllib.parse.urlsplit(reference)
    except ValueError:
        return False
    if parts.scheme.lower() != "https" or parts.username or parts.password:
        return False
    origin, prefix = scope
    path = urllib.parse.unquote(parts.path) or "/"
    if "/../" in path + "/" or "/./" in path + "/":
        return False
    return f"https://{parts.netloc.lower()}" == origin and (path + "/").startswith(prefix)


def _methods(doc: dict, base: str):
    """Every verification method object in a DID/controller document, ids made absolute."""
    for relation in _RELATIONS:
        entries = doc.get(relation)
        for method in entries if isinstance(entries, list) else []:
            if isinstance(method, dict) and isinstance(method.get("id"), str):
                mid = method["id"]
                yield dict(method, id=base + mid if mid.startswith("#") else mid)


def _authorized(doc: dict, base: str) -> set[str] | None:
    entries = doc.get("assertionMethod")
    if entries is None:
        return None
    out = set()
    for entry in entries if isinstance(entries, list) else []:
        ref = entry.get("id") if isinstance(entry, dict) else entry
        if isinstance(ref, str):
            out.add(base + ref if ref.startswith("#") else ref)
    return out


def _from_did_document(issuer_id: str, reference: str | None, fingerprint: bytes, resolver) -> KeyBinding:
    try:
        doc = resolver.resolve(issuer_id)
    except did.ResolutionError as exc:
        return _unbound(f"the issuer's DID document cannot be resolved: {exc}")
    if not isinstance(doc, dict) or doc.get("id") != issuer_id:
        return _unbound(f"the document resolved for {issuer_id} is not its DID document")
    authorized = _authorized(doc, issuer_id)
    names_issuer_method = isinstance(reference, str) and reference.startswith(issuer_id + "#")
    for method in _methods(doc, issuer_id):
        if names_issuer_method and method["id"] != reference:
            continue
        if method.get("controller", issuer_id) != issuer_id:
            continue
        key = _key_of(method)
        if key is None or _fingerprint(key) != fingerprint:
            continue
        if authorized is not None and method["id"] not in authorized:
            return _unbound(f"{method['id']} is in the issuer's DID document but not authorized for assertionMethod")
        return KeyBinding(True, "did-document", f"key {method['id']} is listed in the issuer's DID document")
    if names_issuer_method:
        return _unbound(f"the issuer's DID document has no key {reference} matching the signature key")
    return _unbound("the signing key is not among the keys of the issuer's DID document")


def _published_keys(reference: str, resolver):
    """(key, declared controller or None) published at a key URL: a verification
    method, a bare JWK, a JWKS entry, or a method inside a controller document."""
    try:
        doc = resolver.resolve(reference)
    except did.ResolutionError:
        doc = None
    base, _, fragment = reference.partition("#")
    if doc is None and fragment:
        try:
            doc = resolver.resolve(base)
        except did.ResolutionError:
            return
    if not isinstance(doc, dict):
        return
    if isinstance(doc.get("keys"), list):  # a JWKS: the entry named by kid (or its only entry)
        entries = [k for k in doc["keys"] if isinstance(k, dict)]
        named = [k for k in entries if k.get("kid") in (reference, fragment or None)]
        for entry in named or (entries if len(entries) == 1 else []):
            key = _key_of({k: v for k, v in entry.items() if k not in ("kid", "use", "alg", "key_ops")})
            if key is not None:
                yield key, None
        return
    if fragment and doc.get("id") != reference:
        for method in _methods(doc, base):
            if method["id"] == reference:
                key = _key_of(method)
                if key is not None:
                    yield key, method.get("controller", doc.get("id"))
        return
    key = _key_of(doc)
    if key is not None:
        yield key, doc.get("controller")


def _from_issuer_origin(issuer_id: str, reference: str, fingerprint: bytes, resolver) -> KeyBinding | None:
    scope = issuer_scope(issuer_id)
    if scope is None or not isinstance(reference, str) or not _in_scope(reference, scope):
        return None
    for key, controller in _published_keys(reference, resolver):
        if _fingerprint(key) != fingerprint:
            continue
        if controller is not None and controller != issuer_id:
            return _unbound(f"the key at {reference} is published for {controller}, not for {issuer_id}")
        return KeyBinding(True, "issuer-origin", f"key published by the issuer at {reference}")
    return _unbound(f"no key matching the signature is published at {reference}")


def bind(issuer_id, reference: str | None, key: PublicKey, resolver=None) -> KeyBinding:
    """How (and whether) ``key``, named ``reference`` (verification method id or
    JWT ``kid``; None for a bare ``jwk`` header), belongs to ``issuer_id``."""
    if not isinstance(issuer_id, str) or not issuer_id:
        return _unbound("the credential names no issuer id")
    if not isinstance(key, PublicKey):
        return _unbound("no signing key")
    resolver = resolver or did.default_resolver()
    fingerprint = _fingerprint(key)
    if issuer_id.startswith("did:key:"):
        try:
            issuer_fingerprint = _did_key_fingerprint(issuer_id)
        except did.ResolutionError as exc:
            return _unbound(f"the issuer's did:key is not valid: {exc}")
        if issuer_fingerprint == fingerprint:
            return KeyBinding(True, "did:key", "the signing key is the issuer's did:key")
        return _unbound("the signing key is not the issuer's did:key")
    reasons = []
    if issuer_id.startswith("did:"):
        found = _from_did_document(issuer_id, reference, fingerprint, resolver)
        if found.bound:
            return found
        reasons.append(found.detail)
    at_origin = _from_issuer_origin(issuer_id, reference, fingerprint, resolver) if reference else None
    if at_origin is not None:
        if at_origin.bound:
            return at_origin
        reasons.append(at_origin.detail)
    elif issuer_scope(issuer_id) is not None:
        reasons.append(f"the key reference {reference!r} is not under the issuer's own address"
                       if reference else "the key is only embedded in the credential (jwk header), "
                                         "not published by the issuer")
    return _unbound("; ".join(reasons) or f"no way to tie a key to the issuer {issuer_id}")
