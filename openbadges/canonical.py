"""RDFC-1.0 (URDNA2015) canonicalization to N-Quads.

Two paths that must always agree (tests cross-check them):

* :func:`canonicalize_generic` - pyld ``normalize`` with the offline loader.
* :func:`canonicalize` - the fast path: :mod:`openbadges.jsonld_rdf` turns
  the document into quads in one walk, with every context processed by pyld
  once per process (for a JSON shape seen before, :mod:`openbadges.jsonld_template`
  fills that shape's recorded quads with the document's values instead), and
  RDFC-1.0 labels blank nodes by their first-degree
  hashes (pyld's full algorithm when hashes tie). Whatever the walk does not
  implement, and every error, goes to the generic path, so pyld decides
  errors and edge cases.
"""
from __future__ import annotations

import hashlib
import threading
import weakref

from cachetools import LRUCache
from pyld import jsonld as _pyld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from . import nquads
from .jsonld import ContextNotAvailable, DocumentLoader, default_loader
from .jsonld_rdf import Compiler, Unsupported
from .jsonld_template import Templates

__all__ = ["CanonicalizationError", "UndefinedTermError", "canonicalize", "canonicalize_generic"]

nquads.use_in_pyld()  # canonical N-Quads escaping, as rdf-canonize (see openbadges.nquads)

_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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


def _to_rdf(document, loader: DocumentLoader) -> dict:
    opts = _options(loader)
    opts.pop("format")
    opts["produceGeneralizedRdf"] = False
    return _processor().to_rdf(document, opts)


class _Rdfc10(URDNA2015):
    """pyld's RDFC-1.0, counting a quad once for a blank node it names twice
    (``_:x <p> _:x``), as the spec's blank node to quads map and Digital
    Bazaar's rdf-canonize do; pyld 3.3 counts it twice, changing the hashes."""

    def hash_first_degree_quads(self, id_):
        info = self.blank_node_info[id_]
        if "hash" not in info:
            info["quads"] = list({id(quad): quad for quad in info["quads"]}.values())
        return super().hash_first_degree_quads(id_)


def canonicalize_generic(document, *, loader: DocumentLoader | None = None) -> str:
    """RDFC-1.0 canonical N-Quads via pyld, no shortcuts."""
    loader = loader or default_loader()
    if not isinstance(document, dict):
        raise CanonicalizationError("document must be a JSON object")
    try:
        return _Rdfc10().main(_to_rdf(document, loader), {"format": "application/n-quads"})
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
# fast path (internal boundary: openbadges.jsonld_rdf, always checked against pyld in tests)
# --------------------------------------------------------------------------
_templates: "weakref.WeakKeyDictionary[DocumentLoader, Templates]" = weakref.WeakKeyDictionary()


def _shapes(loader: DocumentLoader) -> Templates:
    """The loader's templates of the document shapes it has seen (jsonld_template), around its walk."""
    templates = _templates.get(loader)
    if templates is None:
        options = _options(loader)
        with _lock:
            templates = _templates.get(loader) or _templates.setdefault(loader, Templates(Compiler(options)))
    return templates


def _compiler(loader: DocumentLoader) -> Compiler:
    return _shapes(loader).compiler


def _label_and_serialize(quads: list) -> str:
    """RDFC-1.0 on a dataset of N-Quads term strings ("_:" = blank node). Blank
    nodes told apart by their first-degree hashes are labeled here; ties need
    the N-degree algorithm, which pyld runs."""
    lines, mentions, labeled = [], {}, []

    def mention(node, quad):
        refs = mentions.get(node)
        if refs is None:
            mentions[node] = [quad]
        else:
            refs.append(quad)

    for quad in quads:
        s, p, o, g = quad
        if s[0] != "_" and o[0] != "_" and (g is None or g[0] != "_"):
            lines.append(f"{s} {p} {o} .\n" if g is None else f"{s} {p} {o} {g} .\n")
            continue
        labeled.append(quad)
        if s[0] == "_":  # each blank node once per quad, as rdf-canonize's set
            mention(s, quad)
        if o[0] == "_" and o != s:
            mention(o, quad)
        if g is not None and g[0] == "_" and g != s and g != o:
            mention(g, quad)
    if not mentions:
        lines.sort()
        return "".join(lines)
    if len(mentions) == 1:  # one blank node (a proof configuration's): it is _:c14n0, no hash needed
        node = next(iter(mentions))
        for s, p, o, g in labeled:
            s = "_:c14n0" if s == node else s
            o = "_:c14n0" if o == node else o
            lines.append(f"{s} {p} {o} .\n" if g is None else f"{s} {p} {o} {'_:c14n0' if g == node else g} .\n")
        lines.sort()
        return "".join(lines)
    hashes = {}
    for node, refs in mentions.items():
        forms = []
        for s, p, o, g in refs:  # inline: this loop sees most quads of a credential
            s = s if s[0] != "_" else "_:a" if s == node else "_:z"
            o = o if o[0] != "_" else "_:a" if o == node else "_:z"
            if g is None:
                forms.append(f"{s} {p} {o} .\n")
            else:
                g = g if g[0] != "_" else "_:a" if g == node else "_:z"
                forms.append(f"{s} {p} {o} {g} .\n")
        forms.sort()
        hashes[node] = hashlib.sha256("".join(forms).encode()).hexdigest()
    if len(set(hashes.values())) != len(hashes):
        return _Rdfc10().main(_dataset(quads), {"format": "application/n-quads"})
    canon = {node: f"_:c14n{i}" for i, node in enumerate(sorted(hashes, key=hashes.__getitem__))}
    for s, p, o, g in labeled:
        s = canon.get(s, s)
        o = canon.get(o, o)
        lines.append(f"{s} {p} {o} .\n" if g is None else f"{s} {p} {o} {canon.get(g, g)} .\n")
    lines.sort()
    return "".join(lines)


def _component(term: str) -> dict:
    """A quad term string back to pyld's form (for the N-degree fallback only)."""
    if term[0] == "<":
        return {"type": "IRI", "value": nquads.unescape(term[1:-1])}
    if term[0] == "_":
        return {"type": "blank node", "value": term}
    end = 1
    while term[end] != '"':  # the closing quote: the first one not escaped
        end += 2 if term[end] == "\\" else 1
    value = nquads.unescape(term[1:end])
    rest = term[end + 1:]
    if rest.startswith("@"):
        return {"type": "literal", "value": value, "datatype": _LANGSTRING, "language": rest[1:]}
    return {"type": "literal", "value": value, "datatype": nquads.unescape(rest[3:-1]) if rest else _XSD_STRING}


def _dataset(quads: list) -> dict:
    dataset: dict = {}
    for s, p, o, g in quads:
        dataset.setdefault("@default" if g is None else nquads.unescape(g[1:-1]) if g[0] == "<" else g, []).append(
            {"subject": _component(s), "predicate": _component(p), "object": _component(o)})
    return dataset


def _line(quad, label) -> str:
    s, p, o, g = quad
    if g is None:
        return f"{label(s)} {p} {label(o)} .\n"
    return f"{label(s)} {p} {label(o)} {label(g)} .\n"


def canonicalize(document, *, loader: DocumentLoader | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (fast path when it applies)."""
    loader = loader or default_loader()
    if not isinstance(document, dict):
        raise CanonicalizationError("document must be a JSON object")
    try:
        quads = _shapes(loader).quads(document)
    except Unsupported:
        return canonicalize_generic(document, loader=loader)
    return _label_and_serialize(quads)
