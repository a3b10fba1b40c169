"""Who may see and change portfolio objects: artifacts (and so their versions
and tags), showcases and share links.

private   -> the owner only
teachers  -> also the student's teachers, guardians (read-only) and school admins
link      -> as teachers, plus anyone holding a valid share link (see portfolio.sharing)
public    -> everyone, signed in or not

A showcase shares its items: whoever may view a showcase may view what is in it,
and a showcase itself follows the same visibility rules as an artifact.

Submitting work shares exactly the submitted versions with the reviewers:
the teachers of the submission's section and the raters of a calibration
session that includes it may open those versions whatever the artifact's
visibility (the feature that takes submissions says who reviews what through
`register_reviewers`; portfolio itself knows nothing of submissions). The artifact itself (its other versions, reflection, listing)
stays as private as the student set it.

Share links are the owner's business alone: nobody else lists or revokes them.
"""
from __future__ import annotations

import uuid
from typing import Any

from collections.abc import Callable

from sqlalchemy import ColumnElement, Select, exists, false, literal, or_, select as sql_select, union

from ..extensions import db
from ..models import Person, Role
from ..policies.registry import Policy, register
from ..policies.relations import may_see_student_work, students_of_teacher, wards_of
from .models import Artifact, ArtifactVersion, ShareLink, Showcase, ShowcaseItem

# -- artifacts -------------------------------------------------------------------------------------

SHARED = ("teachers", "link", "public")


def student_work_visible_clause(actor: Person, owner_col: Any, org_col: Any, visibility_col: Any) -> ColumnElement[bool]:
    """SQL for 'actor may see this student-owned row' under the visibility rules above."""
    related = None
    if actor.role == Role.ADMIN.value:
        related = org_col == actor.organization_id
    elif actor.role == Role.TEACHER.value:
        related = owner_col.in_(students_of_teacher(actor))
    elif actor.role == Role.GUARDIAN.value:
        related = owner_col.in_(wards_of(actor))
    clauses = [owner_col == actor.id, visibility_col == "public"]
    if related is not None:
        clauses.append(related & visibility_col.in_(SHARED))
    return or_(*clauses)


def sees_shared(actor: Person, owner_id: uuid.UUID, org_id: uuid.UUID, visibility: str) -> bool:
    if actor.id == owner_id or visibility == "public":
        return True
    return visibility in SHARED and may_see_student_work(actor, owner_id, org_id)


def _in_visible_showcase(actor: Person, artifact: Artifact) -> bool:
    showcases = db.session.scalars(sql_select(Showcase).join(ShowcaseItem, ShowcaseItem.showcase_id == Showcase.id)
                                   .where(ShowcaseItem.artifact_id == artifact.id,
                                          Showcase.visibility != "private")).all()
    return any(sees_shared(actor, s.owner_id, s.organization_id, s.visibility) for s in showcases)


@register
class ArtifactPolicy(Policy):
    model = Artifact

    def can_view(self, actor: Person, artifact: Artifact) -> bool:
        return (sees_shared(actor, artifact.owner_id, artifact.organization_id, artifact.visibility)
                or _in_visible_showcase(actor, artifact))

    # Only the student changes their own work; teachers, guardians and admins read.
    def can_edit(self, actor: Person, artifact: Artifact) -> bool:
        return actor.id == artifact.owner_id

    def visible(self, actor: Person, select: Select) -> Select:
        direct = student_work_visible_clause(actor, Artifact.owner_id, Artifact.organization_id,
                                             Artifact.visibility)
        via_showcase = Artifact.id.in_(
            sql_select(ShowcaseItem.artifact_id).join(Showcase, Showcase.id == ShowcaseItem.showcase_id)
            .where(student_work_visible_clause(actor, Showcase.owner_id, Showcase.organization_id,
                                               Showcase.visibility)))
        return select.where(or_(direct, via_showcase))


# Each returns a SELECT of the artifact version ids submitted to the actor for review.
ReviewedVersions = Callable[[Person], Select]
_REVIEWERS: list[ReviewedVersions] = []


def register_reviewers(reviewed: ReviewedVersions) -> None:
    """A feature that takes submissions of artifact versions (assessment) says who reviews which."""
    if reviewed not in _REVIEWERS:
        _REVIEWERS.append(reviewed)


def reviewed_version_ids(actor: Person) -> Select:
    """A subquery of the artifact versions submitted to the actor for review
    (the union of what every registered feature says)."""
    if not _REVIEWERS:
        return sql_select(ArtifactVersion.id).where(false())
    if len(_REVIEWERS) == 1:
        return _REVIEWERS[0](actor)
    return sql_select(union(*(reviewed(actor) for reviewed in _REVIEWERS)).subquery().c[0])


@register
class ArtifactVersionPolicy(Policy):
    """A version: whoever may view its artifact, plus its reviewers (see above)."""

    model = ArtifactVersion

    def can_view(self, actor: Person, version: ArtifactVersion) -> bool:
        if ArtifactPolicy().can_view(actor, version.artifact):
            return True
        return bool(db.session.scalar(sql_select(literal(version.id).in_(reviewed_version_ids(actor)))))

    def visible(self, actor: Person, select: Select) -> Select:
        artifacts = ArtifactPolicy().visible(actor, sql_select(Artifact.id))
        return select.where(or_(ArtifactVersion.artifact_id.in_(artifacts),
                                ArtifactVersion.id.in_(reviewed_version_ids(actor))))


def anyone_may_view(artifact: Artifact) -> bool:
    """Without an account: public artifacts, and items of public showcases."""
    if artifact.visibility == "public":
        return True
    return bool(db.session.scalar(sql_select(exists().where(
        ShowcaseItem.artifact_id == artifact.id, ShowcaseItem.showcase_id == Showcase.id,
        Showcase.visibility == "public"))))


# -- showcases -------------------------------------------------------------------------------------

@register
class ShowcasePolicy(Policy):
    model = Showcase

    def can_view(self, actor: Person, showcase: Showcase) -> bool:
        return sees_shared(actor, showcase.owner_id, showcase.organization_id, showcase.visibility)

    def can_edit(self, actor: Person, showcase: Showcase) -> bool:
        return actor.id == showcase.owner_id

    def visible(self, actor: Person, select: Select) -> Select:
        return select.where(student_work_visible_clause(actor, Showcase.owner_id, Showcase.organization_id,
                                                        Showcase.visibility))


# -- share links -----------------------------------------------------------------------------------

@register
class ShareLinkPolicy(Policy):
    model = ShareLink

    def can_view(self, actor: Person, link: ShareLink) -> bool:
        return actor.id == link.owner_id

    def can_revoke(self, actor: Person, link: ShareLink) -> bool:
        return actor.id == link.owner_id

    def visible(self, actor: Person, select: Select) -> Select:
        return select.where(ShareLink.owner_id == actor.id)


__all__ = ["ArtifactPolicy", "ArtifactVersionPolicy", "ShareLinkPolicy", "ShowcasePolicy", "anyone_may_view",
           "reviewed_version_ids", "sees_shared", "student_work_visible_clause"]
