"""Who may request, see, issue, share and revoke transcripts, and edit the
credit policy and school profile (registered with service.policies).

A transcript is student work: the student, their teachers, their guardians and
the school's admins see it. The student or an admin requests one; only an
admin (the registrar) issues, declines or revokes; the student or an admin
shares it. Credit policies are public once published; admins change them.
"""
from __future__ import annotations

from ..models import Role
from ..policies.registry import Policy, register
from ..policies.relations import is_admin_of, may_see_student_work, students_of_teacher, wards_of
from .models import CreditPolicy, RequirementSet, SchoolProfile, Transcript


def may_request_for(actor, student) -> bool:
    return student is not None and actor is not None and actor.is_active and (
        actor.id == student.id or is_admin_of(actor, student.organization_id))


@register
class TranscriptPolicy(Policy):
    model = Transcript

    def can_view(self, actor, transcript):
        return may_see_student_work(actor, transcript.student_id, transcript.organization_id)

    def can_review(self, actor, transcript):
        """Issue, decline or revoke: the registrar."""
        return is_admin_of(actor, transcript.organization_id)

    def can_share(self, actor, transcript):
        return actor.id == transcript.student_id or is_admin_of(actor, transcript.organization_id)

    def visible(self, actor, select):
        if actor.role == Role.ADMIN.value:
            return select.where(Transcript.organization_id == actor.organization_id)
        if actor.role == Role.TEACHER.value:
            return select.where(Transcript.student_id.in_(students_of_teacher(actor)))
        if actor.role == Role.GUARDIAN.value:
            return select.where(Transcript.student_id.in_(wards_of(actor)))
        return select.where(Transcript.student_id == actor.id)


@register
class CreditPolicyPolicy(Policy):
    model = CreditPolicy

    def can_view(self, actor, row):
        return True  # published at a public URL

    def can_edit(self, actor, row):
        return is_admin_of(actor, row.organization_id)

    def visible(self, actor, select):
        return select.where(CreditPolicy.organization_id == actor.organization_id)


@register
class SchoolProfilePolicy(Policy):
    model = SchoolProfile

    def can_view(self, actor, row):
        return True  # shown with every transcript

    def can_edit(self, actor, row):
        return is_admin_of(actor, row.organization_id)

    def visible(self, actor, select):
        return select.where(SchoolProfile.organization_id == actor.organization_id)


@register
class RequirementSetPolicy(Policy):
    """Colleges' requirement sets: everyone in the school reads them; admins import and delete."""

    model = RequirementSet

    def can_view(self, actor, row):
        return actor.organization_id == row.organization_id

    def can_edit(self, actor, row):
        return is_admin_of(actor, row.organization_id)

    def visible(self, actor, select):
        return select.where(RequirementSet.organization_id == actor.organization_id)
