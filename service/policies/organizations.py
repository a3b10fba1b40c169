"""Who may see and administer an organization."""
from __future__ import annotations

from ..models import Organization
from .registry import Policy, register
from .relations import is_admin_of


@register
class OrganizationPolicy(Policy):
    model = Organization

    def can_view(self, actor, org):
        return actor.organization_id == org.id

    def can_manage(self, actor, org):
        return is_admin_of(actor, org.id)

    def visible(self, actor, select):
        return select.where(Organization.id == actor.organization_id)
