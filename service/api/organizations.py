"""The caller's organization (the issuer of its credentials)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import api_auth, require_person
from ..policies import authorize
from .schemas import OrganizationSchema, OrganizationUpdateSchema

blp = Blueprint("organizations", __name__, description="Organizations")


@blp.route("/organization")
class OwnOrganization(MethodView):
    @api_auth("read")
    @blp.response(200, OrganizationSchema)
    def get(self):
        person = require_person()
        authorize(person, "view", person.organization, what="organization")
        return person.organization

    @api_auth("admin")
    @blp.arguments(OrganizationUpdateSchema)
    @blp.response(200, OrganizationSchema)
    def patch(self, body):
        from ..roster.actions import update_organization  # one action for the page and the API

        return update_organization(require_person(), body)
