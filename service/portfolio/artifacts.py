"""Artifacts and their versions: the operations the API and the pages share.

These functions add and flush rows and write the audit log, but never
commit: the caller commits once, so a failure leaves nothing half-written.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import BinaryIO, Iterable
from urllib.parse import urlsplit

from flask import current_app

from .. import audit, blobstore
from ..errors import Problem, field_error, validation_problem
from ..extensions import db
from ..models import Person, Role, utcnow
from .inspection import UploadRejected
from .models import VISIBILITIES, Artifact, ArtifactVersion, CompetencyTag, ShareLink, ShowcaseItem
from .uploads import receive_upload


@dataclass(frozen=True)
class FileContent:
    """A file that is inspected and safely in the blob store."""

    digest: str
    size: int
    mime_type: str
    active_content: bool
    original_filename: str | None
    filename: str


def upload_problem(exc: UploadRejected) -> Problem:
    status = 413 if exc.reason_code == "too_large" else 422
    return Problem(status, exc.message, type="upload-rejected", title="Upload rejected", reason=exc.reason_code)


# Uploads up to this size are read into memory and hashed before they are stored.
SMALL_UPLOAD = 1024 * 1024


def _read_up_to(stream: BinaryIO, size: int) -> bytes:
    """`size` bytes, or fewer only at the end of the stream (a socket read may return less)."""
    parts, left = [], size
    while left > 0:
        data = stream.read(left)
        if not data:
            break
        parts.append(data)
        left -= len(data)
    return b"".join(parts)


class _Rejoined(io.RawIOBase):
    """The bytes already read from a stream, then the rest of it."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size is None or size < 0:
                data, self._head = self._head + self._rest.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._rest.read(size)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def ingest_file(stream: BinaryIO, filename: str | None) -> FileContent:
    """Inspect the upload and write it to the blob store (before any row commits).

    Refusals become a 413/422 `upload-rejected` problem naming the reason."""
    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    tmp_dir = current_app.config.get("UPLOAD_TMP_DIR") or None
    # Held from before the bytes reach the store until the transaction that
    # adds the version row ends: a concurrent refusal of the same bytes must
    # not delete them under us (service/blobstore.py). A small upload is read
    # and hashed first, so its hold names its digest from the start: one write
    # transaction fewer, which on SQLite (one writer) is most of what
    # concurrent uploads wait for (bench/bench_load.py).
    head = _read_up_to(stream, SMALL_UPLOAD + 1)
    if len(head) <= SMALL_UPLOAD:
        hold = blobstore.hold(digest=hashlib.sha256(head).hexdigest())
        stream = io.BytesIO(head)
    else:
        hold = blobstore.hold()
        stream = _Rejoined(head, stream)
    try:
        got = receive_upload(blobstore.get_store(), stream, filename, max_bytes=max_bytes, tmp_dir=tmp_dir,
                             on_stored=hold.stored, discard=lambda digest: blobstore.discard(digest, hold=hold))
    except UploadRejected as exc:
        hold.release()
        raise upload_problem(exc) from None
    except BaseException:
        hold.release()
        raise
    hold.release_after_transaction()
    return FileContent(got.digest, got.size, got.inspection.mime_type, got.inspection.active_content,
                       got.original_filename, got.filename)


def check_url(url: str | None) -> str:
    """Links must be absolute http(s) URLs: never javascript:, data: or file:."""
    parts = urlsplit((url or "").strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(url) > 2000:
        raise validation_problem([field_error("url", "must be an absolute http:// or https:// URL")])
    return url.strip()


def create_artifact(owner: Person, *, kind: str, title: str, description=None, reflection=None,
                    visibility="private", content: FileContent | None = None, url: str | None = None) -> Artifact:
    if owner.role != Role.STUDENT.value:
        raise Problem(403, "Only students keep a portfolio.")
    if visibility not in VISIBILITIES:
        raise validation_problem([field_error("visibility", f"must be one of {', '.join(VISIBILITIES)}")])
    # Empty collections from the start: a new artifact has no versions nor tags to load.
    artifact = Artifact(owner_id=owner.id, organization_id=owner.organization_id, kind=kind, title=title,
                        description=description, reflection=reflection, visibility=visibility, versions=[], tags=[])
    db.session.add(artifact)
    db.session.flush()
    audit.record("artifact.create", obj=artifact, kind=kind, visibility=visibility)
    add_version(artifact, owner, content=content, url=url, first=True)
    return artifact


def add_version(artifact: Artifact, actor: Person, *, content: FileContent | None = None,
                url: str | None = None, first: bool = False) -> ArtifactVersion:
    """A new upload is a new version; earlier versions stay as they were.
    `first`: the artifact was created in this transaction (create_artifact),
    so this is version 1 and its versions list is known without a query."""
    number = 1 if first else (db.session.scalar(db.select(db.func.max(ArtifactVersion.number))
                                                .where(ArtifactVersion.artifact_id == artifact.id)) or 0) + 1
    version = ArtifactVersion(artifact_id=artifact.id, number=number, created_by_id=actor.id)
    if artifact.kind == "file":
        if content is None:
            raise validation_problem([field_error("file", "a file artifact needs a file")])
        version.blob_digest, version.size, version.mime_type = content.digest, content.size, content.mime_type
        version.active_content = content.active_content
        version.original_filename, version.filename = content.original_filename, content.filename
    else:
        version.url = check_url(url)
    if first:
        artifact.versions.append(version)  # created with the artifact: its updated_at already says when
        db.session.flush()
    else:
        db.session.add(version)
        artifact.updated_at = utcnow()
        db.session.flush()
        db.session.refresh(artifact, ["versions"])
    audit.record("artifact.version.add", obj=artifact, number=number, digest=version.blob_digest, url=version.url)
    return version


EDITABLE = ("title", "description", "reflection", "visibility")


def update_artifact(artifact: Artifact, changes: dict) -> Artifact:
    for key in EDITABLE:
        if key in changes:
            setattr(artifact, key, changes[key])
    audit.record("artifact.update", obj=artifact, fields=sorted(k for k in changes if k in EDITABLE),
                 visibility=artifact.visibility)
    return artifact


def set_tags(artifact: Artifact, tags: Iterable[dict]) -> None:
    """Replace the artifact's competency tags with `tags` ({competency_ref, label})."""
    wanted = {}
    for tag in tags:
        wanted[tag["competency_ref"]] = tag.get("label")
    for existing in list(artifact.tags):
        if existing.competency_ref not in wanted:
            artifact.tags.remove(existing)
        else:
            existing.label = wanted.pop(existing.competency_ref)
    for ref, label in wanted.items():
        artifact.tags.append(CompetencyTag(competency_ref=ref, label=label))
    db.session.flush()
    audit.record("artifact.tags", obj=artifact, tags=sorted(t.competency_ref for t in artifact.tags))


def _locked_conflict(what: str, version: ArtifactVersion) -> Problem:
    return Problem(409, f"{what}: version {version.number} is locked ({version.locked_reason or 'evidence'}).",
                   type="version-locked", number=version.number, locked_reason=version.locked_reason)


def delete_artifact(artifact: Artifact) -> None:
    """Refused while any version is locked: evidence is never lost."""
    for version in artifact.versions:
        if version.locked_at is not None:
            raise _locked_conflict("This artifact cannot be deleted", version)
    db.session.execute(db.delete(ShowcaseItem).where(ShowcaseItem.artifact_id == artifact.id))
    db.session.execute(db.delete(ShareLink).where(ShareLink.artifact_id == artifact.id))
    audit.record("artifact.delete", obj=artifact, title=artifact.title,
                 digests=[v.blob_digest for v in artifact.versions if v.blob_digest])
    db.session.delete(artifact)
    db.session.flush()


def delete_version(version: ArtifactVersion) -> None:
    if version.locked_at is not None:
        raise _locked_conflict("This version cannot be deleted", version)
    artifact = version.artifact
    if len(artifact.versions) == 1:
        raise Problem(409, "An artifact keeps at least one version; delete the artifact instead.")
    audit.record("artifact.version.delete", obj=artifact, number=version.number, digest=version.blob_digest)
    artifact.versions.remove(version)
    db.session.flush()


def rename_version(version: ArtifactVersion, filename: str) -> None:
    """Change the download name of an unlocked file version (its bytes never change)."""
    if version.locked_at is not None:
        raise _locked_conflict("This version cannot be changed", version)
    if version.blob_digest is None:
        raise validation_problem([field_error("filename", "link versions have no file name")])
    from .inspection import Inspection, safe_filename

    extension = (version.filename or "").rpartition(".")[2]
    inspection = Inspection(version.mime_type, extension, "", version.active_content)
    old, version.filename = version.filename, safe_filename(filename, inspection)
    audit.record("artifact.version.rename", obj=version.artifact, number=version.number, old=old,
                 new=version.filename)


def lock_versions(versions: Iterable[ArtifactVersion], reason: str) -> list[ArtifactVersion]:
    """Make versions permanent: evidence for a score or a credential.

    Other features call this in their own transaction. Locking an already
    locked version keeps its first reason and time (idempotent).
    """
    if not reason or len(reason) > 200:
        raise ValueError("a lock reason of 1..200 characters is required")
    locked = []
    now = utcnow()
    for version in versions:
        if version.locked_at is None:
            version.locked_at, version.locked_reason = now, reason
            audit.record("artifact.version.lock", obj=version.artifact, number=version.number, reason=reason)
        locked.append(version)
    db.session.flush()
    return locked
