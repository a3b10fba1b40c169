"""Who may see a section, its roster, and change it."""
from __future__ import annotations

from sqlalchemy import Select

from sqlalchemy import select as sql_select

from ..extensions import db
from ..models import Enrolment, Person, Role, Section
from .registry import Policy, register
from .relations import is_admin_of


def _enrolled_as(actor: Person, section: Section, role: str) -> bool:
    return db.session.scalar(sql_select(Enrolment.id).where(
        Enrolment.section_id == section.id, Enrolment.person_id == actor.id, Enrolment.role == role)) is not None


@register
class SectionPolicy(Policy):
    model = Section

    def can_view(self, actor: Person, section: Section) -> bool:
        return (is_admin_of(actor, section.organization_id)
                or _enrolled_as(actor, section, "teacher")
                or _enrolled_as(actor, section, "student"))

    def can_view_roster(self, actor: Person, section: Section) -> bool:
        return is_admin_of(actor, section.organization_id) or _enrolled_as(actor, section, "teacher")

    # Teachers score and issue within their own sections only.
    def can_teach(self, actor: Person, section: Section) -> bool:
        return actor.role == Role.TEACHER.value and _enrolled_as(actor, section, "teacher")

    def can_manage(self, actor: Person, section: Section) -> bool:
        return is_admin_of(actor, section.organization_id)

    def visible(self, actor: Person, select: Select) -> Select:
        if actor.role == Role.ADMIN.value:
            return select.where(Section.organization_id == actor.organization_id)
        mine = sql_select(Enrolment.section_id).where(Enrolment.person_id == actor.id)
        return select.where(Section.id.in_(mine))
