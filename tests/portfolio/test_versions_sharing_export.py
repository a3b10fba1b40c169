"""Version immutability (locking), share links (expiry, revocation), export zip."""
from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.models import utcnow
from service.portfolio import lock_versions
from service.portfolio.models import ArtifactVersion, ShareLink, VersionLocked
from tests.support import portfolio as samples
from tests.support.portfolio import upload


def _two_versions(client, headers):
    r = upload(client, headers, samples.ESSAY, "essay.txt", title="Essay")
    upload(client, headers, samples.ESSAY + b"Revised.\n", "essay.txt", path=f"/api/v1/artifacts/{r.json['id']}/versions")
    return r.json["id"]


def _version(artifact_id, number):
    return db.session.scalar(db.select(ArtifactVersion).filter_by(artifact_id=uuid.UUID(artifact_id), number=number))


def test_locked_version_can_never_be_deleted_or_changed(client, factory, school):
    headers = factory.auth(school["s1"])
    artifact_id = _two_versions(client, headers)
    lock_versions([_version(artifact_id, 1)], "evidence for score 42")
    db.session.commit()
    base = f"/api/v1/artifacts/{artifact_id}"
    r = client.delete(f"{base}/versions/1", headers=headers)
    assert r.status_code == 409 and r.json["type"] == "/problems/version-locked"
    assert r.json["locked_reason"] == "evidence for score 42"
    r = client.patch(f"{base}/versions/1", json={"filename": "renamed.txt"}, headers=headers)
    assert r.status_code == 409
    r = client.delete(base, headers=headers)
    assert r.status_code == 409
    got = client.get(base, headers=headers).json
    assert got["locked"] is True and got["versions"][0]["locked"] is True
    # Unlocked versions stay editable: rename, then delete version 2.
    r = client.patch(f"{base}/versions/2", json={"filename": "final draft.exe"}, headers=headers)
    assert r.status_code == 200 and r.json["filename"] == "final draft.txt"  # extension follows the content
    assert client.delete(f"{base}/versions/2", headers=headers).status_code == 204
    assert [v["number"] for v in client.get(f"{base}/versions", headers=headers).json] == [1]
    # Locking again is idempotent and keeps the first reason.
    lock_versions([_version(artifact_id, 1)], "another credential")
    db.session.commit()
    assert _version(artifact_id, 1).locked_reason == "evidence for score 42"


def test_locked_version_is_protected_below_the_api(client, factory, school):
    """Other features' code and raw SQL cannot change a locked version either."""
    artifact_id = _two_versions(client, factory.auth(school["s1"]))
    version = _version(artifact_id, 1)
    lock_versions([version], "credential urn:uuid:1")
    db.session.commit()
    version.blob_digest = "0" * 64
    with pytest.raises(VersionLocked):
        db.session.commit()
    db.session.rollback()
    db.session.delete(_version(artifact_id, 1))
    with pytest.raises(VersionLocked):
        db.session.commit()
    db.session.rollback()
    for statement in ("UPDATE artifact_versions SET blob_digest = 'x' WHERE locked_at IS NOT NULL",
                      "DELETE FROM artifact_versions WHERE locked_at IS NOT NULL"):
        with pytest.raises(sa.exc.DatabaseError, match="locked"):
            with db.engine.begin() as conn:
                conn.execute(sa.text(statement))
    # Unlocked rows are unaffected by the triggers.
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE artifact_versions SET filename = 'ok.txt' WHERE locked_at IS NULL"))


def test_the_only_version_is_not_deleted_alone(client, factory, school):
    headers = factory.auth(school["s1"])
    artifact_id = upload(client, headers, samples.ESSAY, "a.txt").json["id"]
    assert client.delete(f"/api/v1/artifacts/{artifact_id}/versions/1", headers=headers).status_code == 409
    assert client.delete(f"/api/v1/artifacts/{artifact_id}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/artifacts/{artifact_id}", headers=headers).status_code == 404


def test_share_link_lifecycle(client, factory, school):
    owner = factory.auth(school["s1"])
    artifact_id = upload(client, owner, samples.pdf(), "essay.pdf", title="Shared essay").json["id"]
    r = client.post("/api/v1/share-links", json={"artifact_id": artifact_id}, headers=owner)
    assert r.status_code == 409  # private work is not shared by link
    client.patch(f"/api/v1/artifacts/{artifact_id}", json={"visibility": "link"}, headers=owner)
    r = client.post("/api/v1/share-links", json={"artifact_id": artifact_id, "label": "college",
                                                 "expires_in_days": 7}, headers=owner)
    assert r.status_code == 201
    token, link_id = r.json["token"], r.json["id"]
    assert r.json["url"] == f"https://badges.test/s/{token}" and len(token) >= 43
    # Only a hash is stored.
    stored = db.session.get(ShareLink, uuid.UUID(link_id))
    assert token not in (stored.token_hash,) and len(stored.token_hash) == 64
    page = client.get(f"/s/{token}")
    assert page.status_code == 200 and b"Shared essay" in page.data
    assert page.headers["Referrer-Policy"] == "no-referrer"
    data = client.get(f"/s/{token}", headers={"Accept": "application/json"}).json
    assert data["title"] == "Shared essay"
    content = client.get(data["content_url"])
    assert content.status_code == 200 and content.data == samples.pdf()
    assert content.headers["Content-Disposition"].startswith("attachment")
    # Not usable by anyone else to list or revoke.
    assert client.delete(f"/api/v1/share-links/{link_id}", headers=factory.auth(school["t1"])).status_code == 404
    assert client.get("/api/v1/share-links", headers=factory.auth(school["t1"])).json == []
    # Expiry.
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(f"/s/{token}").status_code == 404
    assert client.get(data["content_url"]).status_code == 404
    stored.expires_at = utcnow() + timedelta(days=1)
    db.session.commit()
    assert client.get(f"/s/{token}").status_code == 200
    # Making the work private again switches every link off.
    client.patch(f"/api/v1/artifacts/{artifact_id}", json={"visibility": "teachers"}, headers=owner)
    assert client.get(f"/s/{token}").status_code == 404
    client.patch(f"/api/v1/artifacts/{artifact_id}", json={"visibility": "link"}, headers=owner)
    # Revocation.
    assert client.delete(f"/api/v1/share-links/{link_id}", headers=owner).status_code == 204
    assert client.get(f"/s/{token}").status_code == 404
    listed = client.get("/api/v1/share-links", headers=owner).json
    assert listed[0]["revoked_at"] and listed[0]["active"] is False
    assert client.get("/s/not-a-real-token").status_code == 404


def test_share_link_to_a_showcase_opens_its_items_only(client, factory, school):
    owner = factory.auth(school["s1"])
    inside = upload(client, owner, samples.ESSAY, "in.txt").json["id"]
    outside = upload(client, owner, samples.ESSAY + b"x", "out.txt").json["id"]
    showcase = client.post("/api/v1/showcases", json={"title": "For colleges", "visibility": "link",
                                                      "artifact_ids": [inside], "confirm_exposure": True},
                           headers=owner).json
    token = client.post("/api/v1/share-links", json={"showcase_id": showcase["id"]}, headers=owner).json["token"]
    data = client.get(f"/s/{token}", headers={"Accept": "application/json"}).json
    assert [i["id"] for i in data["items"]] == [inside]
    assert client.get(f"/s/{token}/artifacts/{inside}/content").data == samples.ESSAY
    assert client.get(f"/s/{token}/artifacts/{outside}/content").status_code == 404


def test_export_zip_contains_everything_i_own(client, factory, school, storage_backend):
    owner = factory.auth(school["s1"])
    artifact_id = _two_versions(client, owner)
    client.patch(f"/api/v1/artifacts/{artifact_id}", json={"reflection": "What I learned"}, headers=owner)
    png_id = upload(client, owner, samples.png(), "pic.png").json["id"]
    client.post("/api/v1/artifacts", json={"kind": "link", "title": "Site", "url": "https://example.org/"},
                headers=owner)
    client.post("/api/v1/showcases", json={"title": "Best", "artifact_ids": [png_id]}, headers=owner)
    other = upload(client, factory.auth(school["s2"]), samples.pdf(), "other.pdf").json["id"]
    r = client.get("/api/v1/portfolio/export", headers=owner)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
    assert r.headers["Content-Disposition"].startswith("attachment")
    zf = zipfile.ZipFile(io.BytesIO(r.data))
    assert zf.testzip() is None
    names = set(zf.namelist())
    folder = f"portfolio/artifacts/{artifact_id}"
    assert {"manifest.json", f"{folder}/artifact.json", f"{folder}/reflection.txt", f"{folder}/v1/essay.txt",
            f"{folder}/v2/essay.txt", f"portfolio/artifacts/{png_id}/v1/pic.png", "portfolio/showcases.json"} <= names
    assert zf.read(f"{folder}/v1/essay.txt") == samples.ESSAY
    assert zf.read(f"{folder}/v2/essay.txt") == samples.ESSAY + b"Revised.\n"
    assert zf.read(f"{folder}/reflection.txt") == b"What I learned"
    meta = json.loads(zf.read(f"{folder}/artifact.json"))
    assert [v["number"] for v in meta["versions"]] == [1, 2] and meta["reflection"] == "What I learned"
    assert json.loads(zf.read("portfolio/showcases.json"))[0]["artifacts"] == [png_id]
    assert not any(other in n for n in names)  # only what I own
    assert set(json.loads(zf.read("manifest.json"))["files"]) == names - {"manifest.json"}


def test_features_contribute_to_the_export(client, factory, school):
    from service.portfolio import ExportEntry, register_export_contributor
    from service.portfolio import export

    register_export_contributor("credentials", lambda person: [
        ExportEntry("badge-1.json", json.dumps({"recipient": str(person.id)}).encode()),
        ExportEntry("big.bin", lambda: io.BytesIO(b"\x01" * 3_000_000))])
    try:
        r = client.get("/api/v1/portfolio/export", headers=factory.auth(school["s1"]))
        zf = zipfile.ZipFile(io.BytesIO(r.data))
        assert json.loads(zf.read("credentials/badge-1.json")) == {"recipient": str(school["s1"].id)}
        assert zf.read("credentials/big.bin") == b"\x01" * 3_000_000
    finally:
        export._CONTRIBUTORS.pop("credentials")
