"""The review queue, a submission's page (teachers score it there) and submitting evidence."""
from __future__ import annotations

import uuid

from flask import redirect, render_template, request, url_for

from ...auth import login_required
from ...errors import Problem
from ...extensions import db
from ...models import Person, Section
from ...policies import allowed, authorize, visible
from ...web.messages import problem_text
from .. import scoring
from ..policies import scorable
from ..models import Assessment, Rubric, Submission
from .common import _actor, _current_competencies, _scores_from_form, _uuid_or_none, bp


@bp.get("/queue")
@login_required
def queue():
    actor = _actor()
    waiting = list(db.session.scalars(scorable(actor, visible(actor, Submission))
                                      .where(Submission.status == "submitted")
                                      .order_by(Submission.submitted_at, Submission.id)))
    people = {p.id: p for p in db.session.scalars(db.select(Person).where(
        Person.id.in_({s.student_id for s in waiting})))} if waiting else {}
    return render_template("assessment/queue.html", waiting=waiting, people=people)


@bp.route("/submissions/<uuid:submission_id>", methods=["GET", "POST"])
@login_required
def submission_page(submission_id: uuid.UUID):
    """A submission: its evidence and scores; teachers of its section score or return it here."""
    actor = _actor()
    submission = db.session.get(Submission, submission_id)
    authorize(actor, "view", submission, what="submission")
    error, failed, values = None, None, {}
    if request.method == "POST":
        authorize(actor, "score", submission, what="submission")
        failed, values = request.form.get("action") or "score", request.form.to_dict()  # kept on a refusal
        try:
            if request.form.get("action") == "return":
                scoring.return_for_revision(submission, actor, request.form.get("return_feedback", ""))
                db.session.commit()
            else:
                scoring.score_submission(submission, actor, _scores_from_form(submission.rubric))
            return redirect(url_for("assessment.submission_page", submission_id=submission.id))
        except Problem as problem:
            db.session.rollback()
            error = problem_text(problem)
    assessments = [a for a in db.session.scalars(db.select(Assessment).where(
        Assessment.submission_id == submission.id, Assessment.kind == "official")) if allowed(actor, "view", a)]
    from ...portfolio.models import ArtifactVersion

    versions = db.session.scalars(db.select(ArtifactVersion).where(ArtifactVersion.id.in_(
        [e.artifact_version_id for e in submission.evidence]))).all()
    student = db.session.get(Person, submission.student_id)
    return render_template("assessment/submission.html", submission=submission, rubric=submission.rubric,
                           assessments=assessments, versions=versions, student=student, error=error,
                           failed=failed, values=values,
                           can_score=allowed(actor, "score", submission) and submission.status == "submitted",
                           can_reassess=allowed(actor, "reassess", submission)
                           and submission.status in ("returned", "scored"),
                           attempts=list(reversed(scoring.attempt_ids(submission))))


@bp.route("/submit", methods=["GET", "POST"])
@login_required
def submit_page():
    """A student offers versions of their own artifacts as evidence (or reassesses an attempt)."""
    from ...models import Enrolment
    from ...portfolio.models import Artifact, ArtifactVersion

    actor = _actor()
    if not allowed(actor, "create", Submission(organization_id=actor.organization_id, student_id=actor.id)):
        raise Problem(403, "Only students submit their own work.")
    previous = None
    previous_id = request.values.get("previous_id")
    if previous_id:
        previous = db.session.get(Submission, _uuid_or_none(previous_id))
        authorize(actor, "reassess", previous, what="submission")
    error = None
    if request.method == "POST":
        try:
            submission = scoring.submit(
                actor, section_id=_uuid_or_none(request.form.get("section_id")),
                rubric_id=_uuid_or_none(request.form.get("rubric_id")),
                artifact_version_ids=[v for v in map(_uuid_or_none, request.form.getlist("version_id")) if v],
                title=(request.form.get("title") or "").strip()[:200] or "Evidence",
                competency_id=_uuid_or_none(request.form.get("competency_id")),
                note=(request.form.get("note") or None), previous=previous)
            db.session.commit()
            return redirect(url_for("assessment.submission_page", submission_id=submission.id))
        except Problem as problem:
            db.session.rollback()
            error = problem_text(problem)
    sections = db.session.scalars(db.select(Section).join(Enrolment, Enrolment.section_id == Section.id).where(
        Enrolment.person_id == actor.id, Enrolment.role == "student").order_by(Section.name)).all()
    rubrics = db.session.scalars(visible(actor, Rubric).where(Rubric.status == "current").order_by(Rubric.title)).all()
    versions = db.session.execute(db.select(ArtifactVersion, Artifact).join(Artifact).where(
        Artifact.owner_id == actor.id).order_by(Artifact.title, ArtifactVersion.number.desc())).all()
    return render_template("assessment/submit.html", sections=sections, rubrics=rubrics, versions=versions,
                           competencies=_current_competencies(actor.organization_id), previous=previous,
                           error=error), 422 if error else 200
