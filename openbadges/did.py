"""DIDs and key discovery: did:key (offline), did:web, DID documents and
resolvers.

A resolver maps a DID or URL (without fragment) to a JSON document;
:func:`dereference` then picks a verification method out of it by id.
"""
from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Mapping, Protocol, runtime_checkable

from .keys import KeyMaterialError, PublicKey

__all__ = [
    "ResolutionError",
    "Resolver",
    "DidKeyResolver",
    "StaticResolver",
    "ChainResolver",
    "HttpsResolver",
    "default_resolver",
    "did_key",
    "did_key_document",
    "did_key_public_key",
    "did_web",
    "did_web_url",
    "did_document",
    "dereference",
    "public_key_of",
]

DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
_VM_RELATIONS = ("verificationMethod", "assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation")


class ResolutionError(LookupError):
    """A DID / key URL that cannot be resolved or dereferenced."""


@runtime_checkable
class Resolver(Protocol):
    def resolve(self, did_or_url: str) -> dict: ...


# -- did:key -------------------------------------------------------------------
def did_key(public_key: PublicKey) -> str:
    """``did:key:z6Mk...`` for an Ed25519 (or ``zDn...`` P-256) public key."""
    return "did:key:" + public_key.multikey


def did_key_public_key(did: str) -> PublicKey:
    if not isinstance(did, str) or not did.startswith("did:key:"):
        raise ResolutionError(f"not a did:key: {did!r}")
    try:
        return PublicKey.from_multikey(did[len("did:key:"):].split("#", 1)[0])
    except KeyMaterialError as exc:
        raise ResolutionError(f"invalid did:key: {exc}") from None


def did_document(did: str, public_keys, *, fragments=None) -> dict:
    """DID document listing Multikey verification methods (controller = ``did``),
    each usable for ``assertionMethod`` and ``authentication``."""
    methods = []
    for i, pk in enumerate(public_keys):
        frag = fragments[i] if fragments else pk.multikey
        methods.append({"id": f"{did}#{frag}", "type": "Multikey", "controller": did, "publicKeyMultibase": pk.multikey})
    ids = [m["id"] for m in methods]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": list(ids),
        "authentication": list(ids),
    }


def did_key_document(did: str) -> dict:
    """Offline resolution of a did:key to its DID document."""
    did = did.split("#", 1)[0]
    pk = did_key_public_key(did)
    doc = did_document(did, [pk], fragments=[did[len("did:key:"):]])
    doc["capabilityInvocation"] = list(doc["assertionMethod"])
    doc["capabilityDelegation"] = list(doc["assertionMethod"])
    return doc


# -- did:web -------------------------------------------------------------------
def did_web(url: str) -> str:
    """did:web identifier for an https URL (host[:port][/path])."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError("did:web needs an https URL with a host")
    host = parts.hostname + (f"%3A{parts.port}" if parts.port else "")
    path = [urllib.parse.quote(p, safe="") for p in parts.path.strip("/").split("/") if p]
    if path and path[-1] == "did.json":
        path = path[:-1]
    if path == [".well-known"]:
        path = []
    return ":".join(["did", "web", host, *path])


def did_web_url(did: str) -> str:
    """URL of the did.json document for a did:web."""
    if not isinstance(did, str) or not did.startswith("did:web:"):
        raise ResolutionError(f"not a did:web: {did!r}")
    segments = did.split("#", 1)[0][len("did:web:"):].split(":")
    if not segments[0]:
        raise ResolutionError("did:web without host")
    host = urllib.parse.unquote(segments[0])
    if "/" in host or "@" in host:
        raise ResolutionError("invalid did:web host")
    path = "/".join(urllib.parse.unquote(s) for s in segments[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


# -- resolvers -----------------------------------------------------------------
class DidKeyResolver:
    """Resolves did:key offline; refuses everything else."""

    def resolve(self, did_or_url: str) -> dict:
        return did_key_document(did_or_url)


class StaticResolver:
    """Fixed documents by id (issuer DID documents, JWKS, profiles...)."""

    def __init__(self, documents: Mapping[str, dict]):
        self._docs = dict(documents)

    def resolve(self, did_or_url: str) -> dict:
        try:
            return self._docs[did_or_url]
        except (KeyError, TypeError):
            raise ResolutionError(f"no document known for {did_or_url!r}") from None


class ChainResolver:
    """First resolver that can answer wins."""

    def __init__(self, *resolvers: Resolver):
        self._resolvers = resolvers

    def resolve(self, did_or_url: str) -> dict:
        errors = []
        for resolver in self._resolvers:
            try:
                return resolver.resolve(did_or_url)
            except ResolutionError as exc:
                errors.append(str(exc))
        raise ResolutionError(f"cannot resolve {did_or_url!r}: " + "; ".join(errors))


class HttpsResolver:
    """did:web and https URLs over the network (CLI use), with a timeout and a
    size cap; only https, only JSON."""

    def __init__(self, *, timeout: float = 5.0, max_bytes: int = 256 * 1024):
        self.timeout = timeout
        self.max_bytes = max_bytes

    def resolve(self, did_or_url: str) -> dict:
        url = did_web_url(did_or_url) if did_or_url.startswith("did:web:") else did_or_url
        if urllib.parse.urlsplit(url).scheme != "https":
            raise ResolutionError(f"refusing non-https URL {url!r}")
        request = urllib.request.Request(url, headers={"Accept": "application/did+json, application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (https only)
                body = response.read(self.max_bytes + 1)
        except OSError as exc:
            raise ResolutionError(f"fetching {url} failed: {exc}") from None
        if len(body) > self.max_bytes:
            raise ResolutionError(f"{url} is larger than {self.max_bytes} bytes")
        try:
            doc = json.loads(body)
        except ValueError:
            raise ResolutionError(f"{url} did not return JSON") from None
        if not isinstance(doc, dict):
            raise ResolutionError(f"{url} did not return a JSON object")
        return doc


def default_resolver() -> Resolver:
    return DidKeyResolver()


# -- dereferencing -------------------------------------------------------------
def dereference(resolver: Resolver, url: str) -> dict:
    """The object named by ``url`` (a DID URL / URL with fragment): a
    verification method inside the resolved document, or the document itself."""
    if not isinstance(url, str) or not url:
        raise ResolutionError("verification method must be a non-empty string")
    base, _, fragment = url.partition("#")
    try:
        doc = resolver.resolve(base)
    except ResolutionError:
        if not fragment:
            raise
        doc = resolver.resolve(url)  # a resolver may know the full key URL
    if not isinstance(doc, dict):
        raise ResolutionError(f"{base!r} did not resolve to a JSON object")
    if not fragment and url.startswith("did:key:"):
        # a bare did:key names its one key (1EdTech's fixtures use this form)
        methods = [m for m in doc.get("verificationMethod") or [] if isinstance(m, dict)]
        if len(methods) == 1:
            return dict(methods[0], controller=methods[0].get("controller", url))
    if not fragment or doc.get("id") == url:
        return doc
    for relation in _VM_RELATIONS:
        for method in doc.get(relation) or []:
            if isinstance(method, dict) and method.get("id") in (url, "#" + fragment):
                found = dict(method)
                found["id"] = url
                found.setdefault("controller", doc.get("id"))
                return found
    raise ResolutionError(f"verification method {url!r} not found in {base!r}")


def authorizes(controller_doc: dict, method_id: str, relation: str = "assertionMethod") -> bool:
    """Whether the controller document lists ``method_id`` under ``relation``."""
    fragment = "#" + method_id.partition("#")[2]
    for entry in controller_doc.get(relation) or []:
        ref = entry.get("id") if isinstance(entry, dict) else entry
        if ref in (method_id, fragment):
            return True
    return False


def public_key_of(method: dict) -> PublicKey:
    """Key of a Multikey / Ed25519VerificationKey2020 / JsonWebKey(2020) method."""
    if not isinstance(method, dict):
        raise ResolutionError("verification method is not an object")
    try:
        if "publicKeyMultibase" in method:
            return PublicKey.from_multikey(method["publicKeyMultibase"])
        if "publicKeyJwk" in method:
            return PublicKey.from_jwk(method["publicKeyJwk"])
        if "kty" in method:  # a bare JWK
            return PublicKey.from_jwk(method)
    except KeyMaterialError as exc:
        raise ResolutionError(f"unusable key in verification method: {exc}") from None
    raise ResolutionError("verification method has no publicKeyMultibase or publicKeyJwk")
