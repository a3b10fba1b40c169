"""Showcases: a student's collections of artifacts, in the order they choose."""
from __future__ import annotations

from .. import audit
from ..errors import Problem, field_error, validation_problem
from ..extensions import db
from ..models import Person, Role
from .models import Artifact, ShareLink, Showcase, ShowcaseItem


def create_showcase(owner: Person, *, title: str, description=None, visibility="private",
                    artifact_ids=()) -> Showcase:
    if owner.role != Role.STUDENT.value:
        raise Problem(403, "Only students keep a portfolio.")
    showcase = Showcase(owner_id=owner.id, organization_id=owner.organization_id, title=title,
                        description=description, visibility=visibility)
    db.session.add(showcase)
    db.session.flush()
    audit.record("showcase.create", obj=showcase, visibility=visibility)
    if artifact_ids:
        set_items(showcase, owner, artifact_ids)
    return showcase


def update_showcase(showcase: Showcase, changes: dict) -> None:
    for key in ("title", "description", "visibility"):
        if key in changes:
            setattr(showcase, key, changes[key])
    audit.record("showcase.update", obj=showcase, fields=sorted(changes), visibility=showcase.visibility)


def set_items(showcase: Showcase, owner: Person, artifact_ids) -> None:
    """Make the showcase hold exactly `artifact_ids`, in that order (only the owner's artifacts)."""
    ids = list(artifact_ids)
    if len(set(ids)) != len(ids):
        raise validation_problem([field_error("artifact_ids", "lists an artifact twice")])
    owned = set(db.session.scalars(db.select(Artifact.id).where(Artifact.id.in_(ids),
                                                                 Artifact.owner_id == owner.id)))
    unknown = [str(i) for i in ids if i not in owned]
    if unknown:
        raise validation_problem([field_error("artifact_ids", f"not your artifacts: {', '.join(unknown)}")])
    by_artifact = {item.artifact_id: item for item in showcase.items}
    for artifact_id, item in by_artifact.items():
        if artifact_id not in owned:
            showcase.items.remove(item)
    db.session.flush()
    # Positions are rewritten from 1..n: no gaps, no ties.
    for position, artifact_id in enumerate(ids, start=1):
        item = by_artifact.get(artifact_id)
        if item is None:
            showcase.items.append(ShowcaseItem(artifact_id=artifact_id, position=position))
        else:
            item.position = position
    db.session.flush()
    db.session.refresh(showcase, ["items"])
    audit.record("showcase.items", obj=showcase, artifact_ids=[str(i) for i in ids])


def move_item(showcase: Showcase, owner: Person, artifact_id, offset: int) -> None:
    """Move one item up (-1) or down (+1): the pages' reorder buttons."""
    ids = [item.artifact_id for item in showcase.items]
    if artifact_id not in ids:
        raise Problem(404, "That artifact is not in this showcase.")
    i = ids.index(artifact_id)
    j = min(max(i + offset, 0), len(ids) - 1)
    ids[i], ids[j] = ids[j], ids[i]
    set_items(showcase, owner, ids)


def delete_showcase(showcase: Showcase) -> None:
    db.session.execute(db.delete(ShareLink).where(ShareLink.showcase_id == showcase.id))
    audit.record("showcase.delete", obj=showcase, title=showcase.title)
    db.session.delete(showcase)
    db.session.flush()
