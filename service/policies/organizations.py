"""Who may see and administer an organization."""
from __future__ import annotations

from sqlalchemy import Select

from ..models import Organization, Person
from .registry import Policy, register
from .relations import is_admin_of


@register
class OrganizationPolicy(Policy):
    model = Organization

    def can_view(self, actor: Person, org: Organization) -> bool:
        return actor.organization_id == org.id

    def can_manage(self, actor: Person, org: Organization) -> bool:
        return is_admin_of(actor, org.id)

    def visible(self, actor: Person, select: Select) -> Select:
        return select.where(Organization.id == actor.organization_id)
