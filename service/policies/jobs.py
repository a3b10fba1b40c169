"""Background jobs: a job's creator and their school's admins follow its
progress; nobody else learns that it exists (404)."""
from __future__ import annotations

from sqlalchemy import Select

from ..models import Job, Person, Role
from .registry import Policy, register


@register
class JobPolicy(Policy):
    model = Job

    def can_view(self, actor: Person, job: Job) -> bool:
        return job.organization_id == actor.organization_id and (
            job.created_by_id == actor.id or actor.role == Role.ADMIN.value)

    def visible(self, actor: Person, select: Select) -> Select:
        select = select.where(Job.organization_id == actor.organization_id)
        if actor.role == Role.ADMIN.value:
            return select
        return select.where(Job.created_by_id == actor.id)
