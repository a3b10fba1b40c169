"""Rubrics: readable across the organization; teachers and admins write them,
and a rubric is revised (a new version) by its author or an admin."""
from __future__ import annotations

from ..assessment.models import Rubric
from ..models import Role
from .registry import Policy, register
from .relations import is_admin_of


@register
class RubricPolicy(Policy):
    model = Rubric

    def can_view(self, actor, rubric):
        return actor.organization_id == rubric.organization_id

    def can_create(self, actor, rubric):
        return actor.organization_id == rubric.organization_id and actor.role in (Role.TEACHER.value,
                                                                                  Role.ADMIN.value)

    def can_revise(self, actor, rubric):
        return is_admin_of(actor, rubric.organization_id) or (
            actor.role == Role.TEACHER.value and rubric.created_by_id == actor.id)

    def visible(self, actor, select):
        return select.where(Rubric.organization_id == actor.organization_id)
