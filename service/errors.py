"""RFC 9457 problem details for every API error.

Raise `Problem` (or call `abort`) anywhere; the handlers below turn it, any
`HTTPException`, and any unexpected error into an `application/problem+json`
body. Validation errors carry an `errors` list naming each field.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, json, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

# Problem types we define; each is documented at /problems/<slug>.
PROBLEM_TYPES = {
    "validation-error": "The request body or query failed validation; `errors` lists each field and why.",
    "malformed-request": "The body could not be parsed (for example, invalid JSON).",
    "authentication-required": "No valid session or bearer token was presented.",
    "insufficient-scope": "The API token lacks the scope this operation needs.",
    "forbidden": "You are signed in but may not do this to this object.",
    "not-found": "No such object, or you may not see it.",
    "conflict": "The request conflicts with the current state of the object.",
    "csrf-failed": "The form or request lacked a valid CSRF token.",
    "upload-rejected": "The uploaded file was refused; `reason` says why.",
    "payload-too-large": "The request body exceeds the configured limit.",
    "too-many-attempts": "Too many failed attempts; wait the seconds given in Retry-After.",
    "internal-error": "Something went wrong on our side; nothing was saved.",
}



# -- domain errors -------------------------------------------------------------------------
# Domain code raises its own exceptions and never builds HTTP answers. Each
# feature maps its exception types to problems here, once, when it loads; the
# error handler below answers with that problem (after rolling back), and
# pages that show a refusal inline ask `problem_for(exc)`.
_DOMAIN_ERRORS: dict[type, Callable[[Any], "Problem"]] = {}


def register_domain_error(exc_type: type, to_problem: Callable[[Any], "Problem"]) -> None:
    _DOMAIN_ERRORS[exc_type] = to_problem


def problem_for(exc: BaseException) -> "Problem | None":
    """The problem a registered domain exception (or a subclass) maps to; None otherwise."""
    if isinstance(exc, Problem):
        return exc
    for cls in type(exc).__mro__:
        to_problem = _DOMAIN_ERRORS.get(cls)
        if to_problem is not None:
            return to_problem(exc)
    return None


def field_errors(pairs) -> list[dict]:
    """[(field, message)] (how domain exceptions list what is wrong) as problem `errors`."""
    return [field_error(field, message) for field, message in pairs]


def register_problem_type(slug: str, description: str) -> None:
    """Feature packages document their own problem types (served at /problems/<slug>)."""
    PROBLEM_TYPES.setdefault(slug, description)


_DEFAULT_TYPE_BY_STATUS = {
    400: "malformed-request",
    401: "authentication-required",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    413: "payload-too-large",
    429: "too-many-attempts",
    422: "validation-error",
    500: "internal-error",
}


class Problem(Exception):
    """An error with everything needed for a problem+json response."""

    def __init__(self, status: int, detail: str, *, type: str | None = None, title: str | None = None,
                 errors: list[dict] | None = None, headers: dict | None = None, **extensions):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type or _DEFAULT_TYPE_BY_STATUS.get(status)
        self.title = title or HTTP_STATUS_CODES.get(status, "Error")
        self.errors = errors
        self.headers = headers or {}
        self.extensions = extensions

    def to_dict(self) -> dict:
        body = {
            "type": f"/problems/{self.type}" if self.type else "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": request.path if request else None,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extensions)
        return body


def validation_problem(errors: list[dict], detail: str | None = None) -> Problem:
    names = ", ".join(e["field"] for e in errors if e.get("field")) or "the request"
    return Problem(422, detail or f"Invalid value for {names}.", type="validation-error", errors=errors)


def field_error(field: str, detail: str) -> dict:
    return {"field": field, "pointer": "/" + field.replace(".", "/"), "detail": detail}


def flatten_messages(messages, prefix: str = "") -> list[dict]:
    """marshmallow's nested {"field": ["msg"]} into a flat list naming each field path."""
    out: list[dict] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(flatten_messages(value, path))
    elif isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            for m in messages:
                out.append(field_error(prefix or "_body", m))
        else:
            for m in messages:
                out.extend(flatten_messages(m, prefix))
    else:
        out.append(field_error(prefix or "_body", str(messages)))
    return out


def problem_from_http_exception(exc: HTTPException) -> Problem:
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if messages:
        # webargs puts the location first: {"json": {"email": [...]}}; the location
        # is not part of the field name a client sent.
        if isinstance(messages, dict) and len(messages) == 1 and next(iter(messages)) in (
                "json", "query", "form", "files", "headers", "path_view_args", "view_args"):
            location, messages = next(iter(messages.items()))
        errors = flatten_messages(messages)
        if status == 400 or any(e["detail"] == "Invalid JSON body." for e in errors):
            return Problem(400, "The request body is not valid JSON.", type="malformed-request", errors=errors)
        return validation_problem(errors)
    detail = data.get("message") or exc.description or HTTP_STATUS_CODES.get(status, "Error")
    headers = dict(exc.get_headers()) if status in (401, 405) else {}
    headers.pop("Content-Type", None)
    return Problem(status, detail, headers=headers)


def wants_problem_json() -> bool:
    if request.path.startswith(("/api/", "/.well-known/", "/healthz", "/readyz", "/status/")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json", PROBLEM_MEDIA_TYPE])
    return best in ("application/json", PROBLEM_MEDIA_TYPE)


def render_problem(problem: Problem) -> Response:
    if wants_problem_json():
        response = Response(json.dumps(problem.to_dict()), status=problem.status, mimetype=PROBLEM_MEDIA_TYPE)
    else:
        response = Response(render_template("error.html", problem=problem), status=problem.status,
                            mimetype="text/html")
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(Problem)
    def _problem(exc: Problem):
        return render_problem(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return render_problem(problem_from_http_exception(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # Roll back so a failed request never leaves half its writes behind.
        from sqlalchemy.exc import DataError

        from .extensions import db

        db.session.rollback()
        problem = problem_for(exc)
        if problem is not None:  # a domain refusal, mapped once by its feature
            return render_problem(problem)
        if isinstance(exc, (DataError, OverflowError)):
            # A number or value from the request the database cannot hold
            # (an out-of-range integer): the client's mistake, not ours.
            log.warning("value out of range on %s %s: %s", request.method, request.path, exc)
            return render_problem(Problem(400, "A value in the request is out of range.",
                                          type="malformed-request"))
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_problem(Problem(500, "An unexpected error occurred; nothing was saved.",
                                      type="internal-error"))
