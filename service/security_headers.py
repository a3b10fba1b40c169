"""Security headers on every response (an after_request hook).

The headers are fixed per process, so they are built once; a header a view
or blueprint already set (a public portfolio's stricter Referrer-Policy, a
page's own CSP) is kept. The response's header names are read once, not once
per header (werkzeug's case-insensitive lookups scan the whole list each time).
"""
from __future__ import annotations

from flask import Flask, g, request

CSP = ("default-src 'self'; script-src {script}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'")
# The Swagger UI page bootstraps itself with an inline script.
_PAGE_CSP = CSP.format(script="'self'")
_DOCS_CSP = CSP.format(script="'self' 'unsafe-inline'")


def install(app: Flask) -> None:
    fixed = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "strict-origin-when-cross-origin"),
             ("X-Frame-Options", "DENY")]
    if app.config["SERVICE_ENV"] == "production":
        # Production is https only (config refuses another PUBLIC_BASE_URL):
        # browsers must never fall back to plain http, even on a typed URL.
        fixed.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    fixed_lower = [(name.lower(), name, value) for name, value in fixed]

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        present = {name.lower() for name, _ in headers}
        for lower, name, value in fixed_lower:
            if lower not in present:
                headers.add(name, value)
        if "content-security-policy" not in present and response.mimetype == "text/html":
            headers.add("Content-Security-Policy",
                        _DOCS_CSP if request.path.startswith("/api/docs") else _PAGE_CSP)
        if "cache-control" not in present and (g.get("token") is not None or request.path.startswith("/api/")):
            headers.add("Cache-Control", "no-store")
        return response
