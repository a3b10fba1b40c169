"""Calibration sessions: create one, rate blind, see the agreement."""
from __future__ import annotations

import uuid

from flask import redirect, render_template, request, url_for

from ...auth import login_required
from ...errors import Problem
from ...extensions import db
from ...models import Person, Role
from ...policies import allowed, authorize, visible
from ...web.messages import field_messages, problem_text
from ..models import Assessment, CalibrationSession, Rubric, Submission
from .common import _actor, _scores_from_form, _uuid_or_none, bp


_FORM_FIELDS = {"submission_ids": "submission_id", "rater_ids": "rater_id"}


@bp.route("/calibrations", methods=["GET", "POST"])
@login_required
def calibrations():
    from .. import calibration as calib

    actor = _actor()
    can_create = allowed(actor, "create", CalibrationSession(organization_id=actor.organization_id))
    errors: dict[str, str] = {}
    values = {"title": request.form.get("title", ""), "rubric_id": request.form.get("rubric_id", ""),
              "submission_id": request.form.getlist("submission_id"), "rater_id": request.form.getlist("rater_id")}
    if request.method == "POST":
        if not can_create:
            raise Problem(403, "Only teachers and admins run calibration.")
        try:
            session = calib.create_session(
                actor, title=(request.form.get("title") or "Calibration").strip()[:200],
                rubric_id=_uuid_or_none(request.form.get("rubric_id")),
                submission_ids=[v for v in map(_uuid_or_none, request.form.getlist("submission_id")) if v],
                rater_ids=[v for v in map(_uuid_or_none, request.form.getlist("rater_id")) if v])
            db.session.commit()
            return redirect(url_for("assessment.calibration_page", session_id=session.id))
        except Problem as problem:
            db.session.rollback()
            # The form's field names: submission_id and rater_id are the checkbox groups.
            errors = {_FORM_FIELDS.get(k, k): v for k, v in field_messages(problem).items()}
    sessions = db.session.scalars(visible(actor, CalibrationSession).order_by(CalibrationSession.created_at.desc()))
    submissions = db.session.scalars(visible(actor, Submission).order_by(Submission.submitted_at.desc())
                                     .limit(200)).all() if can_create else []
    teachers = db.session.scalars(db.select(Person).where(Person.organization_id == actor.organization_id,
                                                          Person.role == Role.TEACHER.value)
                                  .order_by(Person.display_name)).all() if can_create else []
    rubrics = db.session.scalars(visible(actor, Rubric).where(Rubric.status == "current")).all()
    return render_template("assessment/calibrations.html", sessions=sessions.all(), can_create=can_create,
                           rubric_options=[(str(r.id), f"{r.title} (version {r.version})") for r in rubrics],
                           submission_options=[(str(s.id), f"{s.title} ({s.submitted_at.strftime('%d %b %Y')})")
                                               for s in submissions],
                           rater_options=[(str(t.id), t.display_name) for t in teachers],
                           errors=errors, values=values), 422 if errors else 200


@bp.route("/calibrations/<uuid:session_id>", methods=["GET", "POST"])
@login_required
def calibration_page(session_id: uuid.UUID):
    """Raters score each piece blind here; the creator and admins see the agreement."""
    from .. import calibration as calib

    actor = _actor()
    session = db.session.get(CalibrationSession, session_id)
    authorize(actor, "view", session, what="calibration session")
    error, values = None, {}
    if request.method == "POST":
        authorize(actor, "rate", session, what="calibration session")
        values = request.form.to_dict()  # kept (and the message shown by the piece) on a refusal
        submission = db.session.get(Submission, _uuid_or_none(request.form.get("submission_id")))
        if submission is None:
            raise Problem(404, "No such submission.")
        try:
            calib.score_blind(session, submission, actor, _scores_from_form(session.rubric))
            db.session.commit()
            return redirect(url_for("assessment.calibration_page", session_id=session.id))
        except Problem as problem:
            db.session.rollback()
            error = problem_text(problem)
    done = set(db.session.scalars(db.select(Assessment.submission_id).where(
        Assessment.calibration_id == session.id, Assessment.assessor_id == actor.id)))
    items = db.session.scalars(db.select(Submission).where(
        Submission.id.in_([i.submission_id for i in session.items]))).all()
    results = calib.results(session) if allowed(actor, "see_results", session) else None
    return render_template("assessment/calibration.html", session=session, items=items, done=done,
                           rubric=session.rubric, results=results, error=error, values=values,
                           can_rate=allowed(actor, "rate", session))
