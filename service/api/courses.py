"""Courses with their credit value (Carnegie units) for the transcript."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..auth import api_auth, require_person
from ..errors import field_error, validation_problem
from ..extensions import db
from ..models import Course, Organization
from ..policies import authorize
from .schemas import CourseSchema

blp = Blueprint("courses", __name__, description="Courses")


@blp.route("/courses")
class Courses(MethodView):
    @api_auth("read")
    @blp.response(200, CourseSchema(many=True))
    def get(self):
        """The course catalogue of your organization."""
        actor = require_person()
        return db.session.scalars(db.select(Course).where(Course.organization_id == actor.organization_id)
                                  .order_by(Course.code)).all()

    @api_auth("admin")
    @blp.arguments(CourseSchema)
    @blp.response(201, CourseSchema)
    def post(self, body):
        actor = require_person()
        authorize(actor, "manage", db.session.get(Organization, actor.organization_id), what="organization")
        course = Course(organization_id=actor.organization_id, **body)
        db.session.add(course)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            raise validation_problem([field_error("code", "is already used by another course")]) from None
        audit.record("course.create", obj=course)
        db.session.commit()
        return course
