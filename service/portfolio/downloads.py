"""Serving stored files without ever letting them run in our origin.

Every response is an attachment unless the content is a passive image or
PDF (never SVG, never a PDF with scripts), carries `nosniff` and a sandbox
CSP. On S3 the client is redirected to a short-lived presigned URL that
forces the same attachment disposition.
"""
from __future__ import annotations


from flask import Response, redirect, request

from storage import BlobNotFound, content_disposition

from ..blobstore import get_store
from ..errors import Problem
from .models import ArtifactVersion

# Passive formats a browser may show in a tab; everything else downloads.
INLINE_SAFE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})
SANDBOX_CSP = "sandbox; default-src 'none'"
PRESIGNED_SECONDS = 300


def may_show_inline(version: ArtifactVersion) -> bool:
    return version.mime_type in INLINE_SAFE and not version.active_content


def send_version(version: ArtifactVersion, *, inline: bool = False) -> Response:
    if version.blob_digest is None:
        raise Problem(404, "This version is a link; it has no file to download.")
    store = get_store()
    disposition = content_disposition(version.filename)
    if inline and may_show_inline(version):
        disposition = "inline" + disposition[len("attachment"):]
    else:
        inline = False
    url = None if inline else store.presigned_url(version.blob_digest, version.filename, version.mime_type,
                                                  expires=PRESIGNED_SECONDS)
    if url:
        response = redirect(url, code=303)
    else:
        try:
            stream = store.open(version.blob_digest)
        except BlobNotFound:
            raise Problem(500, "The stored file is missing; the operators have been told.") from None
        response = Response(_chunks(stream), mimetype=version.mime_type or "application/octet-stream",
                            direct_passthrough=True)
        response.content_length = version.size
        response.headers["Content-Disposition"] = disposition
        response.headers["ETag"] = f'"{version.blob_digest}"'
        # Integrity for clients: RFC 9530 digest of the bytes we serve.
        response.headers["Repr-Digest"] = f"sha-256=:{_b64(version.blob_digest)}:"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX_CSP
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _chunks(stream, size: int = 1024 * 1024):
    try:
        while chunk := stream.read(size):
            yield chunk
    finally:
        stream.close()


def _b64(hex_digest: str) -> str:
    import base64

    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


def wants_inline() -> bool:
    return request.args.get("inline") in ("1", "true")


__all__ = ["INLINE_SAFE", "SANDBOX_CSP", "may_show_inline", "send_version", "wants_inline"]
