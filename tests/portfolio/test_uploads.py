"""Uploads end to end through the HTTP API, on the local folder and on S3:
accepted types are stored and served safely; the attack corpus is refused
with a reason, leaving no row and no blob; an interrupted upload leaves no row."""
from __future__ import annotations

import hashlib
import socket
from urllib.parse import urlsplit

import pytest
import requests

from service.extensions import db
from service.portfolio.models import Artifact, ArtifactVersion
from tests.support import portfolio as samples
from tests.support.portfolio import stored_digests, upload, upload_multipart


def _rows():
    return db.session.scalar(db.select(db.func.count()).select_from(Artifact)), \
        db.session.scalar(db.select(db.func.count()).select_from(ArtifactVersion))


def _download(client, headers, r, number=1):
    """Follow the API download (a presigned S3 redirect goes to the S3 server over real HTTP)."""
    response = client.get(f"/api/v1/artifacts/{r.json['id']}/versions/{number}/content", headers=headers)
    if response.status_code == 303:
        location = response.headers["Location"]
        assert urlsplit(location).query  # presigned: signature in the query
        real = requests.get(location, timeout=10)
        return response, real.status_code, real.headers, real.content
    return response, response.status_code, response.headers, response.get_data()


def test_pdf_upload_is_stored_verified_and_downloadable(client, factory, school, store, storage_backend):
    s1 = school["s1"]
    headers = factory.auth(s1)
    data = samples.pdf()
    r = upload(client, headers, data, "My Essay.PDF", title="Essay", reflection="I learned a lot")
    assert r.status_code == 201, r.json
    version = r.json["versions"][0]
    assert version["sha256"] == hashlib.sha256(data).hexdigest()
    assert (version["mime_type"], version["size"], version["filename"]) == ("application/pdf", len(data),
                                                                            "My Essay.pdf")
    assert r.json["title"] == "Essay" and r.json["visibility"] == "private"
    assert store.exists(version["sha256"]) and store.verify(version["sha256"])
    response, status, got_headers, body = _download(client, headers, r)
    assert status == 200 and body == data
    assert got_headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''My%20Essay.pdf" in got_headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_multipart_upload_and_new_version(client, factory, school, store, storage_backend):
    headers = factory.auth(school["s1"])
    r = upload_multipart(client, headers, samples.png(), "drawing.png", title="Drawing", visibility="teachers")
    assert r.status_code == 201, r.json
    assert r.json["visibility"] == "teachers" and r.json["versions"][0]["mime_type"] == "image/png"
    r2 = upload(client, headers, samples.png(2, 2), "drawing-v2.png",
                path=f"/api/v1/artifacts/{r.json['id']}/versions")
    assert r2.status_code == 201 and r2.json["number"] == 2
    versions = client.get(f"/api/v1/artifacts/{r.json['id']}/versions", headers=headers).json
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[0]["sha256"] != versions[1]["sha256"]  # version 1 untouched
    assert {v["sha256"] for v in versions} <= stored_digests(store)



def test_upload_answer_is_what_is_stored(client, factory, school):
    """The upload's answer is built from the values it wrote, not read back
    (service.extensions.commit_keeping_loaded): it equals a later GET, and the
    first version is number 1."""
    headers = factory.auth(school["s1"])
    r = upload(client, headers, samples.png(), "drawing.png", title="Drawing", reflection="Shading")
    assert r.status_code == 201, r.json
    again = client.get(f"/api/v1/artifacts/{r.json['id']}", headers=headers)
    assert again.status_code == 200 and again.json == r.json
    assert r.json["versions"][0]["number"] == 1 and r.json["tags"] == [] and r.json["locked"] is False

ATTACKS = [
    ("renamed executable", samples.ELF, "homework.pdf", 422, "executable"),
    ("HTML as jpg", samples.HTML, "photo.jpg", 422, "html"),
    ("zip bomb", samples.zip_bomb(), "project.zip", 422, "zip_bomb"),
    ("empty", b"", "nothing.txt", 422, "empty_file"),
    ("shell script as png", b"#!/bin/sh\nrm -rf ~\n", "cat.png", 422, "type_mismatch"),
]


@pytest.mark.parametrize("name,data,filename,status,reason", ATTACKS, ids=[a[0] for a in ATTACKS])
def test_attack_corpus_is_refused_and_nothing_kept(client, factory, school, store, storage_backend,
                                                   name, data, filename, status, reason):
    headers = factory.auth(school["s1"])
    before = stored_digests(store)
    r = upload(client, headers, data, filename)
    assert r.status_code == status, r.json
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json["type"] == "/problems/upload-rejected" and r.json["reason"] == reason
    assert _rows() == (0, 0)
    assert stored_digests(store) == before
    # The same through multipart (the upload page's path).
    r = upload_multipart(client, headers, data or b"", filename)
    assert r.status_code == status and r.json["reason"] == reason
    assert _rows() == (0, 0) and stored_digests(store) == before


def test_oversize_upload_is_refused(app, client, factory, school, store, storage_backend):
    app.config["MAX_UPLOAD_BYTES"] = 64 * 1024
    headers = factory.auth(school["s1"])
    r = upload(client, headers, b"line of text\n" * 10_000, "big.txt")
    assert r.status_code == 413
    assert r.json["type"] == "/problems/upload-rejected" and r.json["reason"] == "too_large"
    assert _rows() == (0, 0) and stored_digests(store) == set()


def test_svg_is_kept_but_only_ever_downloaded_as_attachment(client, factory, school, storage_backend):
    headers = factory.auth(school["s1"])
    r = upload(client, headers, samples.SVG_WITH_SCRIPT, "logo.svg")
    assert r.status_code == 201
    assert r.json["versions"][0]["active_content"] is True
    # Even when asked for inline, SVG is an attachment.
    response = client.get(f"/api/v1/artifacts/{r.json['id']}/versions/1/content?inline=1", headers=headers)
    if response.status_code == 303:
        real = requests.get(response.headers["Location"], timeout=10)
        assert real.headers["Content-Disposition"].startswith("attachment")
    else:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_passive_png_may_be_shown_inline(client, factory, school):
    headers = factory.auth(school["s1"])
    r = upload(client, headers, samples.png(), "pic.png")
    inline = client.get(f"/api/v1/artifacts/{r.json['id']}/versions/1/content?inline=1", headers=headers)
    assert inline.headers["Content-Disposition"].startswith("inline")
    assert inline.headers["Content-Type"] == "image/png"
    assert inline.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    default = client.get(f"/api/v1/artifacts/{r.json['id']}/versions/1/content", headers=headers)
    assert default.headers["Content-Disposition"].startswith("attachment")


def test_interrupted_upload_leaves_no_row(app, live_url, factory, school, store):
    """The client promises 1 MiB and hangs up half way: no row; the partial
    bytes never reach the store (they were only in a temporary file)."""
    token = factory.token(school["s1"])
    host, port = urlsplit(live_url).hostname, urlsplit(live_url).port
    with socket.create_connection((host, port)) as sock:
        sock.sendall((f"POST /api/v1/artifacts/files?filename=essay.txt HTTP/1.1\r\nHost: {host}\r\n"
                      f"Authorization: Bearer {token}\r\nContent-Type: application/octet-stream\r\n"
                      f"Content-Length: {1024 * 1024}\r\n\r\n").encode() + b"a" * 300_000)
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(10)
        try:
            while sock.recv(65536):
                pass
        except OSError:
            pass
    with app.app_context():
        db.session.remove()
        assert _rows() == (0, 0)
    assert stored_digests(store) == set()


def test_orphan_blob_is_cleaned_up_but_referenced_blob_kept(app, client, factory, school, store,
                                                             storage_backend):
    """A crash after the blob was written but before the row committed leaves
    an orphan; cleanup-blobs removes it after the grace period, never a referenced one."""
    import io

    headers = factory.auth(school["s1"])
    kept = upload(client, headers, samples.pdf(), "kept.pdf").json["versions"][0]["sha256"]
    orphan = store.put(io.BytesIO(b"bytes whose row never committed")).digest
    runner = app.test_cli_runner()
    result = runner.invoke(args=["cleanup-blobs", "--grace-hours", "1"])
    assert result.exit_code == 0, result.output
    assert store.exists(orphan) and store.exists(kept)  # both younger than the grace period
    result = runner.invoke(args=["cleanup-blobs", "--grace-hours", "0"])
    assert result.exit_code == 0, result.output
    assert f"removed {orphan}" in result.output
    assert not store.exists(orphan) and store.exists(kept)


def test_upload_without_body_or_to_a_link_artifact(client, factory, school):
    headers = factory.auth(school["s1"])
    r = client.post("/api/v1/artifacts/files?filename=x.txt", headers=headers)
    assert r.status_code == 422 and r.json["reason"] == "empty_file"
    link = client.post("/api/v1/artifacts", json={"kind": "link", "title": "Site", "url": "https://example.org/"},
                       headers=headers)
    assert link.status_code == 201
    r = client.post(f"/api/v1/artifacts/{link.json['id']}/versions", json={"url": "javascript:alert(1)"},
                    headers=headers)
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "url"
    r = client.post(f"/api/v1/artifacts/{link.json['id']}/versions", json={"url": "https://example.org/v2"},
                    headers=headers)
    assert r.status_code == 201 and r.json["url"] == "https://example.org/v2"


def test_only_students_upload(client, factory, school):
    r = upload(client, factory.auth(school["t1"]), samples.ESSAY, "notes.txt")
    assert r.status_code == 403
