"""Submissions (evidence offered for scoring).

Read: the student-work rule (student, their teachers, guardians, admins),
plus blind raters of a calibration session that includes the piece.
Submit or reassess: the student themselves. Score or return: only a teacher
of the submission's own section."""
from __future__ import annotations

from sqlalchemy import exists, or_, select as sql_select

from ..assessment.models import CalibrationItem, Submission
from ..extensions import db
from ..models import Enrolment, Role
from .registry import Policy, register
from .relations import may_see_student_work, students_of_teacher, wards_of


def teaches_section(actor, section_id) -> bool:
    return actor.role == Role.TEACHER.value and db.session.scalar(sql_select(Enrolment.id).where(
        Enrolment.section_id == section_id, Enrolment.person_id == actor.id,
        Enrolment.role == "teacher")) is not None


def _calibration_submissions(actor):
    from .calibrations import rated_submission_ids

    return rated_submission_ids(actor)


@register
class SubmissionPolicy(Policy):
    model = Submission

    def can_view(self, actor, submission):
        return (may_see_student_work(actor, submission.student_id, submission.organization_id)
                or bool(db.session.scalar(sql_select(exists(_calibration_submissions(actor).where(
                    CalibrationItem.submission_id == submission.id))))))

    def can_create(self, actor, submission):
        return actor.role == Role.STUDENT.value and actor.id == submission.student_id

    def can_reassess(self, actor, submission):
        return actor.id == submission.student_id

    def can_score(self, actor, submission):
        return teaches_section(actor, submission.section_id)

    def visible(self, actor, select):
        if actor.role == Role.ADMIN.value:
            return select.where(Submission.organization_id == actor.organization_id)
        if actor.role == Role.TEACHER.value:
            return select.where(or_(Submission.student_id.in_(students_of_teacher(actor)),
                                    Submission.id.in_(_calibration_submissions(actor))))
        if actor.role == Role.GUARDIAN.value:
            return select.where(Submission.student_id.in_(wards_of(actor)))
        return select.where(Submission.student_id == actor.id)

