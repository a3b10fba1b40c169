"""Calibration sessions: teachers and admins create them; raters score;
the creator and admins see the agreement."""
from __future__ import annotations

from sqlalchemy import or_, select as sql_select

from ..assessment.models import CalibrationRater, CalibrationSession
from ..models import Role
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
