"""Admins' proficiency and pace reports (page and CSV)."""
from __future__ import annotations

from flask import Response, render_template, request

from ...auth import login_required
from ...extensions import db
from ...models import Organization, Person, Role
from ...policies import authorize, visible
from .. import reports
from .common import _actor, bp


@bp.get("/reports")
@login_required
def admin_reports():
    actor = _actor()
    org = db.session.get(Organization, actor.organization_id)
    authorize(actor, "manage", org, what="organization")
    months = min(max(request.args.get("months", 6, type=int), 1), 36)
    rows = reports.proficiency_report(org.id, months=months)
    students = db.session.scalars(visible(actor, Person).where(Person.role == Role.STUDENT.value)
                                  .order_by(Person.display_name)).all()
    pace = reports.pace_report(org.id, students, months=months)
    month_labels = [label for label, _ in reports.month_ends(months)]
    html = render_template("assessment/reports.html", rows=rows, pace=pace, months=months,
                           month_labels=month_labels, latest=month_labels[-1])
    db.session.commit()  # after rendering: committing first would reload every student row by row
    return html


@bp.get("/reports/proficiency.csv")
@login_required
def admin_report_csv():
    actor = _actor()
    org = db.session.get(Organization, actor.organization_id)
    authorize(actor, "manage", org, what="organization")
    months = min(max(request.args.get("months", 6, type=int), 1), 36)
    return Response(reports.report_csv(reports.proficiency_report(org.id, months=months)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="proficiency.csv"'})
