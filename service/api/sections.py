"""Sections (a class of students with their teachers) and enrolments."""
from __future__ import annotations

import uuid

from flask.views import MethodView
from flask_smorest import Blueprint

from .. import audit
from ..auth import api_auth, require_person
from ..errors import Problem, field_error, validation_problem
from ..extensions import db
from ..models import Course, Enrolment, Organization, Person, Role, Section
from ..policies import authorize, visible
from .schemas import EnrolmentSchema, RosterEntrySchema, SectionSchema

blp = Blueprint("sections", __name__, description="Sections and enrolments")


def get_section(actor, section_id, action="view") -> Section:
    section = db.session.get(Section, section_id)
    authorize(actor, action, section, what="section")
    return section


@blp.route("/sections")
class Sections(MethodView):
    @api_auth("read")
    @blp.response(200, SectionSchema(many=True))
    def get(self):
        """Sections you teach or attend; every section of your school for admins."""
        actor = require_person()
        return db.session.scalars(visible(actor, Section).order_by(Section.name)).all()

    @api_auth("admin")
    @blp.arguments(SectionSchema)
    @blp.response(201, SectionSchema)
    def post(self, body):
        actor = require_person()
        authorize(actor, "manage", db.session.get(Organization, actor.organization_id), what="organization")
        if body.get("course_id"):
            course = db.session.get(Course, body["course_id"])
            if course is None or course.organization_id != actor.organization_id:
                raise validation_problem([field_error("course_id", "is not a course of your organization")])
        section = Section(organization_id=actor.organization_id, **body)
        db.session.add(section)
        db.session.flush()
        audit.record("section.create", obj=section)
        db.session.commit()
        return section


@blp.route("/sections/<uuid:section_id>")
class SectionById(MethodView):
    @api_auth("read")
    @blp.response(200, SectionSchema)
    def get(self, section_id: uuid.UUID):
        return get_section(require_person(), section_id)


@blp.route("/sections/<uuid:section_id>/roster")
class Roster(MethodView):
    @api_auth("read")
    @blp.response(200, RosterEntrySchema(many=True))
    def get(self, section_id: uuid.UUID):
        """Teachers and students of a section (its teachers and admins only)."""
        section = get_section(require_person(), section_id, "view_roster")
        rows = db.session.execute(db.select(Person, Enrolment.role).join(Enrolment, Enrolment.person_id == Person.id)
                                  .where(Enrolment.section_id == section.id)
                                  .order_by(Enrolment.role.desc(), Person.display_name)).all()
        return [{"person": person, "role": role} for person, role in rows]


@blp.route("/sections/<uuid:section_id>/enrolments")
class Enrolments(MethodView):
    @api_auth("admin")
    @blp.arguments(EnrolmentSchema)
    @blp.response(201, RosterEntrySchema)
    def post(self, body, section_id: uuid.UUID):
        actor = require_person()
        section = get_section(actor, section_id, "manage")
        person = db.session.get(Person, body["person_id"])
        if person is None or person.organization_id != section.organization_id:
            raise validation_problem([field_error("person_id", "is not a person of this organization")])
        expected = Role.TEACHER.value if body["role"] == "teacher" else Role.STUDENT.value
        if person.role != expected:
            raise validation_problem([field_error("role", f"{person.display_name} is a {person.role}")])
        enrolment = db.session.scalar(db.select(Enrolment).where(
            Enrolment.section_id == section.id, Enrolment.person_id == person.id))
        if enrolment is None:
            enrolment = Enrolment(section_id=section.id, person_id=person.id, role=body["role"])
            db.session.add(enrolment)
            audit.record("section.enrol", obj=section, person_id=str(person.id), role=body["role"])
            db.session.commit()
        return {"person": person, "role": enrolment.role}


@blp.route("/sections/<uuid:section_id>/enrolments/<uuid:person_id>")
class EnrolmentById(MethodView):
    @api_auth("admin")
    @blp.response(204)
    def delete(self, section_id: uuid.UUID, person_id: uuid.UUID):
        actor = require_person()
        section = get_section(actor, section_id, "manage")
        enrolment = db.session.scalar(db.select(Enrolment).where(
            Enrolment.section_id == section.id, Enrolment.person_id == person_id))
        if enrolment is None:
            raise Problem(404, "That person is not enrolled in this section.")
        db.session.delete(enrolment)
        audit.record("section.unenrol", obj=section, person_id=str(person_id))
        db.session.commit()



