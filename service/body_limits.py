"""How large a request body each endpoint accepts, refused before it is read.

Only the views marked `@accepts_body("upload")` (portfolio files) may receive
up to MAX_UPLOAD_BYTES, and `@accepts_body("document")` (credentials to
verify, framework imports, CSV rosters, badge images) up to
DOCUMENT_BODY_LIMIT_BYTES; every other endpoint refuses more than
BODY_LIMIT_BYTES. A declared Content-Length over the limit answers 413 at
once; a chunked body is cut off by werkzeug when it passes the limit. So an
unauthenticated caller cannot make a worker buffer a huge JSON body.
"""
from __future__ import annotations

from flask import current_app, request

from .errors import Problem

KINDS = ("upload", "document")
_ATTRIBUTE = "_accepts_body"
# Room for multipart boundaries and the small form fields beside a file.
MULTIPART_OVERHEAD = 1024 * 1024


def accepts_body(kind: str):
    """Mark a view (function or MethodView method) as taking a large body of `kind`."""
    if kind not in KINDS:
        raise ValueError(f"unknown body kind {kind!r}")

    def decorator(view):
        setattr(view, _ATTRIBUTE, kind)
        return view

    return decorator


def limit_for(kind: str | None) -> int:
    config = current_app.config
    if kind == "upload":
        return config["MAX_UPLOAD_BYTES"] + MULTIPART_OVERHEAD
    if kind == "document":
        return config["DOCUMENT_BODY_LIMIT_BYTES"]
    return config["BODY_LIMIT_BYTES"]


def endpoint_kind() -> str | None:
    """The body kind the matched view accepts (None: an ordinary endpoint)."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        return None
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        view = getattr(view_class, request.method.lower(), None)
    return getattr(view, _ATTRIBUTE, None)


def check_body_size() -> None:
    """before_request: refuse a body larger than this endpoint accepts, unread."""
    environ = request.environ
    if not environ.get("CONTENT_LENGTH") and "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return  # no body at all (RFC 9112 6.3: neither Content-Length nor chunked), as on most GETs
    length = request.content_length
    limit = limit_for(endpoint_kind())
    if length is not None and length > limit:
        # The body stays unread; close the connection rather than drain it.
        raise too_large(limit)
    if length is None and request.environ.get("wsgi.input_terminated"):
        # A chunked body: werkzeug stops at max_content_length but hands back
        # what it read as if it were whole, so the capped input raises instead
        # once the body goes past the limit.
        request.environ["wsgi.input"] = _CappedInput(request.environ["wsgi.input"], limit)
        request.max_content_length = limit + 1
    else:
        request.max_content_length = limit


def too_large(limit: int) -> Problem:
    return Problem(413, f"This endpoint accepts request bodies of at most {limit} bytes.",
                   type="payload-too-large", limit=limit, headers={"Connection": "close"})


class _CappedInput:
    """The WSGI input of a length-less body; more than `limit` bytes is a 413."""

    def __init__(self, stream, limit: int):
        self._stream, self._limit, self._seen = stream, limit, 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._seen += len(data)
        if self._seen > self._limit:
            raise too_large(self._limit)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readline(self, size: int = -1) -> bytes:
        data = self._stream.readline(size)
        self._seen += len(data)
        if self._seen > self._limit:
            raise too_large(self._limit)
        return data
