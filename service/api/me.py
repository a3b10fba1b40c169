"""The caller's own identity.

The hottest authenticated read, so its body is built from one prebuilt Core
select as a plain dict, not an ORM load dumped through marshmallow (together
about half its CPU). MeSchema still documents it, and the field lists come
from that schema, so the two cannot drift apart
(tests/service/test_me.py compares them).
"""
from __future__ import annotations

import datetime
import uuid

from flask import g, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy import bindparam, select

from ..auth import api_auth
from ..extensions import db
from ..models import Organization, Person
from .schemas import OrganizationSchema, PersonSchema

blp = Blueprint("me", __name__, description="The signed-in person")


class MeSchema(PersonSchema):
    organization = fields.Nested(OrganizationSchema)
    scopes = fields.Function(lambda person: sorted(g.scopes))


_PERSON_FIELDS = tuple(PersonSchema().dump_fields)
_ORGANIZATION_FIELDS = tuple(OrganizationSchema().dump_fields)
_people, _organizations = Person.__table__, Organization.__table__
_ME = (select(*(_people.c[name] for name in _PERSON_FIELDS),
              *(_organizations.c[name].label(f"organization.{name}") for name in _ORGANIZATION_FIELDS))
       .join_from(_people, _organizations, _people.c.organization_id == _organizations.c.id)
       .where(_people.c.id == bindparam("person_id")))


def _plain(value):
    """What marshmallow's UUID and DateTime fields dump; other columns are JSON already."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def me_body(person_id: uuid.UUID, scopes) -> dict:
    row = db.session.connection().execute(_ME, {"person_id": person_id}).one()._mapping
    body = {name: _plain(row[_people.c[name]]) for name in _PERSON_FIELDS}
    body["organization"] = {name: _plain(row[f"organization.{name}"]) for name in _ORGANIZATION_FIELDS}
    body["scopes"] = sorted(scopes)
    return body


@blp.route("/me")
class Me(MethodView):
    @api_auth("read")
    @blp.response(200, MeSchema)
    def get(self):
        return jsonify(me_body(g.person_id, g.scopes))
