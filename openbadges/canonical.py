"""RDFC-1.0 (URDNA2015) canonicalization to N-Quads.

Two paths that must always agree (tests cross-check them):

* :func:`canonicalize_generic` - pyld ``normalize`` with the offline loader.
* :func:`canonicalize` - the fast path: :mod:`openbadges.jsonld_rdf` turns
  the document into quads in one walk, with every context processed by pyld
  once per process, and RDFC-1.0 labels blank nodes by their first-degree
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

from .jsonld import ContextNotAvailable, DocumentLoader, default_loader
from .jsonld_rdf import Compiler, Unsupported

__all__ = ["CanonicalizationError", "UndefinedTermError", "canonicalize", "canonicalize_generic"]


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
# fast path (internal boundary: openbadges.jsonld_rdf, always checked against pyld in tests)
# --------------------------------------------------------------------------
_compilers: "weakref.WeakKeyDictionary[DocumentLoader, Compiler]" = weakref.WeakKeyDictionary()


def _compiler(loader: DocumentLoader) -> Compiler:
    compiler = _compilers.get(loader)
    if compiler is None:
        options = _options(loader)
        with _lock:
            compiler = _compilers.setdefault(loader, Compiler(options))
    return compiler


def _label_and_serialize(quads: list) -> str:
    """RDFC-1.0 on a dataset of N-Quads term strings ("_:" = blank node). Blank
    nodes told apart by their first-degree hashes are labeled here; ties need
    the N-degree algorithm, which pyld runs."""
    lines, mentions = [], {}
    for quad in quads:
        s, p, o, g = quad
        if s[0] != "_" and o[0] != "_" and (g is None or g[0] != "_"):
            lines.append(f"{s} {p} {o} .\n" if g is None else f"{s} {p} {o} {g} .\n")
            continue
        for node in {s, o, g}:
            if node is not None and node[0] == "_":
                refs = mentions.get(node)
                if refs is None:
                    mentions[node] = [quad]
                else:
                    refs.append(quad)
    if not mentions:
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
        dataset = _pyld.JsonLdProcessor.parse_nquads("".join(_line(q, str) for q in quads))
        return URDNA2015().main(dataset, {"format": "application/n-quads"})
    canon = {node: f"_:c14n{i}" for i, node in enumerate(sorted(hashes, key=hashes.__getitem__))}
    seen: set = set()
    for refs in mentions.values():
        for quad in refs:
            if id(quad) not in seen:
                seen.add(id(quad))
                s, p, o, g = quad
                s = canon.get(s, s)
                o = canon.get(o, o)
                lines.append(f"{s} {p} {o} .\n" if g is None else f"{s} {p} {o} {canon.get(g, g)} .\n")
    lines.sort()
    return "".join(lines)


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
        quads = _compiler(loader).quads(document)
    except Unsupported:
        return canonicalize_generic(document, loader=loader)
    return _label_and_serialize(quads)
