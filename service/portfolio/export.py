""""Export everything I own" as one zip, streamed to the client.

Features add their own files through `register_export_contributor`: a
function `contribute(person) -> Iterable[ExportEntry]` called inside the
request (it may query the database). Entries whose content is a callable are
opened only while the zip is being streamed, so large files are never held
in memory. The portfolio itself is the first contributor.
"""
from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterable, Iterator

from ..blobstore import get_store
from ..extensions import db
from ..models import Person
from .models import Artifact, Showcase

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ExportEntry:
    """One file in the export zip. `content` is bytes, or a callable returning
    a readable binary stream (called lazily while streaming)."""

    path: str
    content: bytes | Callable[[], BinaryIO]


Contributor = Callable[[Person], Iterable[ExportEntry]]
_CONTRIBUTORS: dict[str, Contributor] = {}


def register_export_contributor(name: str, contribute: Contributor) -> None:
    """Credentials, transcripts... register here; `name` is also their folder."""
    _CONTRIBUTORS[name] = contribute


def export_entries(person: Person) -> list[ExportEntry]:
    entries: list[ExportEntry] = []
    seen: set[str] = set()
    for name, contribute in _CONTRIBUTORS.items():
        for entry in contribute(person):
            path = _safe_path(f"{name}/{entry.path}")
            if path in seen:
                raise ValueError(f"export entry {path} given twice")
            seen.add(path)
            entries.append(ExportEntry(path, entry.content))
    manifest = {"person": {"id": str(person.id), "display_name": person.display_name, "email": person.email},
                "sections": sorted(_CONTRIBUTORS), "files": [e.path for e in entries]}
    return [ExportEntry("manifest.json", _json(manifest)), *entries]


def stream_zip(entries: list[ExportEntry]) -> Iterator[bytes]:
    """Yield a zip archive chunk by chunk (zip64 data descriptors: no seeking)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for entry in entries:
            info = zipfile.ZipInfo(entry.path, date_time=(2026, 1, 1, 0, 0, 0))
            if isinstance(entry.content, bytes):
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, entry.content)
                yield sink.take()
                continue
            # Stored files are usually compressed already (images, video, office).
            info.compress_type = zipfile.ZIP_STORED
            with entry.content() as source, zf.open(info, "w", force_zip64=True) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    if sink.pending > CHUNK:
                        yield sink.take()
            yield sink.take()
    yield sink.take()


class _Sink:
    """A write-only, unseekable file that hands its bytes to the generator."""

    def __init__(self):
        self._parts: list[bytes] = []
        self.pending = 0
        self._offset = 0

    def write(self, data) -> int:
        data = bytes(data)
        self._parts.append(data)
        self.pending += len(data)
        self._offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self._offset

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self.pending = 0
        return data


def _safe_path(path: str) -> str:
    parts = [re.sub(r"[^\w.\- ]", "_", p).strip(". ") or "_" for p in path.split("/") if p not in ("", ".", "..")]
    return "/".join(parts)


def _json(value) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True).encode()


def _portfolio_entries(person: Person) -> Iterator[ExportEntry]:
    """Artifacts (every version's file), reflections and metadata; showcases."""
    store = get_store()
    artifacts = db.session.scalars(db.select(Artifact).where(Artifact.owner_id == person.id)
                                  .order_by(Artifact.created_at)).all()
    for artifact in artifacts:
        folder = f"artifacts/{artifact.id}"
        meta = {"id": str(artifact.id), "kind": artifact.kind, "title": artifact.title,
                "description": artifact.description, "reflection": artifact.reflection,
                "visibility": artifact.visibility, "created_at": artifact.created_at.isoformat(),
                "updated_at": artifact.updated_at.isoformat(),
                "tags": [{"competency_ref": t.competency_ref, "label": t.label} for t in artifact.tags],
                "versions": []}
        for v in artifact.versions:
            item = {"number": v.number, "created_at": v.created_at.isoformat(), "url": v.url,
                    "sha256": v.blob_digest, "size": v.size, "mime_type": v.mime_type,
                    "original_filename": v.original_filename,
                    "locked_at": v.locked_at.isoformat() if v.locked_at else None, "locked_reason": v.locked_reason}
            if v.blob_digest:
                item["file"] = f"v{v.number}/{v.filename}"
                yield ExportEntry(f"{folder}/{item['file']}", _opener(store, v.blob_digest))
            meta["versions"].append(item)
        yield ExportEntry(f"{folder}/artifact.json", _json(meta))
        if artifact.reflection:
            yield ExportEntry(f"{folder}/reflection.txt", artifact.reflection.encode())
    showcases = db.session.scalars(db.select(Showcase).where(Showcase.owner_id == person.id)
                                   .order_by(Showcase.created_at)).all()
    yield ExportEntry("showcases.json", _json([
        {"id": str(s.id), "title": s.title, "description": s.description, "visibility": s.visibility,
         "artifacts": [str(i.artifact_id) for i in s.items]} for s in showcases]))


def _opener(store, digest):
    return lambda: store.open(digest)


register_export_contributor("portfolio", _portfolio_entries)
