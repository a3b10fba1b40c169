"""Who may see and change a person's record."""
from __future__ import annotations

from sqlalchemy import Select

from sqlalchemy import or_

from ..models import Person, Role
from .registry import Policy, register
from .relations import is_admin_of, is_guardian_of, students_of_teacher, teaches_student, wards_of


@register
class PersonPolicy(Policy):
    model = Person

    def can_view(self, actor: Person, person: Person) -> bool:
        if actor.id == person.id or is_admin_of(actor, person.organization_id):
            return True
        if person.role == Role.STUDENT.value:
            return teaches_student(actor, person.id) or is_guardian_of(actor, person.id)
        return False

    def can_edit(self, actor: Person, person: Person) -> bool:
        # People change their own profile; admins change anyone in their school.
        return actor.id == person.id or is_admin_of(actor, person.organization_id)

    def can_administer(self, actor: Person, person: Person) -> bool:
        # Role, activation and enrolments: admins only, never on themselves
        # (so an organization cannot lose its last admin by accident).
        return is_admin_of(actor, person.organization_id) and actor.id != person.id

    def visible(self, actor: Person, select: Select) -> Select:
        if actor.role == Role.ADMIN.value:
            return select.where(Person.organization_id == actor.organization_id)
        if actor.role == Role.TEACHER.value:
            return select.where(or_(Person.id == actor.id, Person.id.in_(students_of_teacher(actor))))
        if actor.role == Role.GUARDIAN.value:
            return select.where(or_(Person.id == actor.id, Person.id.in_(wards_of(actor))))
        return select.where(Person.id == actor.id)

