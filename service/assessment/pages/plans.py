"""Learning plans: the plan page, new plans and goals."""
from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for

from ...auth import login_required
from ...errors import Problem
from ...extensions import db
from ...models import Person
from ...policies import allowed, authorize
from .. import plans as plan_service
from ..models import LearningPlan
from ..progress import followed_student
from ...web.messages import field_messages
from .common import _actor, _current_competencies, _uuid_or_none, bp


@bp.route("/plans/<uuid:plan_id>", methods=["GET", "POST"])
@login_required
def plan_page(plan_id: uuid.UUID):
    actor = _actor()
    plan = db.session.get(LearningPlan, plan_id)
    authorize(actor, "view", plan, what="learning plan")
    if request.method == "POST":
        authorize(actor, "comment", plan, what="learning plan")
        body = (request.form.get("body") or "").strip()
        if not body:
            return _plan_page(actor, plan, {"body": "Write the comment first."}, {})
        plan_service.add_comment(plan, actor, body[:5000])
        db.session.commit()
        flash("Your comment is added.", "success")
        return redirect(url_for("assessment.plan_page", plan_id=plan.id))
    return _plan_page(actor, plan, {}, {})


def _plan_page(actor, plan, errors: dict, values: dict):
    progress_rows = [(g, plan_service.goal_progress(plan, g)) for g in plan.goals]
    authors = {p.id: p for p in db.session.scalars(db.select(Person).where(
        Person.id.in_({c.author_id for c in plan.comments})))} if plan.comments else {}
    competencies = _current_competencies(plan.organization_id)
    return render_template("assessment/plan.html", plan=plan, rows=progress_rows, authors=authors,
                           student=db.session.get(Person, plan.student_id), errors=errors, values=values,
                           can_comment=allowed(actor, "comment", plan), can_edit=allowed(actor, "edit", plan),
                           competency_options=[(str(c.id), f"{c.human_code or ''} {(c.abbreviated_statement or c.statement)[:80]}")
                                               for c in competencies]), 422 if errors else 200


@bp.post("/students/<uuid:student_id>/plans")
@login_required
def new_plan(student_id: uuid.UUID):
    actor = _actor()
    student = followed_student(actor, student_id)
    if not allowed(actor, "create", LearningPlan(organization_id=student.organization_id, student_id=student.id)):
        raise Problem(403, "You may read this student's plans but not change them.")
    plan = plan_service.create_plan(student, actor, (request.form.get("title") or "Learning plan").strip()[:200])
    db.session.commit()
    return redirect(url_for("assessment.plan_page", plan_id=plan.id))


@bp.post("/plans/<uuid:plan_id>/goals")
@login_required
def new_goal(plan_id: uuid.UUID):
    from datetime import date

    actor = _actor()
    plan = db.session.get(LearningPlan, plan_id)
    authorize(actor, "edit", plan, what="learning plan")
    values = {k: request.form.get(k, "") for k in ("competency_id", "target_date", "planned_evidence", "description")}
    try:
        target = date.fromisoformat(values["target_date"]) if values["target_date"] else None
    except ValueError:
        return _plan_page(actor, plan, {"target_date": "Give a date, such as 2027-05-01."}, values)
    try:
        plan_service.add_goal(plan, actor, {"competency_id": _uuid_or_none(values["competency_id"]),
                                            "target_date": target, "planned_evidence": values["planned_evidence"] or None,
                                            "description": values["description"] or None})
    except Problem as problem:
        if problem.status != 422:
            raise
        db.session.rollback()
        return _plan_page(actor, plan, field_messages(problem), values)
    db.session.commit()
    flash("The goal is added to the plan.", "success")
    return redirect(url_for("assessment.plan_page", plan_id=plan.id))
