"""Who may see and change a showcase: same visibility rules as artifacts."""
from __future__ import annotations

from ..portfolio.models import Showcase
from .artifacts import sees_shared, student_work_visible_clause
from .registry import Policy, register


@register
class ShowcasePolicy(Policy):
    model = Showcase

    def can_view(self, actor, showcase):
        return sees_shared(actor, showcase.owner_id, showcase.organization_id, showcase.visibility)

    def can_edit(self, actor, showcase):
        return actor.id == showcase.owner_id

    def visible(self, actor, select):
        return select.where(student_work_visible_clause(actor, Showcase.owner_id, Showcase.organization_id,
                                                        Showcase.visibility))
