"""Learning plans: read by whoever may see the student's work; the student,
their teachers and admins change them and comment; guardians only read."""
from __future__ import annotations

from ..assessment.models import LearningPlan
from ..models import Role
from .registry import Policy, register
from .relations import is_admin_of, may_see_student_work, students_of_teacher, teaches_student, wards_of


@register
class LearningPlanPolicy(Policy):
    model = LearningPlan

    def can_view(self, actor, plan):
        return may_see_student_work(actor, plan.student_id, plan.organization_id)

    def can_edit(self, actor, plan):
        return (actor.id == plan.student_id or is_admin_of(actor, plan.organization_id)
                or teaches_student(actor, plan.student_id))

    can_create = can_edit
    can_comment = can_edit

    def visible(self, actor, select):
        if actor.role == Role.ADMIN.value:
            return select.where(LearningPlan.organization_id == actor.organization_id)
        if actor.role == Role.TEACHER.value:
            return select.where(LearningPlan.student_id.in_(students_of_teacher(actor)))
        if actor.role == Role.GUARDIAN.value:
            return select.where(LearningPlan.student_id.in_(wards_of(actor)))
        return select.where(LearningPlan.student_id == actor.id)
