"""Showcases: a student's collections of artifacts, in the order they choose.

A showcase shares everything in it, so putting a private artifact into a
shared showcase (or widening a showcase that holds one) shows that artifact to
more people than its own setting says. That never happens silently: the
change is refused with 409 `exposure-not-confirmed`, listing the artifacts,
until the student confirms it (`confirm_exposure`, or the page's button).
"""
from __future__ import annotations

from .. import audit
from ..errors import Problem, field_error, register_problem_type, validation_problem
from ..extensions import db
from ..models import Person, Role
from .models import Artifact, ShareLink, Showcase, ShowcaseItem


# How widely each visibility shares, narrowest first.
VISIBILITY_RANK = {"private": 0, "teachers": 1, "link": 2, "public": 3}

register_problem_type("exposure-not-confirmed",
                      "The change would show artifacts to more people than their own visibility allows; "
                      "`exposed` lists them. Repeat it with confirm_exposure to go ahead.")


def exposed_by(visibility: str, artifacts) -> list[Artifact]:
    """The artifacts a showcase of `visibility` would show more widely than they are set."""
    rank = VISIBILITY_RANK.get(visibility, 0)
    return [a for a in artifacts if VISIBILITY_RANK.get(a.visibility, 0) < rank]


def check_exposure(visibility: str, artifact_ids, confirmed: bool) -> None:
    if confirmed or not artifact_ids or visibility == "private":
        return
    artifacts = db.session.scalars(db.select(Artifact).where(Artifact.id.in_(list(artifact_ids)))).all()
    exposed = exposed_by(visibility, artifacts)
    if exposed:
        titles = ", ".join(repr(a.title) for a in exposed[:5]) + (" and more" if len(exposed) > 5 else "")
        raise Problem(409, f"This would show {titles} to {_AUDIENCE[visibility]}, though "
                           f"{'it is' if len(exposed) == 1 else 'they are'} set to be seen by fewer people. "
                           "Confirm to make them visible through this showcase.",
                      type="exposure-not-confirmed", exposed=[
                          {"id": str(a.id), "title": a.title, "visibility": a.visibility} for a in exposed],
                      showcase_visibility=visibility)


_AUDIENCE = {"teachers": "your teachers", "link": "anyone with a share link", "public": "everyone"}


def create_showcase(owner: Person, *, title: str, description=None, visibility="private",
                    artifact_ids=(), confirm_exposure: bool = False) -> Showcase:
    if owner.role != Role.STUDENT.value:
        raise Problem(403, "Only students keep a portfolio.")
    check_exposure(visibility, artifact_ids, confirm_exposure)
    showcase = Showcase(owner_id=owner.id, organization_id=owner.organization_id, title=title,
                        description=description, visibility=visibility)
    db.session.add(showcase)
    db.session.flush()
    audit.record("showcase.create", obj=showcase, visibility=visibility)
    if artifact_ids:
        set_items(showcase, owner, artifact_ids, confirm_exposure=True)  # checked above
    return showcase


def update_showcase(showcase: Showcase, changes: dict, *, confirm_exposure: bool = False) -> None:
    widened = VISIBILITY_RANK.get(changes.get("visibility"), -1) > VISIBILITY_RANK.get(showcase.visibility, 0)
    if widened:
        check_exposure(changes["visibility"], [i.artifact_id for i in showcase.items], confirm_exposure)
    for key in ("title", "description", "visibility"):
        if key in changes:
            setattr(showcase, key, changes[key])
    audit.record("showcase.update", obj=showcase, fields=sorted(changes), visibility=showcase.visibility)


def set_items(showcase: Showcase, owner: Person, artifact_ids, *, confirm_exposure: bool = False) -> None:
    """Make the showcase hold exactly `artifact_ids`, in that order (only the owner's artifacts)."""
    ids = list(artifact_ids)
    current = {item.artifact_id for item in showcase.items}
    check_exposure(showcase.visibility, [i for i in ids if i not in current], confirm_exposure)
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
    set_items(showcase, owner, ids, confirm_exposure=True)  # same items: nothing newly shown


def delete_showcase(showcase: Showcase) -> None:
    db.session.execute(db.delete(ShareLink).where(ShareLink.showcase_id == showcase.id))
    audit.record("showcase.delete", obj=showcase, title=showcase.title)
    db.session.delete(showcase)
    db.session.flush()
