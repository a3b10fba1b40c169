"""Request bodies: only upload endpoints take large ones; every other endpoint
refuses more than BODY_LIMIT_BYTES before reading a byte (issue 14)."""
from __future__ import annotations

import io

import pytest

MiB = 1024 * 1024


class TrackedBody(io.RawIOBase):
    """A request body of `size` bytes that remembers how much was read."""

    def __init__(self, size: int, chunk: bytes = b"["):
        self.size, self.pos, self.read_bytes, self.chunk = size, 0, 0, chunk

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.pos

    def seek(self, offset, whence=0):
        # werkzeug's test client measures the stream's length this way.
        self.pos = self.size + offset if whence == 2 else offset
        return self.pos

    def readinto(self, buffer):
        n = max(0, min(len(buffer), self.size - self.pos))
        buffer[:n] = (self.chunk * n)[:n]
        self.pos += n
        self.read_bytes += n
        return n


def post_body(client, path, size, content_type="application/json", headers=None):
    body = TrackedBody(size)
    response = client.post(path, input_stream=body, content_type=content_type,
                           headers={"Content-Length": str(size), **(headers or {})})
    return response, body


@pytest.mark.parametrize("path", ["/api/v1/tokens", "/login", "/api/v1/people"])
def test_large_bodies_to_ordinary_endpoints_are_refused_unread(client, path):
    response, body = post_body(client, path, 300 * MiB)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json" or path == "/login"
    assert body.read_bytes == 0


def test_the_refusal_is_problem_json_naming_the_limit(client):
    response, _ = post_body(client, "/api/v1/tokens", 2 * MiB)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.json["type"] == "/problems/payload-too-large"
    assert response.json["limit"] == 1 * MiB


def test_a_body_within_the_limit_is_read_as_before(client, factory):
    org = factory.org()
    factory.person("student", org)
    response = client.post("/api/v1/tokens", json={"email": "x@example.test", "password": "p" * 10,
                                                   "name": "n" * 50, "scopes": ["read"]})
    assert response.status_code == 401


def test_verification_takes_a_few_mebibytes(client):
    # A baked image or a credential of a few MiB is still verified, not refused for size.
    big = b'{"credential": "' + b"x" * (4 * MiB) + b'"}'
    response = client.post("/api/v1/verify", data=big, content_type="application/json")
    assert response.status_code != 413


def test_uploads_still_take_large_files(client, factory, app):
    from tests.support.portfolio import upload

    org = factory.org()
    student = factory.person("student", org)
    data = b"%PDF-1.4\n" + b"0" * (3 * MiB) + b"\n%%EOF\n"
    response = upload(client, factory.auth(student), data, "big.pdf")
    assert response.status_code in (201, 422), response.json
    assert response.status_code != 413


def test_a_chunked_body_is_cut_off_at_the_limit(client):
    body = TrackedBody(50 * MiB)
    response = client.post("/api/v1/tokens", input_stream=body, content_type="application/json",
                           environ_overrides={"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"})
    assert response.status_code == 413
    assert body.read_bytes <= 2 * MiB
