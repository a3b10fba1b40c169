"""Calibration sessions: the same work scored blind by several teachers, and
their agreement per criterion (see agreement.py for the statistics)."""
from __future__ import annotations

import uuid

from .. import audit
from ..errors import Problem, field_error, validation_problem
from ..extensions import db
from ..models import Person, Role
from ..policies import may_see_student_work
from .agreement import agreement
from .models import (Assessment, CalibrationItem, CalibrationRater, CalibrationSession, CriterionScore, Rubric,
                     Submission)
from .scoring import score
from .settings import scale_for


def create_session(actor, *, title: str, rubric_id: uuid.UUID, submission_ids: list[uuid.UUID],
                   rater_ids: list[uuid.UUID]) -> CalibrationSession:
    org = actor.organization_id
    errors = []
    rubric = db.session.get(Rubric, rubric_id)
    if rubric is None or rubric.organization_id != org:
        errors.append(field_error("rubric_id", "is not a rubric of your organization"))
    submissions = db.session.scalars(db.select(Submission).where(Submission.id.in_(submission_ids),
                                                                 Submission.organization_id == org)).all()
    if not submission_ids or len(submissions) != len(set(submission_ids)):
        errors.append(field_error("submission_ids", "name one or more submissions of your organization"))
    elif not all(may_see_student_work(actor, s.student_id, s.organization_id) for s in submissions):
        # Raters read the work, so a session may only hold work its creator may
        # already see (a rater's own access through calibration does not count).
        errors.append(field_error("submission_ids", "name only submissions of students whose work you may see"))
    raters = db.session.scalars(db.select(Person).where(Person.id.in_(rater_ids), Person.organization_id == org,
                                                        Person.role == Role.TEACHER.value)).all()
    if len(set(rater_ids)) < 2 or len(raters) != len(set(rater_ids)):
        errors.append(field_error("rater_ids", "name at least two teachers of your organization"))
    if errors:
        raise validation_problem(errors)
    session = CalibrationSession(organization_id=org, created_by_id=actor.id, rubric_id=rubric.id, title=title)
    session.items = [CalibrationItem(submission_id=s.id) for s in submissions]
    session.raters = [CalibrationRater(rater_id=r.id) for r in raters]
    db.session.add(session)
    db.session.flush()
    audit.record("calibration.create", obj=session, actor=actor, raters=len(raters), items=len(submissions))
    return session


def is_rater(session: CalibrationSession, person) -> bool:
    return any(r.rater_id == person.id for r in session.raters)


def score_blind(session: CalibrationSession, submission: Submission, rater, data: dict) -> Assessment:
    if not any(i.submission_id == submission.id for i in session.items):
        raise Problem(404, "That submission is not part of this calibration session.")
    done = db.session.scalar(db.select(Assessment.id).where(
        Assessment.calibration_id == session.id, Assessment.submission_id == submission.id,
        Assessment.assessor_id == rater.id))
    if done is not None:
        raise Problem(409, "You have already scored this piece for this session.")
    return score(submission, rater, data, kind="calibration", calibration_id=session.id)


def results(session: CalibrationSession) -> dict:
    """Per criterion: the agreement figures and the ratings behind them."""
    categories = [lv["value"] for lv in scale_for(session.organization_id).levels]
    rows = db.session.execute(db.select(Assessment.submission_id, Assessment.assessor_id,
                                        CriterionScore.criterion_id, CriterionScore.level_value)
                              .join(CriterionScore, CriterionScore.assessment_id == Assessment.id)
                              .where(Assessment.calibration_id == session.id)).all()
    by_criterion: dict = {}
    for submission_id, rater_id, criterion_id, level in rows:
        by_criterion.setdefault(criterion_id, {}).setdefault(submission_id, {})[rater_id] = level
    criteria = []
    for criterion in session.rubric.criteria:
        ratings = by_criterion.get(criterion.id, {})
        figures = agreement(ratings, categories)
        criteria.append({"criterion_id": criterion.id, "title": criterion.title, "kind": criterion.kind,
                         "pairs": figures.pairs, "exact_agreement": figures.exact,
                         "adjacent_agreement": figures.adjacent, "weighted_kappa": figures.weighted_kappa,
                         "ratings": [{"submission_id": sid, "rater_id": rid, "level": level}
                                     for sid, by_rater in ratings.items() for rid, level in by_rater.items()]})
    scored = {(sid, rid) for sid, rid, _, _ in rows}
    return {"session_id": session.id, "title": session.title, "raters": len(session.raters),
            "items": len(session.items), "completed": len(scored),
            "expected": len(session.raters) * len(session.items), "criteria": criteria}
