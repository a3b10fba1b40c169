"""Quads of a JSON-LD document from a template of its shape (internal fast path).

INTERNAL BOUNDARY: only :mod:`openbadges.canonical` calls this module, and its
quads must always equal those of the walk in :mod:`openbadges.jsonld_rdf`
(tests compare both, and both with pyld).

Why: credentials of one kind repeat one JSON shape (the same keys in the same
order, the same contexts and types) with other names, ids and dates. The walk
spends most of its time deciding, node by node, what each key means in its
active context, and for a shape it has seen those decisions are the same. So a
shape seen a second time is walked once more with a recorder that notes how
each string value became an N-Quads term; later documents of that shape get
their quads by putting their own strings through the same term functions.

A shape, compared exactly: every key in order and where each object and array
begins and ends; every ``@context`` value; every number, boolean and null; every
string shorter than two characters. A template also keeps the strings the walk
used to decide structure ("fixed"): types, ``@vocab``-coerced and ``@json``
values, and ids that are not absolute IRIs (a blank node id links nodes, a
relative one drops triples). It applies only to a document with the same fixed
strings. Every other string goes through its term function:

* a literal: escaped, with its term's datatype or language (as the walk);
* an IRI: expanded in the node's active context, which must give an absolute
  IRI that is not a blank node; anything else and the document is walked.

Duplicates are removed after the values are in, as in the walk. A new template
is kept only if its quads for the document it came from equal the walk's.
Memory is bounded (MAX_SHAPES shapes, MAX_VARIANTS templates each), and a
stream of documents of ever new shapes costs only the shape computation on top
of the walk: a template is recorded for a shape's second document.
"""
from __future__ import annotations

import threading

from .jsonld_rdf import Compiler, Unsupported, _absolute, _context_key, _escape, _iri, _literal, _Walk

__all__ = ["Templates"]

MAX_SHAPES = 64
MAX_VARIANTS = 4
# larger documents (a CLR with dozens of embedded badges) are walked: a kept shape holds its keys,
# so this bounds what a stream of hostile shapes can pin in memory (~64 x 4,000 small objects)
MAX_PARTS = 4000
_DICT, _END_DICT, _LIST, _END_LIST, _STRING = range(5)  # shape markers (keys are strings, scalars tuples)


class _NoShape(Exception):
    """Not plain JSON (a non-string key, another type): walk the document."""


class _Miss(Exception):
    """A string outside its term function's class (e.g. an id that is now a blank node): walk the document."""


def shape(document) -> tuple[tuple, list]:
    """(the shape, hashable; the strings that are not part of it, in document order)."""
    parts: list = []
    leaves: list = []
    add, leaf = parts.append, leaves.append

    def value(item, kind):  # a string or scalar (containers recurse below: fewer calls)
        if kind is str:
            if len(item) > 1:
                add(_STRING)
                leaf(item)
            else:
                add((str, item))
        elif kind is float:
            add((float, repr(item)))  # 0.0 and -0.0 are equal, but not the same text
        elif kind is int or kind is bool or item is None:
            add((kind, item))
        else:
            raise _NoShape

    def visit(node, kind):
        if kind is dict:
            add(_DICT)
            for key, item in node.items():
                if type(key) is not str:
                    raise _NoShape
                add(key)
                kind = type(item)
                if key == "@context":  # as the walk keys the contexts it processed (a list of URLs as it is)
                    add(("@context", tuple(item) if kind is list and all(type(c) is str for c in item)
                         else _context_key(item)))
                elif kind is dict or kind is list:
                    visit(item, kind)
                else:
                    value(item, kind)
            add(_END_DICT)
        else:
            add(_LIST)
            for item in node:
                kind = type(item)
                if kind is dict or kind is list:
                    visit(item, kind)
                else:
                    value(item, kind)
            add(_END_LIST)

    kind = type(document)
    if kind is dict or kind is list:
        visit(document, kind)
    else:
        value(document, kind)
    return tuple(parts), leaves


# -- term functions (value, argument) -> N-Quads term ----------------------------------------------------------
def _string_term(value: str, suffix: str) -> str:
    return '"' + _escape(value) + '"' + suffix


def _literal_term(value: str, typing: tuple) -> str:
    return _literal(value, *typing)


def _iri_term(value: str, ctx) -> str:
    iri = ctx.expand_id(value)
    if not isinstance(iri, str):
        raise Unsupported  # as the walk
    if iri.startswith("_:") or not _absolute(iri):
        raise _Miss
    return _iri(iri)


class _Slot:
    """Stands for a term in the recorded quads: the index of its term function."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


class _Recorder:
    """Told by the walk (jsonld_rdf._Walk.rec) how each string became a term."""

    def __init__(self, leaves: list):
        self.index = {id(value): i for i, value in enumerate(leaves)}  # all distinct objects: see _fresh
        self.fixed_leaves: set = set()
        self.slots: list = []  # (leaf index, term function, argument)

    def _slot(self, value, function, argument, term):
        i = self.index.get(id(value))
        if i is None:
            return term  # part of the shape already
        self.slots.append((i, function, argument))
        return _Slot(len(self.slots) - 1)

    def fixed(self, value) -> None:
        if type(value) is str:
            i = self.index.get(id(value))
            if i is not None:
                self.fixed_leaves.add(i)
        elif type(value) is dict:
            for item in value.values():
                self.fixed(item)
        elif type(value) is list:
            for item in value:
                self.fixed(item)

    def string(self, value: str, suffix: str, term: str):
        return self._slot(value, _string_term, suffix, term)

    def literal(self, value, datatype, language, term: str):
        return self._slot(value, _literal_term, (datatype, language), term) if type(value) is str else term

    def iri(self, value, ctx, term):
        if term is None or term.startswith("_:"):
            self.fixed(value)
            return term
        return self._slot(value, _iri_term, ctx, term)


class _Template:
    __slots__ = ("fixed", "slots", "constants", "recipes")

    def __init__(self, recorded: list, recorder: _Recorder, leaves: list):
        # a leaf both fixed and a slot is fine: equal to the recorded value, its term is the recorded one;
        # a leaf the walk never reported is fixed too (whatever it did with it, it does again)
        fixed = recorder.fixed_leaves | (set(range(len(leaves))) - {i for i, _f, _a in recorder.slots})
        self.fixed = tuple((i, leaves[i]) for i in sorted(fixed))
        self.slots = tuple(recorder.slots)
        constants: dict = {}
        offset = len(self.slots)  # terms = slot terms, then the constants

        def position(term):
            if isinstance(term, _Slot):
                return term.index
            return constants.setdefault(term, offset + len(constants))

        self.recipes = tuple(tuple(position(term) for term in quad) for quad in recorded)
        self.constants = list(constants)

    def apply(self, leaves: list) -> list | None:
        """The quads (duplicates not yet removed), or None when a fixed string differs."""
        for i, value in self.fixed:
            if leaves[i] != value:
                return None
        terms = [function(leaves[i], argument) for i, function, argument in self.slots]
        terms += self.constants
        return [(terms[s], terms[p], terms[o], terms[g]) for s, p, o, g in self.recipes]


def _fresh(value):
    """A copy in which every string of two or more characters is a distinct object (the recorder
    tells strings apart by identity; shorter ones are part of the shape)."""
    kind = type(value)
    if kind is dict:
        return {k: _fresh(v) for k, v in value.items()}
    if kind is list:
        return [_fresh(v) for v in value]
    if kind is str and len(value) > 1:
        return value[:1] + value[1:]
    return value


class Templates:
    """Quads via templates, per Compiler (that is, per document loader)."""

    def __init__(self, compiler: Compiler):
        self.compiler = compiler
        self._shapes: dict = {}  # shape -> [_Template]
        self._seen: set = set()  # hashes of shapes seen once
        self._lock = threading.Lock()

    def quads(self, document: dict) -> list:
        """As Compiler.quads (and raises Unsupported when it would)."""
        try:
            key, leaves = shape(document)
            variants = self._shapes.get(key)
        except Exception:  # not plain JSON, too deep, unhashable: the walk decides
            return self.compiler.quads(document)
        for template in variants or ():
            try:
                found = template.apply(leaves)
            except _Miss:
                continue
            except Unsupported:
                raise  # the walk would raise it at the same value
            except Exception:
                return self.compiler.quads(document)
            if found is not None:
                return list(dict.fromkeys(found))
        quads = self.compiler.quads(document)
        if variants is not None and len(variants) >= MAX_VARIANTS or len(key) > MAX_PARTS:
            return quads
        if variants is None and hash(key) not in self._seen:
            with self._lock:
                if len(self._seen) >= MAX_SHAPES * 16:
                    self._seen.clear()
                self._seen.add(hash(key))
            return quads
        template = self._record(document, leaves, quads)
        if template is not None:
            with self._lock:
                if len(self._shapes) >= MAX_SHAPES and key not in self._shapes:
                    self._shapes.clear()
                found = self._shapes.setdefault(key, [])
                if len(found) < MAX_VARIANTS:
                    found.append(template)
        return quads

    def _record(self, document: dict, leaves: list, quads: list) -> _Template | None:
        copy = _fresh(document)
        copied = shape(copy)[1]
        recorder = _Recorder(copied)
        walk = _Walk(self.compiler, recorder)
        try:
            walk.node(self.compiler.initial, None, None, copy, None)
            template = _Template(walk.out, recorder, copied)
            made = template.apply(leaves)
        except Exception:  # e.g. an id outside its class in this very document: no template
            return None
        return template if made is not None and list(dict.fromkeys(made)) == quads else None
