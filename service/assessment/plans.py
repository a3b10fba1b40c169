"""Learning plans: a student's goals, progress against them, teacher comments.

Nothing here assumes a class moves together: each student has their own
goals and dates."""
from __future__ import annotations

from datetime import date

from .. import audit
from ..errors import field_error, validation_problem
from ..extensions import db
from . import badge_links
from .models import Competency, LearningPlan, PlanComment, PlanGoal
from .progress import evidence_for, mastery_for


def create_plan(student, actor, title: str) -> LearningPlan:
    plan = LearningPlan(organization_id=student.organization_id, student_id=student.id, title=title,
                        created_by_id=actor.id)
    db.session.add(plan)
    db.session.flush()
    audit.record("plan.create", obj=plan, actor=actor, student_id=str(student.id))
    return plan


def add_goal(plan: LearningPlan, actor, data: dict) -> PlanGoal:
    if not data.get("competency_id") and not data.get("badge_class_id"):
        raise validation_problem([field_error("competency_id", "a goal names a competency or a badge")])
    if data.get("competency_id"):
        competency = db.session.get(Competency, data["competency_id"])
        if competency is None or competency.organization_id != plan.organization_id:
            raise validation_problem([field_error("competency_id", "is not a competency of your organization")])
    if data.get("badge_class_id"):
        if not badge_links.belongs_to(data["badge_class_id"], plan.organization_id):
            raise validation_problem([field_error("badge_class_id", "is not a badge of your organization")])
    goal = PlanGoal(plan_id=plan.id, **data)
    db.session.add(goal)
    db.session.flush()
    audit.record("plan.goal.add", obj=plan, actor=actor, goal_id=str(goal.id))
    return goal


def add_comment(plan: LearningPlan, actor, body: str, goal_id=None) -> PlanComment:
    if goal_id is not None and all(g.id != goal_id for g in plan.goals):
        raise validation_problem([field_error("goal_id", "is not a goal of this plan")])
    comment = PlanComment(plan_id=plan.id, goal_id=goal_id, author_id=actor.id, body=body)
    db.session.add(comment)
    db.session.flush()
    audit.record("plan.comment", obj=plan, actor=actor, comment_id=str(comment.id))
    return comment


def goal_progress(plan: LearningPlan, goal: PlanGoal, today: date | None = None) -> dict:
    """Where the student stands on a goal: mastery so far and the time left."""
    today = today or date.today()
    out = {"goal_id": goal.id, "target_date": goal.target_date,
           "days_left": (goal.target_date - today).days if goal.target_date else None}
    if goal.competency_id:
        result = mastery_for(plan.student_id, goal.competency_id)
        out.update(level=result.level, mastered=result.mastered, evidence_count=result.evidence_count,
                   status="met" if result.mastered else (
                       "overdue" if goal.target_date and goal.target_date < today else "in progress"),
                   evidence=[{"submission_id": p.submission_id, "title": p.submission_title, "level": p.level,
                              "assessed_at": p.assessed_at}
                             for p in evidence_for(plan.student_id, goal.competency)])
    else:
        badge = badge_links.progress(plan.student_id, goal.badge_class_id)
        out.update(level=None, mastered=badge["awarded"], evidence_count=None, badge=badge,
                   status="met" if badge["awarded"] else (
                       "overdue" if goal.target_date and goal.target_date < today else "in progress"),
                   evidence=[])
    return out
