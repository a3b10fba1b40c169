"""Scores. An official score is student work (student, teachers, guardians,
admins). A calibration score is blind: only its rater, the session's creator
and admins see it, never the student and never the other raters."""
from __future__ import annotations

from ..assessment.models import Assessment, CalibrationSession
from ..extensions import db
from .registry import Policy, register
from .relations import is_admin_of, may_see_student_work


@register
class AssessmentPolicy(Policy):
    model = Assessment

    def can_view(self, actor, assessment):
        if assessment.kind == "official":
            return may_see_student_work(actor, assessment.submission.student_id, assessment.organization_id)
        if actor.id == assessment.assessor_id or is_admin_of(actor, assessment.organization_id):
            return True
        session = db.session.get(CalibrationSession, assessment.calibration_id)
        return session is not None and session.created_by_id == actor.id

    def visible(self, actor, select):
        raise LookupError("list scores through their submission")
