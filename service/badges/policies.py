"""Who may define badge classes, issue, approve, revoke and see awards.

Badge classes: everyone in the organization sees them (students see what they
can earn); admins and teachers create them; admins and the creating teacher
change them. Awards are student work: `may_see_student_work` decides who sees
them. Teachers issue and approve only for students in their own sections;
revocation and suspension are for those teachers and the school's admins.
"""
from __future__ import annotations

from sqlalchemy import Select, false

from ..models import Person, Role
from ..policies.registry import Policy, register
from ..policies.relations import is_admin_of, may_see_student_work, students_of_teacher, teaches_student, wards_of
from .models import Award, BadgeClass


@register
class BadgeClassPolicy(Policy):
    model = BadgeClass

    def can_view(self, actor: Person, badge_class: BadgeClass) -> bool:
        return actor.organization_id == badge_class.organization_id

    def can_create(self, actor: Person, badge_class: BadgeClass) -> bool:
        return actor.organization_id == badge_class.organization_id and actor.role in (
            Role.ADMIN.value, Role.TEACHER.value)

    def can_edit(self, actor: Person, badge_class: BadgeClass) -> bool:
        return is_admin_of(actor, badge_class.organization_id) or (
            actor.role == Role.TEACHER.value and badge_class.created_by_id == actor.id)

    def can_bulk_issue(self, actor: Person, badge_class: BadgeClass) -> bool:
        return actor.organization_id == badge_class.organization_id and actor.role in (
            Role.ADMIN.value, Role.TEACHER.value)

    def visible(self, actor: Person, select: Select) -> Select:
        return select.where(BadgeClass.organization_id == actor.organization_id)


def may_issue_to(actor: Person, student: Person) -> bool:
    """Manual issuance: a teacher of one of the student's sections."""
    return (student is not None and actor.role == Role.TEACHER.value
            and actor.organization_id == student.organization_id and teaches_student(actor, student.id))


@register
class AwardPolicy(Policy):
    model = Award

    def can_view(self, actor: Person, award: Award) -> bool:
        return may_see_student_work(actor, award.recipient_id, award.organization_id)

    def can_approve(self, actor: Person, award: Award) -> bool:
        return actor.role == Role.TEACHER.value and teaches_student(actor, award.recipient_id)

    def can_share_evidence(self, actor: Person, award: Award) -> bool:
        """Choose which evidence the public badge page shows: the earner alone."""
        return actor.id == award.recipient_id

    def can_change_status(self, actor: Person, award: Award) -> bool:
        """Revoke, suspend, unsuspend."""
        return is_admin_of(actor, award.organization_id) or (
            actor.role == Role.TEACHER.value and teaches_student(actor, award.recipient_id))

    def visible(self, actor: Person, select: Select) -> Select:
        if actor.role == Role.ADMIN.value:
            return select.where(Award.organization_id == actor.organization_id)
        if actor.role == Role.TEACHER.value:
            return select.where(Award.recipient_id.in_(students_of_teacher(actor)))
        if actor.role == Role.GUARDIAN.value:
            return select.where(Award.recipient_id.in_(wards_of(actor)),
                                Award.status.not_in(("pending_approval", "rejected")))
        return select.where(Award.recipient_id == actor.id, Award.status.not_in(("pending_approval", "rejected")))


def approvable(actor: Person, select: Select) -> Select:
    """`select` of awards narrowed to those the actor may approve (can_approve
    above, as a filter): a count of them is one query, not one per award."""
    if actor.role != Role.TEACHER.value:
        return select.where(false())
    return select.where(Award.recipient_id.in_(students_of_teacher(actor)))
