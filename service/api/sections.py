"""Sections (a class of students with their teachers) and enrolments."""
from __future__ import annotations

import uuid

from flask.views import MethodView
from flask_smorest import Blueprint

from .pagination import listing
from ..auth import api_auth, require_person
from ..extensions import db
from ..models import Enrolment, Person, Section
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
    @listing(blp)
    def get(self):
        """Sections you teach or attend; every section of your school for admins."""
        actor = require_person()
        return db.session.scalars(visible(actor, Section).order_by(Section.name, Section.id)).all()

    @api_auth("admin")
    @blp.arguments(SectionSchema)
    @blp.response(201, SectionSchema)
    def post(self, body):
        from ..roster.actions import create_section  # one action for the page and the API

        return create_section(require_person(), body)


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
    @listing(blp)
    def get(self, section_id: uuid.UUID):
        """Teachers and students of a section (its teachers and admins only)."""
        section = get_section(require_person(), section_id, "view_roster")
        rows = db.session.execute(db.select(Person, Enrolment.role).join(Enrolment, Enrolment.person_id == Person.id)
                                  .where(Enrolment.section_id == section.id)
                                  .order_by(Enrolment.role.desc(), Person.display_name, Person.id)).all()
        return [{"person": person, "role": role} for person, role in rows]


@blp.route("/sections/<uuid:section_id>/enrolments")
class Enrolments(MethodView):
    @api_auth("admin")
    @blp.arguments(EnrolmentSchema)
    @blp.response(201, RosterEntrySchema)
    def post(self, body, section_id: uuid.UUID):
        from ..roster.actions import enrol  # one action for the page and the API

        person, enrolment = enrol(require_person(), db.session.get(Section, section_id), body["person_id"],
                                  body["role"])
        return {"person": person, "role": enrolment.role}


@blp.route("/sections/<uuid:section_id>/enrolments/<uuid:person_id>")
class EnrolmentById(MethodView):
    @api_auth("admin")
    @blp.response(204)
    def delete(self, section_id: uuid.UUID, person_id: uuid.UUID):
        from ..roster.actions import unenrol  # one action for the page and the API

        unenrol(require_person(), db.session.get(Section, section_id), person_id)



