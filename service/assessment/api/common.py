"""The assessment API's blueprint and the helpers its modules share."""
from __future__ import annotations

from flask_smorest import Blueprint

from ...extensions import db
from ...models import Organization
from ...policies import authorize

blp = Blueprint("assessment-api", __name__, description="Competencies, rubrics, scoring, mastery and reports")


def _organization(actor, action="view") -> Organization:
    return authorize(actor, action, db.session.get(Organization, actor.organization_id), what="organization")


def _get(model, obj_id, actor, action="view", what=None):
    obj = db.session.get(model, obj_id)
    authorize(actor, action, obj, what=what)
    return obj


def _columns(obj) -> dict:
    """A model's column values, to extend with computed fields before dumping."""
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}
