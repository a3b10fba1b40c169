"""Organization-wide reports for admins: proficiency shares over time (JSON, CSV) and pace."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView

from ...api.pagination import listing
from ...auth import api_auth, require_person
from ...extensions import db
from ...models import Person, Role
from ...policies import visible
from .. import reports
from ..schemas import PaceSchema, ProficiencyRowSchema, ReportQuerySchema
from .common import _organization, blp


@blp.route("/reports/proficiency")
class ProficiencyReport(MethodView):
    @api_auth("admin")
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, ProficiencyRowSchema(many=True))
    @listing(blp)
    def get(self, query):
        """Share of students proficient per competency, by section, at each month end."""
        actor = require_person()
        _organization(actor, "manage")
        return reports.proficiency_report(actor.organization_id, months=query["months"])


@blp.route("/reports/proficiency.csv")
class ProficiencyCsv(MethodView):
    @api_auth("admin")
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, content_type="text/csv")
    def get(self, query):
        """The same report as CSV, for district and state reporting."""
        actor = require_person()
        _organization(actor, "manage")
        rows = reports.proficiency_report(actor.organization_id, months=query["months"])
        return Response(reports.report_csv(rows), mimetype="text/csv", headers={
            "Content-Disposition": 'attachment; filename="proficiency.csv"'})


@blp.route("/reports/pace")
class PaceReport(MethodView):
    @api_auth("admin")
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, PaceSchema(many=True))
    @listing(blp)
    def get(self, query):
        """Competencies mastered per month per student; `slowed` marks a marked slowdown."""
        actor = require_person()
        _organization(actor, "manage")
        students = db.session.scalars(visible(actor, Person).where(Person.role == Role.STUDENT.value)
                                      .order_by(Person.display_name)).all()
        return reports.pace_report(actor.organization_id, list(students), months=query["months"])
