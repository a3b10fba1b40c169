"""Courses with their credit value (Carnegie units) for the transcript."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from .pagination import listing
from ..auth import api_auth, require_person
from ..extensions import db
from ..models import Course
from .schemas import CourseSchema

blp = Blueprint("courses", __name__, description="Courses")


@blp.route("/courses")
class Courses(MethodView):
    @api_auth("read")
    @blp.response(200, CourseSchema(many=True))
    @listing(blp)
    def get(self):
        """The course catalogue of your organization."""
        actor = require_person()
        return db.session.scalars(db.select(Course).where(Course.organization_id == actor.organization_id)
                                  .order_by(Course.code, Course.id)).all()

    @api_auth("admin")
    @blp.arguments(CourseSchema)
    @blp.response(201, CourseSchema)
    def post(self, body):
        from ..roster.actions import create_course  # one action for the page and the API

        return create_course(require_person(), body)
