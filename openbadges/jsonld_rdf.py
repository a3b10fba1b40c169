"""JSON-LD to RDF quads in one walk of the document (internal fast path).

INTERNAL BOUNDARY: only :mod:`openbadges.canonical` calls this module, and it
must always give the same dataset as pyld's expansion + toRDF (the reference).
Whatever it does not implement raises :class:`Unsupported`, and the caller
then runs pyld on the whole document (so pyld also decides every error).

What makes it fast: context processing, the costly part of JSON-LD, is done by
pyld itself, but once per (active context, local context) pair per process:
the credentials we sign and verify use a small fixed set of contexts, whose
type-scoped and property-scoped variants are then reused for every node. The
walk follows pyld's ``_expand``/``_expand_object``/``_expand_value`` and
``_object_to_rdf`` step by step (same names in the comments) and emits
N-Quads terms directly, skipping the expanded document and the node map.

Implemented: node objects with ``@id``/``@type`` (and aliases), embedded,
type-scoped and property-scoped contexts (with ``@propagate`` reverting),
``@set``, ``@list`` and ``@graph`` containers, ``@id``/``@vocab``/``@json``
and datatype coercion, default and term languages. Not implemented (falls
back): value, list and set objects written out, ``@reverse``, ``@nest``,
``@included``, language/index/id/type maps, top-level ``@graph``, base
direction, blank-node predicates, nested arrays in lists.
"""
from __future__ import annotations

import json
import re
import threading

from c14n.Canonicalize import canonicalize as _json_canonicalize
from pyld import jsonld as _pyld

from .nquads import iri as _iri, literal_text as _escape

__all__ = ["Unsupported", "Compiler", "Quad"]

Quad = tuple  # (subject, predicate, object, graph or None): N-Quads term strings; "_:" = blank node

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_TYPE = _iri(_RDF + "type")
_FIRST, _REST, _NIL = _iri(_RDF + "first"), _iri(_RDF + "rest"), _iri(_RDF + "nil")
_LANGSTRING, _JSON = _RDF + "langString", _RDF + "JSON"
_XSD_STRING, _XSD_BOOLEAN = _XSD + "string", _XSD + "boolean"
_XSD_DOUBLE, _XSD_INTEGER = _XSD + "double", _XSD + "integer"
_MAPS = frozenset({"@language", "@index", "@id", "@type"})
# Cached contexts per loader; a hostile stream of distinct embedded contexts
# only ever costs a cache reset, never unbounded memory.
_MAX_CONTEXTS = 2000
# pyld's absolute-IRI test (blank node labels pass it too)
_absolute = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$").match
_PROPERTY, _TYPE_KEY, _ID_KEY, _OTHER = range(4)
_PLAIN, _GRAPH, _LIST, _JSON_VALUE, _UNSUPPORTED = range(5)  # how a property's value is written
_is_integer, _is_double, _double = _pyld._is_integer, _pyld._is_double, _pyld._canonicalize_double


class Unsupported(Exception):
    """Outside the implemented subset (or an error): use pyld for this document."""


class _Term:
    """What expansion needs to know about one key in one active context."""

    __slots__ = ("iri", "kind", "context", "container", "coerce", "language", "direction", "reverse", "predicate",
                 "string_suffix", "mode")

    def __init__(self, raw: dict, key: str, iri):
        entry = raw["mappings"].get(key) if key in raw["mappings"] else None
        get = _pyld.JsonLdProcessor.get_context_value
        self.iri = iri
        self.context = get(raw, key, "@context")
        self.container = frozenset(_pyld.JsonLdProcessor.arrayify(get(raw, key, "@container")))
        self.coerce = get(raw, key, "@type")
        self.language = get(raw, key, "@language")
        self.direction = get(raw, key, "@direction")
        self.reverse = bool(entry and entry.get("reverse"))
        self.predicate = _iri(iri) if isinstance(iri, str) else None
        container = self.container
        if container & _MAPS or self.reverse or "@graph" in container and "@list" in container:
            self.mode = _UNSUPPORTED
        elif self.coerce == "@json":
            self.mode = _UNSUPPORTED if "@graph" in container or "@list" in container else _JSON_VALUE
        else:
            self.mode = _GRAPH if "@graph" in container else _LIST if "@list" in container else _PLAIN
        # how a plain string value is written after its quoted lexical form (None: the general path)
        self.string_suffix = None
        if self.coerce in (None, "@none"):
            if self.direction is None:
                self.string_suffix = "@" + self.language if self.language else ""
        elif self.coerce in (_XSD_STRING, _LANGSTRING):
            self.string_suffix = ""
        elif self.coerce[:1] != "@" and self.coerce != _XSD_DOUBLE:
            self.string_suffix = "^^" + _iri(self.coerce)
        if iri == "@type":
            self.kind = _TYPE_KEY
        elif iri == "@id":
            self.kind = _ID_KEY
        elif isinstance(iri, str) and iri[:1] != "@" and not iri.startswith("_:") and _absolute(iri):
            self.kind = _PROPERTY
        else:  # keywords we leave to pyld, and dropped (undefined) terms
            self.kind = _OTHER


class _Ctx:
    """A pyld active context plus memoized lookups and derived contexts."""

    __slots__ = ("raw", "owner", "terms", "derived", "types", "previous", "type_keys", "id_keys")

    def __init__(self, raw: dict, owner: "Compiler"):
        self.raw, self.owner = raw, owner
        # keys that expand to @type: the keyword and the terms aliasing it
        self.type_keys = self._aliases(raw, "@type")
        self.id_keys = self._aliases(raw, "@id")
        self.terms: dict = {}
        self.derived: dict = {}
        self.types: dict = {}
        self.previous = None

    @staticmethod
    def _aliases(raw: dict, keyword: str) -> frozenset:
        """The keys that expand to ``keyword``: itself and the terms aliasing it."""
        return frozenset([keyword] + [k for k, v in raw["mappings"].items() if v and v.get("@id") == keyword])

    def term(self, key: str) -> _Term:
        term = self.terms.get(key)
        if term is None:
            iri = self.owner.processor._expand_iri(self.raw, key, vocab=True)
            term = _Term(self.raw, key, iri)
            if len(self.terms) < 4096:
                self.terms[key] = term
        return term

    def expand_type(self, value: str) -> str:
        iri = self.types.get(value)
        if iri is None:
            iri = self.owner.processor._expand_iri(self.raw, value, vocab=True, base="")
            if not isinstance(iri, str):
                raise Unsupported
            if len(self.types) < 4096:
                self.types[value] = iri
        return iri

    def expand_id(self, value: str):
        colon = value.find(":")
        if colon > 0:
            if value.startswith("//", colon + 1) or colon == 1 and value[0] == "_":
                return value  # what _expand_iri does first for "scheme://..." and "_:label"
            # then: a defined prefix term expands; else an absolute IRI (urn:, did:...) stays as it is
            mapping = self.raw["mappings"].get(value[:colon]) if value[0] != "@" else True
            if not mapping and _absolute(value):
                return value
        return self.owner.processor._expand_iri(self.raw, value, base="")

    def reverted(self) -> "_Ctx":
        """_revert_to_previous_context"""
        if self.previous is None:
            prev = self.raw.get("previousContext")
            self.previous = self if prev is None else self.owner.wrap(prev)
        return self.previous

    def apply(self, local, key, override: bool = False, propagate: bool = True) -> "_Ctx":
        """_process_context(self, local), once per (self, key, flags)."""
        memo = (key, override, propagate)
        found = self.derived.get(memo)
        # the scoped contexts are keyed by identity: check it is still the same object
        if found is None or key[0] != "d" and found[0] is not local:
            found = (local, self.owner.process(self, local, override, propagate))
            if len(self.derived) < 256:
                self.derived[memo] = found
        return found[1]


class Compiler:
    """Turns a JSON-LD document into quads; one per document loader."""

    def __init__(self, options: dict):
        self.options = dict(options, isFrame=False, keepFreeFloatingNodes=False, processingMode="json-ld-1.1")
        self.processor = _pyld.JsonLdProcessor()
        self._lock = threading.Lock()
        self._reset()

    def _reset(self):
        self._wrapped: dict = {}
        self.initial = self.wrap(self.processor._get_initial_context(self.options))

    def wrap(self, raw: dict) -> _Ctx:
        ctx = self._wrapped.get(id(raw))
        if ctx is None or ctx.raw is not raw:
            ctx = self._wrapped[id(raw)] = _Ctx(raw, self)
        return ctx

    def process(self, ctx: _Ctx, local, override: bool, propagate: bool) -> _Ctx:
        with self._lock:  # pyld's context caches are not thread-safe
            if len(self._wrapped) > _MAX_CONTEXTS:
                self._reset()
                raise Unsupported  # this document is unusual; pyld does it
            try:
                raw = self.processor._process_context(ctx.raw, local, self.options, override_protected=override,
                                                      propagate=propagate)
            except Exception as exc:
                raise Unsupported from exc
            return self.wrap(raw)

    def quads(self, document: dict) -> list:
        """The document's RDF dataset as (s, p, o, g) term strings, duplicates removed."""
        walk = _Walk(self)
        try:
            walk.node(self.initial, None, None, document, None)
        except Unsupported:
            raise
        except Exception as exc:  # hostile input: pyld gives the verdict and the error
            raise Unsupported from exc
        return list(dict.fromkeys(walk.out))


def _context_key(local) -> str:
    return local if isinstance(local, str) else json.dumps(local, sort_keys=True, separators=(",", ":"))


class _Walk:
    __slots__ = ("compiler", "out", "count", "labels", "rec")

    def __init__(self, compiler: Compiler, recorder=None):
        self.compiler = compiler
        self.out: list = []
        self.count = 0
        self.labels: dict = {}
        # openbadges.jsonld_template's recorder: told how each string value became a term
        self.rec = recorder

    def fresh(self) -> str:
        self.count += 1
        return f"_:b{self.count}"

    def _subject(self, iri: str):
        """A node's term, or None when it is a relative IRI (no triples, like pyld)."""
        if iri.startswith("_:"):
            label = self.labels.get(iri)
            if label is None:
                label = self.labels[iri] = self.fresh()
            return label
        return _iri(iri) if _absolute(iri) else None

    def node(self, ctx: _Ctx, key, term, element: dict, graph):
        """_expand of a node object plus its node-map triples; returns its term (None: no term)."""
        # revert a type-scoped context unless the element is a plain reference
        if ctx.raw.get("previousContext") is not None:
            revert = True
            if len(element) <= 2 and "@context" not in element:
                for k in sorted(element):
                    expanded = ctx.term(k).iri
                    if expanded == "@value":
                        raise Unsupported
                    if expanded == "@id" and len(element) == 1:
                        revert = False
                        break
            if revert:
                ctx = ctx.reverted()
        if term is not None and term.context is not None:  # property-scoped context
            ctx = ctx.apply(term.context, ("p", id(term.context)), override=True)
        # _prepare_nested_context
        local = element.get("@context")
        if local is not None or "@context" in element:
            if isinstance(local, dict) and len(local) == 1 and "@context" in local:
                raise Unsupported
            ctx = ctx.apply(local, ("d", _context_key(local)))
        # _prepare_nested_context: type-scoped contexts, found with the context before them
        type_scoped, type_key, types = ctx, None, None
        for k in ctx.type_keys.intersection(element):
            if type_key is not None:
                raise Unsupported  # two keys expanding to @type
            value = element[k]
            type_key, types = k, (value if type(value) is list else [value])
            if not all(type(v) is str for v in types):
                raise Unsupported
        for v in sorted(types or ()):
            scoped = type_scoped.term(v).context
            if scoped is not None and scoped is not False:
                ctx = ctx.apply(scoped, ("t", id(scoped)), propagate=False)
        # _expand_object, then the node map's triples
        if ctx is not type_scoped and len(ctx.type_keys.intersection(element)) != (type_key is not None) or \
                type_key is not None and type_key not in ctx.type_keys:
            raise Unsupported  # a type-scoped context re-aliased @type
        ids = ctx.id_keys.intersection(element)
        if not ids:
            subject = self.fresh()
        else:
            if len(ids) > 1:
                raise Unsupported  # colliding keywords
            subject_iri = element[next(iter(ids))]
            if type(subject_iri) is not str:
                raise Unsupported
            subject_iri = ctx.expand_id(subject_iri)
            if not isinstance(subject_iri, str):
                raise Unsupported
            subject = self._subject(subject_iri)
            if self.rec is not None:
                subject = self.rec.iri(element[next(iter(ids))], ctx, subject)
        if types and self.rec is not None:
            self.rec.fixed(types)  # they choose contexts and terms: part of the shape
        out = self.out
        if types and subject is not None:
            for v in types:
                o = self._subject(type_scoped.expand_type(v))
                if o is not None:
                    out.append((subject, _TYPE, o, graph))
        terms = ctx.terms
        for k, value in element.items():
            if k == "@context" or k == type_key or k in ids:
                continue
            t = terms.get(k) or ctx.term(k)
            if t.kind != _PROPERTY:
                raise Unsupported  # keywords we leave to pyld, and dropped (undefined) terms
            self.property(ctx, k, t, value, subject, graph)
        return subject

    def property(self, ctx: _Ctx, key: str, t: _Term, value, subject, graph):
        mode = t.mode
        if mode == _UNSUPPORTED:
            raise Unsupported
        predicate, out = t.predicate, self.out
        if mode == _JSON_VALUE:
            if self.rec is not None:
                self.rec.fixed(value)
            literal = '"' + _escape(_json_canonicalize(value).decode("utf-8")) + '"^^' + _iri(_JSON)
            if subject is not None:
                out.append((subject, predicate, literal, graph))
            return
        if t.context is None:
            term_ctx, vt = ctx, t
        else:
            term_ctx = ctx.apply(t.context, ("p", id(t.context)), override=True)
            vt = term_ctx.term(key)
            if vt.container != t.container or vt.coerce != t.coerce or vt.reverse:
                raise Unsupported  # a scoped context redefining its own term: leave to pyld
        items = value if type(value) is list else (value,)
        if mode == _GRAPH:
            for item in items:
                if item is None:
                    continue
                if type(item) is not dict:
                    raise Unsupported
                name = self.fresh()
                self.node(term_ctx, key, vt, item, name)
                if subject is not None:
                    out.append((subject, predicate, name, graph))
            return
        if mode == _LIST:
            if value is not None:
                self._list(term_ctx, key, vt, items, subject, predicate, graph)
            return
        suffix = vt.string_suffix
        for item in items:
            kind = type(item)
            if kind is str and suffix is not None:
                o = '"' + _escape(item) + '"' + suffix
                if self.rec is not None:
                    o = self.rec.string(item, suffix, o)
            elif kind is dict:
                o = self.node(term_ctx, key, vt, item, graph)
            elif item is None:
                continue
            elif kind is list:
                raise Unsupported  # an array in an array: pyld flattens it
            else:
                o = self.value(term_ctx, vt, item)
            if o is not None and subject is not None:
                out.append((subject, predicate, o, graph))

    def _list(self, ctx: _Ctx, key: str, t: _Term, items, subject, predicate, graph):
        objects = []
        for item in items:
            if item is None:
                continue
            if type(item) is list:
                raise Unsupported
            o = self.node(ctx, key, t, item, graph) if type(item) is dict else self.value(ctx, t, item)
            if o is None:
                raise Unsupported  # pyld would emit a broken list entry
            objects.append(o)
        head = _NIL
        if objects:
            head = node = self.fresh()
            for n, o in enumerate(objects):
                self.out.append((node, _FIRST, o, graph))
                nxt = self.fresh() if n + 1 < len(objects) else _NIL
                self.out.append((node, _REST, nxt, graph))
                node = nxt
        if subject is not None:
            self.out.append((subject, predicate, head, graph))

    def value(self, ctx: _Ctx, t: _Term, item):
        """_expand_value + _object_to_rdf of a scalar: an IRI or a literal (None: dropped)."""
        coerce = t.coerce
        if type(item) is str and coerce in ("@id", "@vocab"):
            iri = ctx.expand_id(item) if coerce == "@id" else ctx.owner.processor._expand_iri(
                ctx.raw, item, vocab=True, base="")
            if not isinstance(iri, str):
                raise Unsupported
            if self.rec is not None:
                if coerce == "@id":
                    return self.rec.iri(item, ctx, self._subject(iri))
                self.rec.fixed(item)  # expanded against the vocabulary: part of the shape
            return self._subject(iri)
        datatype = language = None
        if coerce is not None and coerce not in ("@id", "@vocab", "@none"):
            datatype = coerce
        elif type(item) is str:
            language = t.language
            if t.direction is not None:
                raise Unsupported
        if self.rec is not None:
            return self.rec.literal(item, datatype, language, _literal(item, datatype, language))
        return _literal(item, datatype, language)


def _literal(value, datatype, language) -> str:
    """_object_to_rdf of a value object, serialized as pyld's to_nquad does."""
    if isinstance(value, bool):
        lexical, datatype = ("true" if value else "false"), datatype or _XSD_BOOLEAN
    elif _is_double(value):
        lexical, datatype = _double(value), datatype or _XSD_DOUBLE
    elif datatype == _XSD_DOUBLE:
        try:
            lexical = _double(float(value))
        except (ValueError, TypeError):
            lexical = value
    elif _is_integer(value) and abs(value) >= 1e21:
        lexical, datatype = _double(value), datatype or _XSD_DOUBLE
    elif _is_integer(value):
        lexical, datatype = str(int(value)), datatype or _XSD_INTEGER
    elif language is not None:
        if not isinstance(value, str):
            raise Unsupported
        lexical, datatype = value, datatype or _LANGSTRING
    else:
        lexical, datatype = value, datatype or _XSD_STRING
    if not isinstance(lexical, str):
        raise Unsupported
    out = '"' + _escape(lexical) + '"'
    if datatype == _LANGSTRING:
        if language:
            out += "@" + language
    elif datatype != _XSD_STRING:
        out += "^^" + _iri(datatype)
    return out
