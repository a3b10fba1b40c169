"""Fetching a URL a stranger gave us, without becoming their proxy into our network.

Only http(s); the host's addresses are resolved once, every one must be a public
(global) address, and the connection goes to exactly that checked address (no
DNS rebinding between check and connect). Redirects are followed by hand and
re-checked; bodies are capped and every socket operation has a timeout.

URLs under our own PUBLIC_BASE_URL never touch the network: callers look them
up internally first (verification.py), and `fetch` dispatches whatever is left
to the app itself as an anonymous request.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from flask import current_app

from ..urls import own_path

__all__ = ["FetchError", "Fetched", "fetch", "own_path"]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TIMEOUT = 5.0
MAX_REDIRECTS = 3
_USER_AGENT = "mastery-credentials-verifier/1"


class FetchError(Exception):
    """The URL cannot or may not be fetched; the message says why, for the user."""


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    content_type: str
    body: bytes


def fetch(url: str, *, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = DEFAULT_TIMEOUT,
          accept: str = "*/*") -> Fetched:
    """GET ``url`` safely; raises FetchError with a readable reason."""
    if not isinstance(url, str) or not url.strip():
        raise FetchError("no URL given")
    url = url.strip()
    deadline = time.monotonic() + timeout * (MAX_REDIRECTS + 1)
    for _ in range(MAX_REDIRECTS + 1):
        path = own_path(url)
        if path is not None:
            return _fetch_own(url, path, max_bytes, accept)
        status, headers, body = _fetch_remote(url, max_bytes, timeout, accept, deadline)
        if status in (301, 302, 303, 307, 308):
            location = headers.get("location")
            if not location:
                raise FetchError(f"{url} redirects without a Location")
            url = urljoin(url, location)
            continue
        if status == 410:
            raise FetchError(f"{url} is gone (HTTP 410)")
        if not 200 <= status < 300:
            raise FetchError(f"{url} answered HTTP {status}")
        return Fetched(url, status, headers.get("content-type", ""), body)
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _fetch_own(url: str, path: str, max_bytes: int, accept: str) -> Fetched:
    # A fresh application context gives the inner request its own `g` and
    # database session, so it runs anonymously and cannot disturb the caller's.
    from werkzeug.test import Client

    app = current_app._get_current_object()
    with app.app_context():
        response = Client(app).get(path, base_url=app.config["PUBLIC_BASE_URL"], headers={"Accept": accept})
        try:
            body = response.get_data()
        finally:
            response.close()
    if response.status_code == 410:
        raise FetchError(f"{url} is gone (HTTP 410)")
    if not 200 <= response.status_code < 300:
        raise FetchError(f"{url} answered HTTP {response.status_code}")
    if len(body) > max_bytes:
        raise FetchError(f"{url} is larger than {max_bytes} bytes")
    return Fetched(url, response.status_code, response.headers.get("Content-Type", ""), body)


def _allowed_exceptions() -> set[str]:
    # Only for tests and closed deployments: "host:port" pairs that may be
    # fetched even though they resolve to private or loopback addresses.
    return {str(x).lower() for x in current_app.config.get("BADGE_FETCH_ALLOW_PRIVATE", ())}


def _check_address(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from None
    addresses = []
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        addresses.append(ip)
    if not addresses:
        raise FetchError(f"host {host!r} has no address")
    if f"{host.lower()}:{port}" not in _allowed_exceptions():
        for ip in addresses:
            if not is_public_address(ip):
                raise FetchError(f"refusing to fetch from {host}: it is a private, loopback or reserved address")
    return str(addresses[0])


# NAT64 (RFC 6052 well-known prefix): the last 32 bits are an IPv4 address the
# translator connects to, so 64:ff9b::7f00:1 reaches 127.0.0.1.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d


def embedded_ipv4(ip) -> list:
    """The IPv4 addresses an IPv6 address leads to: mapped, NAT64, 6to4
    (2002::/16), Teredo (server and client) and IPv4-compatible forms."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found = []
    if ip.ipv4_mapped:
        found.append(ip.ipv4_mapped)
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour:
        found.append(ip.sixtofour)
    if ip.teredo:
        found.extend(ip.teredo)
    return found


def is_public_address(ip) -> bool:
    """A global unicast address that embeds no private, loopback or reserved IPv4 address."""
    return all(a.is_global and not a.is_multicast for a in [ip, *embedded_ipv4(ip)])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, ip, timeout):
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self):
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, ip, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self):
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _fetch_remote(url: str, max_bytes: int, timeout: float, accept: str, deadline: float):
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"only http and https URLs can be fetched, not {scheme or 'a relative URL'!r}")
    if not parts.hostname:
        raise FetchError("the URL has no host")
    if parts.username or parts.password:
        raise FetchError("URLs with user names or passwords are refused")
    port = port or (443 if scheme == "https" else 80)
    if time.monotonic() > deadline:
        raise FetchError("timed out")
    ip = _check_address(parts.hostname, port)
    cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    conn = cls(parts.hostname, port, ip, timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request("GET", target, headers={"Accept": accept, "User-Agent": _USER_AGENT,
                                             "Accept-Encoding": "identity"})
        response = conn.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        length = headers.get("content-length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise FetchError(f"{url} is larger than {max_bytes} bytes")
        chunks, size = [], 0
        while True:
            if time.monotonic() > deadline:
                raise FetchError(f"fetching {url} timed out")
            chunk = response.read(min(65536, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"{url} is larger than {max_bytes} bytes")
        return response.status, headers, b"".join(chunks)
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"fetching {url} failed: {exc or type(exc).__name__}") from None
    finally:
        conn.close()
