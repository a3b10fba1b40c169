"""Who may see and change assessment objects.

Frameworks and their items: curriculum everyone in the organization may read;
only admins import, version or change them.

Rubrics: readable across the organization; teachers and admins write them, and
a rubric is revised (a new version) by its author or an admin.

Submissions (evidence offered for scoring). Read: the student-work rule
(student, their teachers, guardians, admins), plus blind raters of a
calibration session that includes the piece. Submit or reassess: the student
themselves. Score or return: only a teacher of the submission's own section.

Scores. An official score is student work (student, teachers, guardians,
admins). A calibration score is blind: only its rater, the session's creator
and admins see it, never the student and never the other raters.

Calibration sessions: teachers and admins create them; raters score; the
creator and admins see the agreement.

Learning plans: read by whoever may see the student's work; the student, their
teachers and admins change them and comment; guardians only read.
"""
from __future__ import annotations

import functools
import uuid

from sqlalchemy import ColumnElement, Select, Uuid, and_, bindparam, exists, false, or_, select as sql_select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Enrolment, Person, Role
from ..policies.registry import Policy, register
from ..portfolio.policies import register_reviewers
from ..policies.relations import (
    is_admin_of,
    may_see_student_work,
    students_of_teacher,
    taught_section_ids,
    teaches_student,
    wards_of,
)
from .models import (
    Assessment,
    CalibrationItem,
    CalibrationRater,
    CalibrationSession,
    Competency,
    Framework,
    LearningPlan,
    Rubric,
    Submission,
    SubmissionEvidence,
)

# -- frameworks ------------------------------------------------------------------------------------

@register
class FrameworkPolicy(Policy):
    model = Framework

    def can_view(self, actor: Person, framework: Framework) -> bool:
        return actor.organization_id == framework.organization_id

    def can_manage(self, actor: Person, framework: Framework) -> bool:
        return is_admin_of(actor, framework.organization_id)

    def visible(self, actor: Person, select: Select) -> Select:
        return select.where(Framework.organization_id == actor.organization_id)


@register
class CompetencyPolicy(Policy):
    model = Competency

    def can_view(self, actor: Person, competency: Competency) -> bool:
        return actor.organization_id == competency.organization_id

    def visible(self, actor: Person, select: Select) -> Select:
        return select.where(Competency.organization_id == actor.organization_id)


# -- rubrics ---------------------------------------------------------------------------------------

@register
class RubricPolicy(Policy):
    model = Rubric

    def can_view(self, actor: Person, rubric: Rubric) -> bool:
        return actor.organization_id == rubric.organization_id

    def can_create(self, actor: Person, rubric: Rubric) -> bool:
        return actor.organization_id == rubric.organization_id and actor.role in (Role.TEACHER.value,
                                                                                  Role.ADMIN.value)

    def can_revise(self, actor: Person, rubric: Rubric) -> bool:
        return is_admin_of(actor, rubric.organization_id) or (
            actor.role == Role.TEACHER.value and rubric.created_by_id == actor.id)

    def visible(self, actor: Person, select: Select) -> Select:
        return select.where(Rubric.organization_id == actor.organization_id)


# -- submissions -----------------------------------------------------------------------------------

def teaches_section(actor: Person, section_id: uuid.UUID) -> bool:
    return actor.role == Role.TEACHER.value and db.session.scalar(sql_select(Enrolment.id).where(
        Enrolment.section_id == section_id, Enrolment.person_id == actor.id,
        Enrolment.role == "teacher")) is not None


def scorable(actor: Person, select: Select) -> Select:
    """`select` of submissions narrowed to those the actor may score (can_score
    below, as a filter): a list checks the rule in SQL, not once per row."""
    if actor.role != Role.TEACHER.value:
        return select.where(false())
    return select.where(Submission.section_id.in_(sql_select(Enrolment.section_id).where(
        Enrolment.person_id == actor.id, Enrolment.role == "teacher")))


def rated_submission_ids(actor: Person) -> Select:
    """The submissions the actor rates in calibration, counting only sessions
    whose creator may see that student's work (an admin of the school or one of
    the student's teachers): naming a rater never grants more than the creator
    already had."""
    # Built once (its aliases and correlated EXISTS cost ~3 ms of CPU to construct, per
    # request, on every teacher's list of submissions); each call binds the rater.
    return _rated_submission_ids().params(rater_id=actor.id)


@functools.cache
def _rated_submission_ids() -> Select:
    creator = aliased(Person)
    taught, learning = aliased(Enrolment), aliased(Enrolment)
    creator_entitled = exists().where(
        creator.id == CalibrationSession.created_by_id, creator.organization_id == Submission.organization_id,
        or_(creator.role == Role.ADMIN.value,
            and_(creator.role == Role.TEACHER.value, exists().where(
                taught.person_id == creator.id, taught.role == "teacher",
                learning.section_id == taught.section_id, learning.role == "student",
                learning.person_id == Submission.student_id))))
    return (sql_select(CalibrationItem.submission_id)
            .join(CalibrationRater, CalibrationRater.session_id == CalibrationItem.session_id)
            .join(CalibrationSession, CalibrationSession.id == CalibrationItem.session_id)
            .join(Submission, Submission.id == CalibrationItem.submission_id)
            .where(CalibrationRater.rater_id == bindparam("rater_id", type_=Uuid), creator_entitled))


@register
class SubmissionPolicy(Policy):
    model = Submission

    def can_view(self, actor: Person, submission: Submission) -> bool:
        return (may_see_student_work(actor, submission.student_id, submission.organization_id)
                or bool(db.session.scalar(sql_select(exists(rated_submission_ids(actor).where(
                    CalibrationItem.submission_id == submission.id))))))

    def can_create(self, actor: Person, submission: Submission) -> bool:
        return actor.role == Role.STUDENT.value and actor.id == submission.student_id

    def can_reassess(self, actor: Person, submission: Submission) -> bool:
        return actor.id == submission.student_id

    def can_score(self, actor: Person, submission: Submission) -> bool:
        return teaches_section(actor, submission.section_id)

    def visible(self, actor: Person, select: Select) -> Select:
        if actor.role == Role.ADMIN.value:
            return select.where(Submission.organization_id == actor.organization_id)
        if actor.role == Role.TEACHER.value:
            return select.where(or_(Submission.student_id.in_(students_of_teacher(actor)),
                                    Submission.id.in_(rated_submission_ids(actor))))
        if actor.role == Role.GUARDIAN.value:
            return select.where(Submission.student_id.in_(wards_of(actor)))
        return select.where(Submission.student_id == actor.id)


# -- assessments -----------------------------------------------------------------------------------

@register
class AssessmentPolicy(Policy):
    model = Assessment

    def can_view(self, actor: Person, assessment: Assessment) -> bool:
        if assessment.kind == "official":
            return may_see_student_work(actor, assessment.submission.student_id, assessment.organization_id)
        if actor.id == assessment.assessor_id or is_admin_of(actor, assessment.organization_id):
            return True
        session = db.session.get(CalibrationSession, assessment.calibration_id)
        return session is not None and session.created_by_id == actor.id

    def visible(self, actor: Person, select: Select) -> Select:
        raise LookupError("list scores through their submission")


# -- calibrations ----------------------------------------------------------------------------------

@register
class CalibrationSessionPolicy(Policy):
    model = CalibrationSession

    def can_create(self, actor: Person, session: CalibrationSession) -> bool:
        return actor.organization_id == session.organization_id and actor.role in (Role.TEACHER.value,
                                                                                   Role.ADMIN.value)

    def can_view(self, actor: Person, session: CalibrationSession) -> bool:
        return (is_admin_of(actor, session.organization_id) or actor.id == session.created_by_id
                or any(r.rater_id == actor.id for r in session.raters))

    def can_rate(self, actor: Person, session: CalibrationSession) -> bool:
        return any(r.rater_id == actor.id for r in session.raters)

    def can_see_results(self, actor: Person, session: CalibrationSession) -> bool:
        return is_admin_of(actor, session.organization_id) or actor.id == session.created_by_id

    def visible(self, actor: Person, select: Select) -> Select:
        if actor.role == Role.ADMIN.value:
            return select.where(CalibrationSession.organization_id == actor.organization_id)
        mine = sql_select(CalibrationRater.session_id).where(CalibrationRater.rater_id == actor.id)
        return select.where(or_(CalibrationSession.created_by_id == actor.id, CalibrationSession.id.in_(mine)))


# -- learning plans --------------------------------------------------------------------------------

@register
class LearningPlanPolicy(Policy):
    model = LearningPlan

    def can_view(self, actor: Person, plan: LearningPlan) -> bool:
        return may_see_student_work(actor, plan.student_id, plan.organization_id)

    def can_edit(self, actor: Person, plan: LearningPlan) -> bool:
        return (actor.id == plan.student_id or is_admin_of(actor, plan.organization_id)
                or teaches_student(actor, plan.student_id))

    can_create = can_edit
    can_comment = can_edit

    def visible(self, actor: Person, select: Select) -> Select:
        if actor.role == Role.ADMIN.value:
            return select.where(LearningPlan.organization_id == actor.organization_id)
        if actor.role == Role.TEACHER.value:
            return select.where(LearningPlan.student_id.in_(students_of_teacher(actor)))
        if actor.role == Role.GUARDIAN.value:
            return select.where(LearningPlan.student_id.in_(wards_of(actor)))
        return select.where(LearningPlan.student_id == actor.id)


def reviewed_version_ids(actor: Person) -> Select:
    """The artifact versions submitted to the actor for review: evidence of
    submissions in sections they teach, or in calibration sessions they rate
    (portfolio lets reviewers open exactly these, whatever the artifact's visibility)."""
    reviewing: ColumnElement[bool] = Submission.id.in_(rated_submission_ids(actor))
    if actor.role == Role.TEACHER.value:
        reviewing = or_(Submission.section_id.in_(taught_section_ids(actor)), reviewing)
    return sql_select(SubmissionEvidence.artifact_version_id).join(
        Submission, Submission.id == SubmissionEvidence.submission_id).where(reviewing)


register_reviewers(reviewed_version_ids)
