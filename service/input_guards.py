"""Malformed input answered as a client error, never a 500 (issue 14).

* `<int:...>` URL parts are bounded to 32-bit signed integers: a version
  number of 99999999999999999999 is simply no such version (404), not an
  integer the database refuses.
* `?page=` past MAX_PAGE is a validation error (the offset it implies would
  overflow the database's integers).
* A JSON body nested deeper than MAX_JSON_DEPTH is malformed (400): deep
  nesting exhausts Python's recursion in the parser, schema validation or
  canonicalization. No document this service reads nests past a few dozen.
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from .errors import Problem, field_error, validation_problem

INT_MAX = 2**31 - 1
MAX_PAGE = 1_000_000
MAX_JSON_DEPTH = 64
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=None, max=INT_MAX, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install_converter(app: Flask) -> None:
    """Call before any route is added."""
    app.url_map.converters["int"] = BoundedIntConverter


def check_query() -> None:
    if not request.environ.get("QUERY_STRING"):
        return  # most requests: no arguments to parse
    for name, limit in (("page", MAX_PAGE), ("page_size", INT_MAX)):
        raw = request.args.get(name)
        if raw and raw.strip().lstrip("+-").isdigit() and int(raw) > limit:
            raise validation_problem([field_error(name, f"must be at most {limit}")])


def check_json_depth() -> None:
    if request.method not in _BODY_METHODS or not request.is_json:
        return
    from .body_limits import endpoint_kind

    if endpoint_kind() == "upload" or not request.content_length and not request.environ.get("wsgi.input_terminated"):
        return
    data = request.get_data(cache=True)
    if not data:
        return
    try:
        # Parsed once, by the app's own JSON loader, into werkzeug's cache: the view's
        # get_json() reads this value instead of parsing the body a second time.
        value = request.get_json(silent=True)
    except RecursionError:
        raise too_deep() from None
    if value is None:
        return  # invalid JSON (or null): the view's parser reports it as it always has
    # Every level of nesting opens a bracket, so a body with few brackets (a credential
    # has a few dozen) cannot be too deep and needs no walk.
    if data.count(b"[") + data.count(b"{") > MAX_JSON_DEPTH and nesting_depth(value) > MAX_JSON_DEPTH:
        raise too_deep()


def too_deep() -> Problem:
    return Problem(400, f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.",
                   type="malformed-request", errors=[field_error("_body", f"nested deeper than {MAX_JSON_DEPTH}")])


def nesting_depth(value) -> int:
    """How deeply arrays and objects nest (iteratively: no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest
