"""A checked OneRoster upload waiting for the admin's confirmation: its files are
kept under the upload temp folder, named by a random token and tied to the admin
who uploaded them, for at most STAGED_HOURS. (One host: a confirmation reaching
another host finds nothing and asks for the files again.)"""
from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from flask import current_app

STAGED_HOURS = 1
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def _root() -> Path:
    root = Path(current_app.config.get("UPLOAD_TMP_DIR") or tempfile.gettempdir()) / "roster-staged"
    root.mkdir(parents=True, exist_ok=True)
    return root


def stage(person_id, files: dict[str, str]) -> str:
    """Keep the files for a later confirmation; returns the token."""
    _sweep()
    token = secrets.token_urlsafe(24)
    folder = _root() / token
    folder.mkdir(mode=0o700)
    (folder / "files.json").write_text(json.dumps({"person_id": str(person_id), "files": files}), encoding="utf-8")
    return token


def take(person_id, token: str) -> dict[str, str] | None:
    """The staged files of this person's token, removed from the staging folder; None if gone."""
    if not _TOKEN.match(token or ""):
        return None
    folder = _root() / token
    try:
        data = json.loads((folder / "files.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("person_id") != str(person_id):
        return None
    shutil.rmtree(folder, ignore_errors=True)
    return data["files"]


def _sweep() -> None:
    cutoff = time.time() - STAGED_HOURS * 3600
    for folder in _root().iterdir():
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass
