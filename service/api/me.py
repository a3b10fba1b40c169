"""The caller's own identity."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from ..auth import api_auth, require_person
from .schemas import OrganizationSchema, PersonSchema

blp = Blueprint("me", __name__, description="The signed-in person")


class MeSchema(PersonSchema):
    organization = fields.Nested(OrganizationSchema)
    scopes = fields.Function(lambda person: sorted(g.scopes))


@blp.route("/me")
class Me(MethodView):
    @api_auth("read")
    @blp.response(200, MeSchema)
    def get(self):
        return require_person()
