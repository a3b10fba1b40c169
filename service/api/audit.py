"""Read the audit log of your organization (admins)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import api_auth, require_person
from ..extensions import db
from ..models import AuditEvent, Organization
from ..policies import authorize
from .schemas import AuditEventSchema, AuditQuerySchema

blp = Blueprint("audit", __name__, description="Audit log")


@blp.route("/audit-events")
class AuditEvents(MethodView):
    @api_auth("admin")
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditEventSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        actor = require_person()
        authorize(actor, "manage", db.session.get(Organization, actor.organization_id), what="organization")
        select = db.select(AuditEvent).where(AuditEvent.organization_id == actor.organization_id)
        if "action" in query:
            select = select.where(AuditEvent.action == query["action"])
        if "object_id" in query:
            select = select.where(AuditEvent.object_id == query["object_id"])
        pagination_parameters.item_count = db.session.scalar(
            db.select(db.func.count()).select_from(select.subquery()))
        return db.session.scalars(select.order_by(AuditEvent.id.desc())
                                  .limit(pagination_parameters.page_size)
                                  .offset(pagination_parameters.first_item)).all()
