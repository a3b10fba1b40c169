"""`flask --app service cleanup-blobs`: remove blobs no row references.

A blob is written before its row commits, so an interrupted upload leaves an
orphan; this command removes orphans older than a grace period, and never a
blob that any registered reference check claims. Other features that store
blobs register a check with `register_blob_reference`.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Callable

import click

from storage import remove_orphans

from ..blobstore import get_store
from ..extensions import db
from .models import ArtifactVersion

_REFERENCE_CHECKS: list[Callable[[str], bool]] = []


def register_blob_reference(check: Callable[[str], bool]) -> None:
    """`check(digest)` answers True when the feature still needs that blob."""
    _REFERENCE_CHECKS.append(check)


def _artifact_references(digest: str) -> bool:
    return db.session.scalar(db.select(ArtifactVersion.id).where(ArtifactVersion.blob_digest == digest)
                             .limit(1)) is not None


register_blob_reference(_artifact_references)


def is_referenced(digest: str) -> bool:
    return any(check(digest) for check in _REFERENCE_CHECKS)


def cleanup_blobs(grace: timedelta) -> list[str]:
    return remove_orphans(get_store(), is_referenced, grace)


@click.command("cleanup-blobs")
@click.option("--grace-hours", type=float, default=24.0, show_default=True,
              help="Only blobs older than this may go (uploads in flight are younger).")
def cleanup_blobs_command(grace_hours):
    """Delete stored files that no artifact version (or other feature) references."""
    if grace_hours < 0:
        raise click.BadParameter("must not be negative", param_hint="--grace-hours")
    removed = cleanup_blobs(timedelta(hours=grace_hours))
    for digest in removed:
        click.echo(f"removed {digest}")
    click.echo(f"{len(removed)} orphan blob(s) removed")
