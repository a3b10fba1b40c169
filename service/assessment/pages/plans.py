"""Learning plans: the plan page, new plans and goals."""
from __future__ import annotations

import uuid

from flask import redirect, render_template, request, url_for

from ...auth import login_required
from ...errors import Problem
from ...extensions import db
from ...models import Person
from ...policies import allowed, authorize
from .. import plans as plan_service
from ..models import LearningPlan
from ..progress import followed_student
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
        if body:
            plan_service.add_comment(plan, actor, body[:5000])
            db.session.commit()
        return redirect(url_for("assessment.plan_page", plan_id=plan.id))
    progress_rows = [(g, plan_service.goal_progress(plan, g)) for g in plan.goals]
    authors = {p.id: p for p in db.session.scalars(db.select(Person).where(
        Person.id.in_({c.author_id for c in plan.comments})))} if plan.comments else {}
    return render_template("assessment/plan.html", plan=plan, rows=progress_rows, authors=authors,
                           student=db.session.get(Person, plan.student_id),
                           can_comment=allowed(actor, "comment", plan), can_edit=allowed(actor, "edit", plan),
                           competencies=_current_competencies(plan.organization_id))


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
    try:
        target = date.fromisoformat(request.form["target_date"]) if request.form.get("target_date") else None
    except ValueError:
        target = None
    plan_service.add_goal(plan, actor, {"competency_id": _uuid_or_none(request.form.get("competency_id")),
                                        "target_date": target,
                                        "planned_evidence": (request.form.get("planned_evidence") or None),
                                        "description": (request.form.get("description") or None)})
    db.session.commit()
    return redirect(url_for("assessment.plan_page", plan_id=plan.id))
