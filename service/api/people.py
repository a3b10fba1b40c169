"""People: students, teachers, guardians and admins of an organization."""
from __future__ import annotations

import uuid

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import api_auth, require_person
from ..auth.account import set_password
from ..auth.passwords import check_password
from ..errors import Problem, field_error, validation_problem
from ..extensions import db
from ..models import Enrolment, Person
from ..policies import allowed, authorize, visible
from .schemas import GuardianLinkSchema, PersonCreateSchema, PersonQuerySchema, PersonSchema, PersonUpdateSchema

blp = Blueprint("people", __name__, description="People")


@blp.route("/people")
class People(MethodView):
    @api_auth("read")
    @blp.arguments(PersonQuerySchema, location="query")
    @blp.response(200, PersonSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """People you may see: yourself, your students, your wards; everyone in your school for admins."""
        person = require_person()
        select = visible(person, Person)
        if "role" in query:
            select = select.where(Person.role == query["role"])
        if "section_id" in query:
            select = select.where(Person.id.in_(db.select(Enrolment.person_id).where(
                Enrolment.section_id == query["section_id"])))
        pagination_parameters.item_count = db.session.scalar(
            db.select(db.func.count()).select_from(select.subquery()))
        return db.session.scalars(select.order_by(Person.display_name, Person.id)
                                  .limit(pagination_parameters.page_size)
                                  .offset(pagination_parameters.first_item)).all()

    @api_auth("admin")
    @blp.arguments(PersonCreateSchema)
    @blp.response(201, PersonSchema)
    def post(self, body):
        """Add a person to your organization (admins)."""
        from ..roster.actions import create_person  # one action for the page and the API

        return create_person(require_person(), body)


@blp.route("/people/<uuid:person_id>")
class PersonById(MethodView):
    @api_auth("read")
    @blp.response(200, PersonSchema)
    def get(self, person_id: uuid.UUID):
        actor = require_person()
        person = db.session.get(Person, person_id)
        authorize(actor, "view", person, what="person")
        return person

    @api_auth("write")
    @blp.arguments(PersonUpdateSchema)
    @blp.response(200, PersonSchema)
    def patch(self, body, person_id: uuid.UUID):
        actor = require_person()
        person = db.session.get(Person, person_id)
        authorize(actor, "edit", person, what="person")
        if "is_active" in body and not allowed(actor, "administer", person):
            raise Problem(403, "Only an admin of the organization may activate or deactivate a person.")
        if "new_password" in body:
            self._change_password(actor, person, body)
        from ..roster.actions import update_person  # one action for the page and the API

        return update_person(actor, person, body)

    @staticmethod
    def _change_password(actor, person, body):
        # Your own password needs the current one; an admin resets others'.
        if actor.id == person.id and not check_password(person.password_hash, body.get("current_password", "")):
            raise validation_problem([field_error("current_password", "is wrong")])
        # Signs out every other browser session and revokes every API token.
        set_password(person, body["new_password"], reason="password_change",
                     keep_session=g.get("login_session") if actor.id == person.id else None)


@blp.route("/people/<uuid:student_id>/guardians")
class Guardians(MethodView):
    @api_auth("admin")
    @blp.arguments(GuardianLinkSchema)
    @blp.response(201, PersonSchema)
    def post(self, body, student_id: uuid.UUID):
        """Link a guardian to a student (admins)."""
        from ..roster.actions import link_guardian  # one action for the page and the API

        return link_guardian(require_person(), db.session.get(Person, student_id), body["guardian_id"],
                             body.get("relationship_label"))
