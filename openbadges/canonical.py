"""RDFC-1.0 (URDNA2015) canonicalization to N-Quads.

Two paths that must always agree (tests cross-check them):

* :func:`canonicalize_generic` - pyld ``normalize`` with the offline loader.
* :func:`canonicalize` - the fast path. JSON-LD expansion depends on a
  document's *shape* (keys, ``type`` values, contexts, non-string scalars),
  not on the string values it carries, as long as every string that lands in
  an IRI position is an absolute IRI that no context term rewrites. So the
  shape is expanded once with pyld (strings replaced by unique placeholders),
  remembered as a quad template, and later documents of the same shape only
  substitute their strings and run RDFC-1.0 labeling (first-degree hashes;
  the full algorithm is delegated to pyld when blank nodes tie). Anything the
  template cannot prove safe falls back to the generic path.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import weakref
from collections import OrderedDict

from cachetools import LRUCache
from pyld import jsonld as _pyld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver
from pyld.nquads import escape as _escape

from .jsonld import ContextNotAvailable, DocumentLoader, default_loader

__all__ = ["CanonicalizationError", "UndefinedTermError", "canonicalize", "canonicalize_generic"]

_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# pyld's own absolute-IRI test: strings failing it are dropped by toRDF.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
# Keys whose values steer expansion itself; they stay part of the shape.
_SHAPE_KEYS = frozenset(
    {"@context", "type", "@type", "@language", "@direction", "@index", "@base", "@vocab", "@container", "@nest", "@reverse", "@list", "@set", "@graph", "@included", "@json"}
)
_MARK = f"urn:x-obph-{secrets.token_hex(6)}:"
_MARK_RE = re.compile(re.escape(_MARK) + r"(\d+)\Z")
_TEMPLATES_PER_LOADER = 256


class CanonicalizationError(ValueError):
    """The document cannot be expanded / canonicalized (bad JSON-LD, unknown context...)."""


# --------------------------------------------------------------------------
# generic path (pyld)
# --------------------------------------------------------------------------
_resolver_caches: "weakref.WeakKeyDictionary[DocumentLoader, LRUCache]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _options(loader: DocumentLoader) -> dict:
    with _lock:
        cache = _resolver_caches.get(loader)
        if cache is None:
            cache = _resolver_caches[loader] = LRUCache(maxsize=128)
    # A fresh resolver per call keeps per-operation state bounded, while the
    # resolved (and processed) contexts live on in the per-loader LRU cache.
    return {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": loader,
        "contextResolver": ContextResolver(cache, loader),
        "base": "",
    }


def _explain(exc: BaseException) -> str:
    cur, parts = exc, []
    while cur is not None and len(parts) < 6:
        if isinstance(cur, (ContextNotAvailable, UndefinedTermError)):
            return str(cur)
        msg = cur.args[0] if cur.args and isinstance(cur.args[0], str) else str(cur).split("\n")[0]
        if msg and msg not in parts:
            parts.append(msg)
        details = getattr(cur, "details", None)
        inner = details.get("cause") if isinstance(details, dict) else None
        cur = inner if isinstance(inner, BaseException) else cur.__cause__
    return ": ".join(parts) or type(exc).__name__


class UndefinedTermError(CanonicalizationError):
    """A property the @context does not define: JSON-LD would silently drop it,
    so it would not be covered by a signature ("safe mode", as Digital Bazaar)."""


def _refuse_dropped(expanded_property):
    raise UndefinedTermError(
        f"property {expanded_property!r} is not defined by the document's @context; it would not be signed"
    )


def _processor():
    return _pyld.JsonLdProcessor(on_property_dropped=_refuse_dropped)


def _to_dataset(document, loader: DocumentLoader) -> dict:
    opts = _options(loader)
    opts.pop("format")
    opts["produceGeneralizedRdf"] = False
    try:
        return _processor().to_rdf(document, opts)
    except Exception as exc:  # pyld raises many types on hostile input
        raise CanonicalizationError(f"JSON-LD expansion failed: {_explain(exc)}") from exc


def canonicalize_generic(document, *, loader: DocumentLoader | None = None) -> str:
    """RDFC-1.0 canonical N-Quads via pyld, no shortcuts."""
    loader = loader or default_loader()
    if not isinstance(document, dict):
        raise CanonicalizationError("document must be a JSON object")
    try:
        return _processor().normalize(document, _options(loader))
    except Exception as exc:
        cause = exc
        while cause is not None and not isinstance(cause, UndefinedTermError):
            details = getattr(cause, "details", None)
            inner = details.get("cause") if isinstance(details, dict) else None
            cause = inner if isinstance(inner, BaseException) else cause.__cause__
        if cause is not None:
            raise UndefinedTermError(str(cause)) from exc
        raise CanonicalizationError(f"canonicalization failed: {_explain(exc)}") from exc


# --------------------------------------------------------------------------
# fast path
# --------------------------------------------------------------------------
class _Fallback(Exception):
    pass


def _skeleton(value, strings: list, keep: frozenset = frozenset()):
    """Copy of ``value`` with string values swapped for placeholders numbered by
    their position; strings whose position is in ``keep`` stay verbatim (shape)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str) or _MARK in key:
                raise _Fallback
            if key in _SHAPE_KEYS:
                _check_no_mark(item)
                out[key] = item
            else:
                out[key] = _skeleton(item, strings, keep)
        return out
    if isinstance(value, list):
        return [_skeleton(item, strings, keep) for item in value]
    if isinstance(value, str):
        if _MARK in value:
            raise _Fallback
        strings.append(value)
        index = len(strings) - 1
        return value if index in keep else _MARK + str(index)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    raise _Fallback


def _check_no_mark(value):
    if isinstance(value, str):
        if _MARK in value:
            raise _Fallback
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_no_mark(k)
            _check_no_mark(v)
    elif isinstance(value, list):
        for v in value:
            _check_no_mark(v)


def _context_terms(node, loader: DocumentLoader, seen: set, terms: set):
    """Every key of every context reachable from ``node`` (a conservative
    superset of the terms/prefixes that could rewrite an IRI)."""
    if isinstance(node, str):
        if node in seen:
            return
        seen.add(node)
        try:
            doc = loader(node)["document"]
        except ContextNotAvailable:
            return
        _context_terms(doc, loader, seen, terms)
    elif isinstance(node, dict):
        for key, value in node.items():
            terms.add(key)
            if isinstance(value, (dict, list)) or key == "@context":
                _context_terms(value, loader, seen, terms)
    elif isinstance(node, list):
        for item in node:
            _context_terms(item, loader, seen, terms)


def _collect_contexts(node, out: list):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                out.append(value)
            elif isinstance(value, (dict, list)):
                _collect_contexts(value, out)
    elif isinstance(node, list):
        for item in node:
            _collect_contexts(item, out)


class _Template:
    """Quads of a shape; a term is ('I'|'B'|'L', value, datatype, language)
    where value is a str or an int placeholder index."""

    __slots__ = ("quads", "iri_slots", "terms")

    def __init__(self, quads, iri_slots, terms):
        self.quads = quads
        self.iri_slots = iri_slots
        self.terms = terms


def _template_term(component, kind_for_iri_ok: bool, iri_slots: set):
    ctype = component["type"]
    value = component["value"]
    kind = {"IRI": "I", "blank node": "B", "literal": "L"}[ctype]
    datatype = component.get("datatype") if kind == "L" else None
    language = component.get("language") if kind == "L" else None
    for extra in (datatype, language):
        if extra and _MARK in extra:
            raise _Fallback
    if _MARK in value:
        match = _MARK_RE.fullmatch(value)
        if match is None or not kind_for_iri_ok and kind == "I":
            raise _Fallback  # placeholder embedded in a larger value (e.g. @json)
        index = int(match.group(1))
        if kind == "I":
            iri_slots.add(index)
        elif kind == "B":
            raise _Fallback
        value = index
    return (kind, value, datatype, language)


def _build_template(skeleton: dict, loader: DocumentLoader) -> _Template | None:
    try:
        dataset = _to_dataset(skeleton, loader)
    except CanonicalizationError:
        return None
    iri_slots: set = set()
    quads = []
    try:
        for graph, triples in dataset.items():
            if graph == "@default":
                g = None
            else:
                g = _template_term(
                    {"type": "blank node" if graph.startswith("_:") else "IRI", "value": graph}, True, iri_slots
                )
            for t in triples:
                if _MARK in t["predicate"]["value"]:
                    return None
                quads.append(
                    (
                        _template_term(t["subject"], True, iri_slots),
                        ("I", t["predicate"]["value"], None, None),
                        _template_term(t["object"], True, iri_slots),
                        g,
                    )
                )
    except _Fallback:
        return None
    contexts: list = []
    _collect_contexts(skeleton, contexts)
    terms: set = set()
    _context_terms(contexts, loader, set(), terms)
    return _Template(tuple(quads), frozenset(iri_slots), frozenset(terms))


_templates: "weakref.WeakKeyDictionary[DocumentLoader, OrderedDict]" = weakref.WeakKeyDictionary()


def _template_for(shape_key: str, skeleton: dict, loader: DocumentLoader):
    with _lock:
        per_loader = _templates.get(loader)
        if per_loader is None:
            per_loader = _templates[loader] = OrderedDict()
        if shape_key in per_loader:
            per_loader.move_to_end(shape_key)
            return per_loader[shape_key]
    template = _build_template(skeleton, loader)
    with _lock:
        per_loader[shape_key] = template
        while len(per_loader) > _TEMPLATES_PER_LOADER:
            per_loader.popitem(last=False)
    return template


def _iri_safe(value: str, terms: frozenset) -> bool:
    if not _ABSOLUTE_IRI.match(value) or value.startswith("_:") or value in terms:
        return False
    prefix, suffix = value.split(":", 1)
    return prefix not in terms or suffix.startswith("//")


def _fill(term, strings):
    if term is None:
        return None
    kind, value, datatype, language = term
    if type(value) is int:
        return (kind, strings[value], datatype, language)
    return term


def _serialize(term) -> str:
    kind, value, datatype, language = term
    if kind == "I":
        return "<" + value + ">"
    if kind == "B":
        return value
    out = '"' + _escape(value) + '"'
    if datatype == _RDF_LANGSTRING:
        if language:
            out += "@" + language
    elif datatype != _XSD_STRING:
        out += "^^<" + datatype + ">"
    return out


def _nquad(quad, label=None) -> str:
    s, p, o, g = quad
    parts = []
    for term in (s, p, o, g):
        if term is None:
            continue
        if term[0] == "B" and label is not None:
            parts.append(label(term[1]))
        else:
            parts.append(_serialize(term))
    return " ".join(parts) + " .\n"


def _label_and_serialize(quads: list, loader) -> str:
    by_node: dict = {}
    for quad in quads:
        for term in (quad[0], quad[2], quad[3]):
            if term is not None and term[0] == "B":
                refs = by_node.setdefault(term[1], [])
                if not refs or refs[-1] is not quad:
                    refs.append(quad)
    if not by_node:
        return "".join(sorted(_nquad(q) for q in quads))
    hashes = {}
    for node, refs in by_node.items():
        lines = sorted(_nquad(q, lambda b, node=node: "_:a" if b == node else "_:z") for q in refs)
        hashes[node] = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
    if len(set(hashes.values())) != len(hashes):
        return _pyld_label(quads)  # ties need the N-degree algorithm
    canon = {node: f"_:c14n{i}" for i, node in enumerate(sorted(hashes, key=hashes.__getitem__))}
    return "".join(sorted(_nquad(q, canon.__getitem__) for q in quads))


def _pyld_label(quads: list) -> str:
    def comp(term):
        kind, value, datatype, language = term
        if kind == "I":
            return {"type": "IRI", "value": value}
        if kind == "B":
            return {"type": "blank node", "value": value}
        out = {"type": "literal", "value": value, "datatype": datatype}
        if language:
            out["language"] = language
        return out

    dataset: dict = {}
    for s, p, o, g in quads:
        name = "@default" if g is None else g[1]
        dataset.setdefault(name, []).append({"subject": comp(s), "predicate": comp(p), "object": comp(o)})
    return URDNA2015().main(dataset, {"format": "application/n-quads"})


def canonicalize(document, *, loader: DocumentLoader | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (fast path when safe)."""
    loader = loader or default_loader()
    if not isinstance(document, dict):
        raise CanonicalizationError("document must be a JSON object")
    keep: frozenset = frozenset()
    # Second round: strings that turned out to sit in IRI positions without being
    # plain absolute IRIs (e.g. proofPurpose "assertionMethod", a @vocab term)
    # become part of the shape and are expanded by pyld in the template itself.
    for _round in range(2):
        strings: list = []
        try:
            skeleton = _skeleton(document, strings, keep)
            shape_key = json.dumps(skeleton, ensure_ascii=False, allow_nan=False)
        except (_Fallback, ValueError, RecursionError):
            return canonicalize_generic(document, loader=loader)
        template = _template_for(shape_key, skeleton, loader)
        if template is None:
            return canonicalize_generic(document, loader=loader)
        unsafe = frozenset(slot for slot in template.iri_slots if not _iri_safe(strings[slot], template.terms))
        if not unsafe:
            break
        keep = keep | unsafe
    else:
        return canonicalize_generic(document, loader=loader)
    seen = set()
    quads = []
    for s, p, o, g in template.quads:
        quad = (_fill(s, strings), p, _fill(o, strings), _fill(g, strings))
        if quad not in seen:  # a dataset is a set: equal strings may merge quads
            seen.add(quad)
            quads.append(quad)
    return _label_and_serialize(quads, loader)
