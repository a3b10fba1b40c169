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


def check_origin() -> None:
    """Sets g.origin_mismatch (the two origins) when they differ, in development only."""
    if current_app.config.get("SERVICE_ENV") != "development":
        return
    public = current_app.config["PUBLIC_BASE_URL"]
    if public_netloc(public) == served_netloc():
        return
    served = f"{request.scheme}://{request.host}"
    g.origin_mismatch = {"public": public, "served": served}
    if served not in _warned:
        _warned.add(served)
        log.warning("PUBLIC_BASE_URL is %s but this request reached %s: credentials, share links and "
                    "did:web ids would point at the wrong place. Restart with PUBLIC_BASE_URL=%s "
                    "(make run derives it from HOST and PORT).", public, served, served)

