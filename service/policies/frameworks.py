"""Competency frameworks and their items: curriculum everyone in the
organization may read; only admins import, version or change them."""
from __future__ import annotations

from ..assessment.models import Competency, Framework
from .registry import Policy, register
from .relations import is_admin_of


@register
class FrameworkPolicy(Policy):
    model = Framework

    def can_view(self, actor, framework):
        return actor.organization_id == framework.organization_id

    def can_manage(self, actor, framework):
        return is_admin_of(actor, framework.organization_id)

    def visible(self, actor, select):
        return select.where(Framework.organization_id == actor.organization_id)


@register
class CompetencyPolicy(Policy):
    model = Competency

    def can_view(self, actor, competency):
        return actor.organization_id == competency.organization_id

    def visible(self, actor, select):
        return select.where(Competency.organization_id == actor.organization_id)
