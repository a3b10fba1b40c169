"""Canonical N-Quads terms (RDF 1.2 N-Quads, section "Canonical form"), as
RDFC-1.0 hashes and emits them and as Digital Bazaar's rdf-canonize 5 writes them.

pyld 3.3 escapes only backslash, quote, tab, newline and carriage return in
literals, and nothing in IRIs, so a name holding another control character, or
an IRI holding ``{}|^`\\``, hashed differently than in every other
implementation: a credential we signed failed Digital Bazaar's verifier and
theirs failed ours. :func:`use_in_pyld` points pyld's canonicalizer at
:func:`serialize_quad` below.
"""
from __future__ import annotations

import re

__all__ = ["iri", "literal_text", "serialize_quad", "unescape", "use_in_pyld"]

_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_LITERAL_SPECIAL = re.compile(r'[\x00-\x1f\x7f"\\]')
_IRI_SPECIAL = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ESCAPED = re.compile(r'\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([btnfr"\'\\]))')
_UNECHAR = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "'": "'", "\\": "\\"}


def _uchar(match: re.Match) -> str:
    return f"\\u{ord(match.group(0)):04X}"


def _literal_char(match: re.Match) -> str:
    char = match.group(0)
    return _ECHAR.get(char) or _uchar(match)


def literal_text(text: str) -> str:
    """The escaped lexical form between a literal's quotes."""
    return _LITERAL_SPECIAL.sub(_literal_char, text) if _LITERAL_SPECIAL.search(text) else text


def iri(value: str) -> str:
    """An IRI term, ``<...>``."""
    return "<" + (_IRI_SPECIAL.sub(_uchar, value) if _IRI_SPECIAL.search(value) else value) + ">"


def unescape(text: str) -> str:
    """Inverse of :func:`literal_text` (and of the IRI escapes)."""
    if "\\" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)) if m.group(3) is None
                        else _UNECHAR[m.group(3)], text)


def _term(component: dict) -> str:
    if component["type"] == "IRI":
        return iri(component["value"])
    if component["type"] == "blank node":
        return component["value"]
    out = '"' + literal_text(component["value"]) + '"'
    datatype = component.get("datatype")
    if datatype == _RDF_LANGSTRING:
        if component.get("language"):
            out += "@" + component["language"]
    elif datatype and datatype != _XSD_STRING:
        out += "^^" + iri(datatype)
    return out


def serialize_quad(triple: dict, graph_name=None) -> str:
    """pyld's ``serialize_nquad`` with canonical escaping (same arguments)."""
    name = triple.get("name")
    parts = [_term(triple["subject"]), _term(triple["predicate"]), _term(triple["object"])]
    if name is not None:
        parts.append(_term(name))
    elif graph_name is not None and graph_name != "@default":
        parts.append(graph_name if graph_name.startswith("_:") else iri(graph_name))
    return " ".join(parts) + " .\n"


def use_in_pyld() -> None:
    """Make pyld's RDFC-1.0 (pyld.canon) hash and write canonical N-Quads."""
    from pyld import canon

    canon.serialize_nquad = serialize_quad
