"""Development guard: the public origin must be where the service is served.

Credential ids, did:web identifiers, share links and badge images are built
from PUBLIC_BASE_URL and signed for good, so a server reached on another
host or port (`PORT=5101 make run` with the default :5000) would silently
issue credentials pointing nowhere. In development every request checks the
Host it came in on; a mismatch is logged loudly once and shown as a banner on
every page until the setting is fixed.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import current_app, g, request

log = logging.getLogger(__name__)
_warned: set[str] = set()


def public_netloc(base_url: str) -> str:
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def served_netloc() -> str:
    host = request.host.lower()
    if host.startswith("["):  # IPv6 literal
        name, _, port = host[1:].partition("]")
        port = port.lstrip(":")
    else:
        name, _, port = host.partition(":")
    return f"{name}:{port or (443 if request.scheme == 'https' else 80)}"


# (PUBLIC_BASE_URL, Host header, scheme, server) -> the mismatch, or None: the answer
# never changes, so each request is one dict lookup. Bounded: Host is the client's.
_answers: dict[tuple, dict | None] = {}
_MAX_ANSWERS = 64


def check_origin() -> None:
    """Sets g.origin_mismatch (the two origins) when they differ, in development only."""
    config = current_app.config
    if config.get("SERVICE_ENV") != "development":
        return
    environ = request.environ
    key = (config["PUBLIC_BASE_URL"], environ.get("HTTP_HOST"), environ.get("wsgi.url_scheme"),
           environ.get("SERVER_NAME"), environ.get("SERVER_PORT"))
    if key not in _answers:
        if len(_answers) >= _MAX_ANSWERS:
            _answers.clear()
        _answers[key] = _mismatch(config["PUBLIC_BASE_URL"])
    if _answers[key] is not None:
        g.origin_mismatch = _answers[key]


def _mismatch(public: str) -> dict | None:
    if public_netloc(public) == served_netloc():
        return None
    served = f"{request.scheme}://{request.host}"
    if served not in _warned:
        _warned.add(served)
        log.warning("PUBLIC_BASE_URL is %s but this request reached %s: credentials, share links and "
                    "did:web ids would point at the wrong place. Restart with PUBLIC_BASE_URL=%s "
                    "(make run derives it from HOST and PORT).", public, served, served)
    return {"public": public, "served": served}
