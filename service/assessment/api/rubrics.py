"""Rubrics and their versions."""
from __future__ import annotations

import uuid

from flask.views import MethodView

from ...api.pagination import listing
from ...auth import api_auth, require_person
from ...extensions import db
from ...policies import visible
from ..actions import save_rubric
from ..models import Rubric
from ..schemas import RubricSchema
from .common import _get, blp


@blp.route("/rubrics")
class Rubrics(MethodView):
    @api_auth("read")
    @blp.response(200, RubricSchema(many=True))
    @listing(blp)
    def get(self):
        actor = require_person()
        return db.session.scalars(visible(actor, Rubric).order_by(Rubric.title, Rubric.version.desc(), Rubric.id)).all()

    @api_auth("write")
    @blp.arguments(RubricSchema)
    @blp.response(201, RubricSchema)
    def post(self, body):
        """Create a rubric (teachers and admins): levels (columns) and criteria (rows) aligned to competencies."""
        return save_rubric(require_person(), body)


@blp.route("/rubrics/<uuid:rubric_id>")
class RubricById(MethodView):
    @api_auth("read")
    @blp.response(200, RubricSchema)
    def get(self, rubric_id: uuid.UUID):
        return _get(Rubric, rubric_id, require_person(), what="rubric")


@blp.route("/rubrics/<uuid:rubric_id>/versions")
class RubricVersions(MethodView):
    @api_auth("write")
    @blp.arguments(RubricSchema)
    @blp.response(201, RubricSchema)
    def post(self, body, rubric_id: uuid.UUID):
        """Revise a rubric: the full new content becomes its next version. Earlier scores keep theirs."""
        actor = require_person()
        return save_rubric(actor, body, _get(Rubric, rubric_id, actor, what="rubric"))
