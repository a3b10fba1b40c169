"""Open Badges 2.0 node rules, as 1EdTech's validator applies them (its OB 2.0
``Assertion.validationMap``, ``ValidationRdfTypePropertyProbe`` and
``ExtensionProbe``, ported from the OB 2.0 reference validator):

- a node's class is the first ``type`` value naming an OB 2.0 class;
- every ``type`` value must be an RDF type: expanded with the OB 2.0 context
  it is an absolute IRI (a term of the context, a compact IRI, or a URL);
  ``UNKNOWN`` is not, ``http://example.com/CoolClass`` is;
- a node verified on its own that is none of Assertion, BadgeClass or Issuer
  (an AlignmentObject, Criteria...) must have its class's required properties;
- Extension nodes (OB 2.0 "Extensions"): each extension context lists, under
  ``obi:validation``, the type it validates and a JSON Schema; the node,
  compacted with that context, must pass the schema. Extension contexts and
  schemas not bundled are fetched through the resolver (the SSRF-guarded fetch
  in the service, local files in tests), as BadgeClasses are.
"""
from __future__ import annotations

import re

from jsonschema import Draft4Validator, FormatChecker
from pyld import jsonld as _pyld

from . import did
from .jsonld import DocumentLoader, default_loader

__all__ = ["NodeError", "fetch_document", "node_class", "check_rdf_types", "check_class_properties", "check_extensions"]

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
_OBI = "https://w3id.org/openbadges#"
_EXTENSION = _OBI + "Extension"
# OB 2.0 classes, in the order 1EdTech tries them
CLASSES = ("Assertion", "BadgeClass", "AlignmentObject", "Criteria", "CryptographicKey", "Endorsement",
           "EndorsementClaim", "Evidence", "ExpectedRecipientProfile", "Extension", "IdentityObject", "Image",
           "Issuer", "Profile", "RevocationList", "VerificationObject", "VerificationObjectAssertion",
           "VerificationObjectIssuer")
_URN_UUID = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
_URL = re.compile(r"^(https?|ftp|file|mailto|jar):\S+$", re.IGNORECASE)  # what java.net.URL accepts
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _text(v) -> bool:
    return isinstance(v, str)


def _url(v) -> bool:
    return isinstance(v, str) and bool(_URL.match(v))


def _iri(v) -> bool:
    return _url(v) or (isinstance(v, str) and (v.startswith("_:") or bool(_URN_UUID.match(v))))


def _data_uri_or_url(v) -> bool:
    return _url(v) or (isinstance(v, str) and v.lower().startswith("data:"))


def _boolean(v) -> bool:
    return isinstance(v, bool)


def _datetime(v) -> bool:
    return isinstance(v, str) and bool(_DATETIME.match(v))


# class -> (property, value test, required); the classes other than Assertion,
# BadgeClass and Issuer, whose own rules live in ob2.py
_RULES = {
    "AlignmentObject": (("targetName", _text, True), ("targetUrl", _url, True), ("description", _text, False),
                        ("targetFramework", _text, False), ("targetCode", _text, False)),
    "Criteria": (("id", _iri, False), ("narrative", _text, False)),
    "CryptographicKey": (("id", _iri, False), ("owner", _iri, False), ("publicKeyPem", _text, False)),
    "Endorsement": (("id", _iri, True), ("claim", lambda v: isinstance(v, dict) or _iri(v), True),
                    ("issuedOn", _datetime, True), ("issuer", lambda v: isinstance(v, dict) or _iri(v), True)),
    "EndorsementClaim": (("id", _iri, True), ("endorsementComment", _text, False)),
    "Evidence": (("id", _iri, False), ("narrative", _text, False), ("name", _text, False),
                 ("description", _text, False), ("genre", _text, False), ("audience", _text, False)),
    "IdentityObject": (("identity", _text, True), ("hashed", _boolean, True), ("salt", _text, False)),
    "Image": (("id", _data_uri_or_url, True), ("caption", _text, False), ("author", _iri, False)),
    "RevocationList": (("id", _iri, False),),
}


class NodeError(ValueError):
    """A node breaks an OB 2.0 rule; the message says which."""


def _types(node) -> list:
    t = node.get("type") if isinstance(node, dict) else None
    return t if isinstance(t, list) else [] if t is None else [t]


def node_class(node) -> str:
    """The first ``type`` value that names an OB 2.0 class, else ``Unknown``."""
    for value in _types(node):
        if isinstance(value, str) and value in CLASSES:
            return value
    return "Unknown"


def _expand_type(value: str, contexts: list, loader) -> str | None:
    try:
        expanded = _pyld.expand({"@context": contexts, "@type": value}, {"documentLoader": loader, "base": None})
    except Exception:  # a broken context or value: not an RDF type
        return None
    types = expanded[0].get("@type") if expanded else None
    return types[0] if isinstance(types, list) and types else None


def check_rdf_types(node: dict, *, loader: DocumentLoader | None = None) -> None:
    """Every ``type`` value expands, with the OB 2.0 context, to an absolute IRI."""
    loader = loader or default_loader()
    values = _types(node)
    if not values:
        raise NodeError("type is missing")
    for value in values:
        if not isinstance(value, str) or not value:
            raise NodeError(f"type value {value!r} is not a string")
        if not _iri(_expand_type(value, [OB2_CONTEXT], loader)):
            raise NodeError(f"type value {value!r} is not an RDF type: it names no OB 2.0 class and is not an IRI")


def check_class_properties(node: dict, kind: str) -> None:
    """The required properties, and their value types, of an OB 2.0 class."""
    if kind == "IdentityObject" and node.get("type") not in ("id", "email", "url", "telephone"):
        raise NodeError("an IdentityObject's type is one of id, email, url, telephone")
    for name, valid, required in _RULES.get(kind, ()):
        if name not in node:
            if required:
                raise NodeError(f"a {kind} requires {name}")
            continue
        values = node[name] if isinstance(node[name], list) else [node[name]]
        if not values or not all(valid(v) for v in values):
            raise NodeError(f"{kind}.{name} has a value of the wrong kind: {node[name]!r}")


def _extension_nodes(node, found: list, depth: int = 0) -> None:
    if depth > 20:
        return
    if isinstance(node, dict):
        if depth and any(t in ("Extension", "obi:Extension", _EXTENSION) for t in _types(node)):
            found.append(node)
        for key, value in node.items():
            if key != "@context":
                _extension_nodes(value, found, depth + 1)
    elif isinstance(node, list):
        for value in node:
            _extension_nodes(value, found, depth + 1)


def _context_urls(*nodes) -> list[str]:
    urls: list[str] = []
    for n in nodes:
        ctx = n.get("@context")
        for c in ctx if isinstance(ctx, list) else [ctx]:
            if isinstance(c, str) and c != OB2_CONTEXT and c not in urls:
                urls.append(c)
    return urls


def _get(value: dict, name: str):
    return value.get(f"obi:{name}", value.get(name))


def check_extensions(document: dict, *, resolver, loader: DocumentLoader | None = None) -> tuple[int, list[str]]:
    """Check every Extension node against the JSON Schema its extension context names.
    Returns the number of extension types checked and notes on the ones not run."""
    loader = loader or default_loader()
    nodes: list = []
    _extension_nodes(document, nodes)
    checked, notes = 0, []
    for node in nodes:
        urls = _context_urls(document, node)
        contexts = {}
        for url in urls:
            try:
                contexts[url] = loader(url)["document"] if url in loader else fetch_document(resolver, url)
            except (did.ResolutionError, LookupError) as exc:
                raise NodeError(f"cannot fetch the extension context {url}: {exc}") from None
        ext_loader = DocumentLoader({u: d for u, d in contexts.items() if isinstance(d, dict)})
        doc_contexts = document.get("@context")
        doc_contexts = doc_contexts if isinstance(doc_contexts, list) else [doc_contexts]
        own = node.get("@context")
        mini = dict(node)  # the node read with the document's contexts and its own
        mini["@context"] = [c for c in doc_contexts + (own if isinstance(own, list) else [own]) if c is not None]
        node_types = {_expand_type(t, mini["@context"], ext_loader) for t in _types(node) if isinstance(t, str)}
        node_types.discard(_EXTENSION)
        matched = 0
        for url, context_doc in contexts.items():
            for rule in _as_list(_get(context_doc, "validation") if isinstance(context_doc, dict) else None):
                validates, schema_url = _get(rule, "validatesType"), _get(rule, "validationSchema")
                if not isinstance(validates, str) or not isinstance(schema_url, str):
                    continue
                if _expand_type(validates.strip(), [OB2_CONTEXT, url], ext_loader) not in node_types:
                    continue
                matched += 1
                note = _check_schema(mini, url, schema_url.strip(), validates, resolver, ext_loader)
                if note:
                    notes.append(note)
        if not matched:
            raise NodeError(f"could not determine the extension type to test for {_types(node)}: no extension "
                            "context names a validation schema for it")
        checked += matched
    return checked - len(notes), notes


def fetch_document(resolver, url: str) -> dict:
    """A document an OB 2.0 badge names (its BadgeClass, Issuer, key, revocation
    list, the hosted assertion, extension contexts and schemas). OB 2.0 ids are
    http or https IRIs: a resolver that offers ``resolve_document`` (the
    service's, which still guards every fetch) is asked through it, so that
    plain http is allowed here and only here; otherwise ``resolve``."""
    return getattr(resolver, "resolve_document", resolver.resolve)(url)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _untrusted_keywords(schema, depth: int = 0) -> set[str]:
    """Keywords we do not run from a schema another site wrote: regular expressions
    (Python's re can backtrack for ever) and references (they would fetch more)."""
    found: set[str] = set()
    if depth > 50:
        return {"nesting"}
    if isinstance(schema, dict):
        found |= {k for k in ("pattern", "patternProperties", "$ref") if k in schema}
        for value in schema.values():
            found |= _untrusted_keywords(value, depth + 1)
    elif isinstance(schema, list):
        for value in schema:
            found |= _untrusted_keywords(value, depth + 1)
    return found


def _check_schema(node: dict, context_url: str, schema_url: str, ext_type: str, resolver, loader) -> str | None:
    """Raise NodeError if the extension fails its schema; a note if the schema was not run."""
    try:
        schema = fetch_document(resolver, schema_url)
    except did.ResolutionError as exc:
        raise NodeError(f"cannot fetch the JSON Schema {schema_url} of {ext_type}: {exc}") from None
    untrusted = _untrusted_keywords(schema)
    if untrusted:
        return (f"the {ext_type} extension's schema {schema_url} uses {', '.join(sorted(untrusted))}, which this "
                "verifier does not run from another site's schema; not checked")
    try:
        compacted = _pyld.compact(node, {"@context": [OB2_CONTEXT, context_url]},
                                   {"documentLoader": loader, "base": None})
    except Exception as exc:
        raise NodeError(f"the {ext_type} extension cannot be read with its context: {exc}") from None
    compacted.pop("@context", None)
    errors = sorted(Draft4Validator(schema, format_checker=FormatChecker()).iter_errors(compacted),
                    key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "(node)"
        raise NodeError(f"the {ext_type} extension does not match its schema {schema_url}: {where}: "
                        f"{errors[0].message}")
    return None
