"""The caller's own identity.

The hottest authenticated read: the identity lookup that runs before every
request already returns the caller's profile (service/auth/profile.py), so
this view is a projection of it, with no query, ORM load or marshmallow dump
of its own. MeSchema still documents it (tests/service/test_me.py checks the
body is exactly what it dumps).
"""
from __future__ import annotations

from flask import g, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from ..auth import api_auth
from ..auth.profile import profile
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
        return jsonify({**profile(g.identity), "scopes": sorted(g.scopes)})
