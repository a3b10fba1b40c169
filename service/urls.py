"""The service's own URLs, recognised in one place: by the router that serves them.

A credential names our issuers, keys, status lists, credentials and evidence by
URL; when one of those comes back to us (a visitor verifies a credential we
issued, a CLR names our credit policy), we answer from the database instead of
fetching ourselves. Whether a URL is ours, and which page it is, is decided
here: first the origin (scheme, host and port exactly PUBLIC_BASE_URL's, no
user info, under its path), then Flask's own `url_map`, so a URL is ours
exactly when the app would serve it, with the same converters. Features turn
a `Route` into their objects next to the functions that build those URLs
(`badges/urls.py`, `transcript/urls.py`): one build/parse pair per kind.
"""
from __future__ import annotations

from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

__all__ = ["Route", "base_url", "own_path", "own_route"]


def base_url() -> str:
    """PUBLIC_BASE_URL without a trailing slash: the origin (and path) every public URL starts with."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


class Route(NamedTuple):
    endpoint: str  # the Flask endpoint, e.g. "badges_public.credential"
    args: dict  # its view arguments, converted (a <uuid:...> is a uuid.UUID)


def own_path(url: str) -> str | None:
    """The path (with query) of ``url`` when it points into this service, else None."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"].rstrip("/"))
    try:
        parts = urlsplit(url)
        port, base_port = parts.port, base.port
    except (ValueError, TypeError, AttributeError):
        return None
    if (parts.scheme.lower(), (parts.hostname or "").lower(), port) != (base.scheme, (base.hostname or "").lower(),
                                                                        base_port):
        return None
    if parts.username is not None or parts.password is not None:
        return None
    prefix = base.path.rstrip("/")
    if prefix and not (parts.path == prefix or parts.path.startswith(prefix + "/")):
        return None
    path = parts.path[len(prefix):] or "/"
    return path + (f"?{parts.query}" if parts.query else "")


def own_route(url: str, method: str = "GET") -> Route | None:
    """Which of our pages ``url`` is (endpoint and arguments), or None when it is
    not ours or no route of ours serves it. The query string is ignored, as the
    router ignores it; a URL the router would redirect (a missing trailing slash)
    is the page it redirects to."""
    path = own_path(url)
    if path is None:
        return None
    path = unquote(path.split("?", 1)[0])  # as the server hands it to the router (PATH_INFO is decoded)
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    try:
        endpoint, args = adapter.match(path, method)
    except RequestRedirect as redirect:
        target = own_path(redirect.new_url)
        if target is None:
            return None
        try:
            endpoint, args = adapter.match(unquote(target.split("?", 1)[0]), method)
        except HTTPException:
            return None
    except HTTPException:  # NotFound, MethodNotAllowed
        return None
    return Route(str(endpoint), dict(args))
