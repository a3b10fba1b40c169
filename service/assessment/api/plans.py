"""Learning plans, their goals and comments."""
from __future__ import annotations

import uuid

from flask.views import MethodView

from ...api.pagination import listing
from ...auth import api_auth, require_person
from ...errors import Problem
from ...extensions import db
from ...policies import allowed
from .. import plans as plan_service
from ..models import LearningPlan
from ..progress import followed_student
from ..schemas import CommentSchema, GoalSchema, PlanCreateSchema, PlanDetailSchema, PlanSchema
from .common import _columns, _get, blp


def _plan_detail(plan):
    return {**_columns(plan), "goals": plan.goals, "comments": plan.comments,
            "progress": [plan_service.goal_progress(plan, g) for g in plan.goals]}


@blp.route("/students/<uuid:student_id>/plans")
class StudentPlans(MethodView):
    @api_auth("read")
    @blp.response(200, PlanSchema(many=True))
    @listing(blp)
    def get(self, student_id: uuid.UUID):
        student = followed_student(require_person(), student_id)
        return db.session.scalars(db.select(LearningPlan).where(LearningPlan.student_id == student.id)
                                  .order_by(LearningPlan.created_at, LearningPlan.id)).all()

    @api_auth("write")
    @blp.arguments(PlanCreateSchema)
    @blp.response(201, PlanSchema)
    def post(self, body, student_id: uuid.UUID):
        """Start a learning plan (the student, their teachers, admins)."""
        actor = require_person()
        student = followed_student(actor, student_id)
        probe = LearningPlan(organization_id=student.organization_id, student_id=student.id)
        if not allowed(actor, "create", probe):
            raise Problem(403, "You may read this student's plans but not change them.")
        plan = plan_service.create_plan(student, actor, body["title"])
        db.session.commit()
        return plan


@blp.route("/plans/<uuid:plan_id>")
class PlanById(MethodView):
    @api_auth("read")
    @blp.response(200, PlanDetailSchema)
    def get(self, plan_id: uuid.UUID):
        """A plan with progress against each goal and the comments."""
        return _plan_detail(_get(LearningPlan, plan_id, require_person(), what="learning plan"))


@blp.route("/plans/<uuid:plan_id>/goals")
class PlanGoals(MethodView):
    @api_auth("write")
    @blp.arguments(GoalSchema)
    @blp.response(201, GoalSchema)
    def post(self, body, plan_id: uuid.UUID):
        actor = require_person()
        plan = _get(LearningPlan, plan_id, actor, "edit", "learning plan")
        goal = plan_service.add_goal(plan, actor, body)
        db.session.commit()
        return goal


@blp.route("/plans/<uuid:plan_id>/comments")
class PlanComments(MethodView):
    @api_auth("write")
    @blp.arguments(CommentSchema)
    @blp.response(201, CommentSchema)
    def post(self, body, plan_id: uuid.UUID):
        actor = require_person()
        plan = _get(LearningPlan, plan_id, actor, "comment", "learning plan")
        comment = plan_service.add_comment(plan, actor, body["body"], body.get("goal_id"))
        db.session.commit()
        return comment
