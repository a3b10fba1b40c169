"""Calibration sessions: blind scores and agreement."""
from __future__ import annotations

import uuid

from flask.views import MethodView

from ...api.pagination import listing
from ...auth import api_auth, require_person
from ...errors import Problem
from ...extensions import db
from ...policies import allowed, visible
from .. import calibration as calib
from ..models import CalibrationSession, Submission
from ..schemas import (
    AssessmentSchema,
    CalibrationCreateSchema,
    CalibrationResultsSchema,
    CalibrationSchema,
    ScoreSchema,
)
from .common import _get, blp


@blp.route("/calibrations")
class Calibrations(MethodView):
    @api_auth("read")
    @blp.response(200, CalibrationSchema(many=True))
    @listing(blp)
    def get(self):
        """Sessions you created, rate in, or (admins) all of your organization's."""
        actor = require_person()
        return db.session.scalars(visible(actor, CalibrationSession).order_by(CalibrationSession.created_at,
                                                                                  CalibrationSession.id)).all()

    @api_auth("write")
    @blp.arguments(CalibrationCreateSchema)
    @blp.response(201, CalibrationSchema)
    def post(self, body):
        """Send the same work to several teachers for blind scoring (teachers and admins)."""
        actor = require_person()
        if not allowed(actor, "create", CalibrationSession(organization_id=actor.organization_id)):
            raise Problem(403, "Only teachers and admins run calibration.")
        session = calib.create_session(actor, **body)
        db.session.commit()
        return session


@blp.route("/calibrations/<uuid:session_id>")
class CalibrationById(MethodView):
    @api_auth("read")
    @blp.response(200, CalibrationSchema)
    def get(self, session_id: uuid.UUID):
        return _get(CalibrationSession, session_id, require_person(), what="calibration session")


@blp.route("/calibrations/<uuid:session_id>/submissions/<uuid:submission_id>/scores")
class CalibrationScores(MethodView):
    @api_auth("write")
    @blp.arguments(ScoreSchema)
    @blp.response(201, AssessmentSchema)
    def post(self, body, session_id: uuid.UUID, submission_id: uuid.UUID):
        """Score a piece blind (a rater of the session). Never counts toward mastery."""
        actor = require_person()
        session = _get(CalibrationSession, session_id, actor, "rate", "calibration session")
        submission = db.session.get(Submission, submission_id)
        if submission is None:
            raise Problem(404, "No such submission.")
        assessment = calib.score_blind(session, submission, actor, body)
        db.session.commit()
        return assessment


@blp.route("/calibrations/<uuid:session_id>/results")
class CalibrationResults(MethodView):
    @api_auth("read")
    @blp.response(200, CalibrationResultsSchema)
    def get(self, session_id: uuid.UUID):
        """Agreement per criterion: exact, adjacent, Cohen's quadratic weighted kappa (creator and admins)."""
        session = _get(CalibrationSession, session_id, require_person(), "see_results", "calibration session")
        return calib.results(session)
