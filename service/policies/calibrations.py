"""Calibration sessions: teachers and admins create them; raters score;
the creator and admins see the agreement."""
from __future__ import annotations

from sqlalchemy import and_, exists, or_, select as sql_select
from sqlalchemy.orm import aliased

from ..assessment.models import CalibrationItem, CalibrationRater, CalibrationSession, Submission
from ..models import Enrolment, Person, Role
from .registry import Policy, register
from .relations import is_admin_of


@register
class CalibrationSessionPolicy(Policy):
    model = CalibrationSession

    def can_create(self, actor, session):
        return actor.organization_id == session.organization_id and actor.role in (Role.TEACHER.value,
                                                                                   Role.ADMIN.value)

    def can_view(self, actor, session):
        return (is_admin_of(actor, session.organization_id) or actor.id == session.created_by_id
                or any(r.rater_id == actor.id for r in session.raters))

    def can_rate(self, actor, session):
        return any(r.rater_id == actor.id for r in session.raters)

    def can_see_results(self, actor, session):
        return is_admin_of(actor, session.organization_id) or actor.id == session.created_by_id

    def visible(self, actor, select):
        if actor.role == Role.ADMIN.value:
            return select.where(CalibrationSession.organization_id == actor.organization_id)
        mine = sql_select(CalibrationRater.session_id).where(CalibrationRater.rater_id == actor.id)
        return select.where(or_(CalibrationSession.created_by_id == actor.id, CalibrationSession.id.in_(mine)))


def rated_submission_ids(actor):
    """A subquery of the submissions the actor rates in calibration, counting
    only sessions whose creator may see that student's work (an admin of the
    school or one of the student's teachers): naming a rater never grants more
    than the creator already had."""
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
            .where(CalibrationRater.rater_id == actor.id, creator_entitled))
