"""Submissions of evidence, official scores and returns."""
from __future__ import annotations

import uuid

from flask.views import MethodView
from sqlalchemy.orm import selectinload

from ...api.pagination import listing
from ...auth import api_auth, require_person
from ...errors import Problem
from ...extensions import db
from ...policies import allowed, visible
from .. import scoring
from ..models import Assessment, Submission
from ..schemas import (
    AssessmentSchema,
    ReturnSchema,
    ScoreSchema,
    SubmissionCreateSchema,
    SubmissionDetailSchema,
    SubmissionQuerySchema,
    SubmissionSchema,
)
from ..scoring import attempt_ids
from .common import _columns, _get, blp


@blp.route("/submissions")
class Submissions(MethodView):
    @api_auth("read")
    @blp.arguments(SubmissionQuerySchema, location="query")
    @blp.response(200, SubmissionSchema(many=True))
    @listing(blp)
    def get(self, query):
        """Submissions you may see. Teachers: `?status=submitted` is your review queue (oldest first)."""
        actor = require_person()
        select = visible(actor, Submission)
        for key in ("status", "section_id", "student_id"):
            if key in query:
                select = select.where(getattr(Submission, key) == query[key])
        return db.session.scalars(select.options(selectinload(Submission.evidence))
                                  .order_by(Submission.submitted_at, Submission.id)).all()

    @api_auth("write")
    @blp.arguments(SubmissionCreateSchema)
    @blp.response(201, SubmissionSchema)
    def post(self, body):
        """Submit artifact versions as evidence (students). With `previous_id`, a reassessment attempt."""
        actor = require_person()
        if not allowed(actor, "create", Submission(organization_id=actor.organization_id, student_id=actor.id)):
            raise Problem(403, "Only students submit their own work.")
        previous = None
        if body.get("previous_id"):
            previous = _get(Submission, body["previous_id"], actor, "reassess", "submission")
        body.pop("previous_id", None)
        submission = scoring.submit(actor, previous=previous, **body)
        db.session.commit()
        return submission


@blp.route("/submissions/<uuid:submission_id>")
class SubmissionById(MethodView):
    @api_auth("read")
    @blp.response(200, SubmissionDetailSchema)
    def get(self, submission_id: uuid.UUID):
        """A submission with its official scores (calibration scores stay blind) and every attempt."""
        actor = require_person()
        submission = _get(Submission, submission_id, actor, what="submission")
        official = db.session.scalars(db.select(Assessment).where(
            Assessment.submission_id == submission.id, Assessment.kind == "official")).all()
        shown = [a for a in official if allowed(actor, "view", a)]
        return {**_columns(submission), "evidence": submission.evidence, "assessments": shown,
                "attempt_ids": list(reversed(attempt_ids(submission)))}


@blp.route("/submissions/<uuid:submission_id>/scores")
class SubmissionScores(MethodView):
    @api_auth("write")
    @blp.arguments(ScoreSchema)
    @blp.response(201, AssessmentSchema)
    def post(self, body, submission_id: uuid.UUID):
        """Score every criterion (a teacher of the submission's section). Records the rubric version."""
        actor = require_person()
        submission = _get(Submission, submission_id, actor, "score", "submission")
        return scoring.score_submission(submission, actor, body)


@blp.route("/submissions/<uuid:submission_id>/return")
class SubmissionReturn(MethodView):
    @api_auth("write")
    @blp.arguments(ReturnSchema)
    @blp.response(200, SubmissionSchema)
    def post(self, body, submission_id: uuid.UUID):
        """Return for revision with feedback (a teacher of the submission's section)."""
        actor = require_person()
        submission = _get(Submission, submission_id, actor, "score", "submission")
        scoring.return_for_revision(submission, actor, body["feedback"])
        db.session.commit()
        return submission
