"""Admins' proficiency and pace reports (page and CSV)."""
from __future__ import annotations

from itertools import groupby

from flask import Response, render_template, request

from ...auth import login_required
from ...extensions import db
from ...models import Organization, Person, Role, Section
from ...policies import authorize, visible
from .. import mastery_jobs, reports
from .common import _actor, bp


SECTIONS_PER_PAGE = 20
STUDENTS_PER_PAGE = 100


@bp.get("/reports")
@login_required
def admin_reports():
    """Proficiency of a page of sections and pace of a page of students; the
    slowed-down list covers every student (the CSV has every section)."""
    actor = _actor()
    org = db.session.get(Organization, actor.organization_id)
    authorize(actor, "manage", org, what="organization")
    months = min(max(request.args.get("months", 6, type=int), 1), 36)
    all_sections = db.session.scalars(db.select(Section).where(Section.organization_id == org.id)
                                      .order_by(Section.name, Section.id)).all()
    section_pages = _pages(len(all_sections), SECTIONS_PER_PAGE)
    page = min(max(request.args.get("page", 1, type=int), 1), section_pages)
    sections = all_sections[(page - 1) * SECTIONS_PER_PAGE:page * SECTIONS_PER_PAGE]
    rows = reports.proficiency_report(org.id, months=months, sections=sections) if sections else []
    # Every student's pace is counted (the slowed list covers them all): (id, name) rows, not 2,000 ORM objects.
    students = db.session.execute(visible(actor, Person).with_only_columns(Person.id, Person.display_name)
                                  .where(Person.role == Role.STUDENT.value)
                                  .order_by(Person.display_name, Person.id)).all()
    pace = reports.pace_report(org.id, students, months=months)
    pace_pages = _pages(len(pace), STUDENTS_PER_PAGE)
    pace_page = min(max(request.args.get("pace_page", 1, type=int), 1), pace_pages)
    month_labels = [label for label, _ in reports.month_ends(months)]
    # One table row per (section, competency), in the report's order (sections by name, as paged).
    table = [list(group) for _, group in groupby(rows, key=lambda r: (r["section_id"], r["competency_id"]))]
    html = render_template("assessment/reports.html", table=table, months=months,
                           pace=pace[(pace_page - 1) * STUDENTS_PER_PAGE:pace_page * STUDENTS_PER_PAGE],
                           slowed=[p for p in pace if p.slowed], page=page, pages=section_pages,
                           pace_page=pace_page, pace_pages=pace_pages,
                           month_labels=month_labels, latest=month_labels[-1],
                           rebuild=mastery_jobs.progress(mastery_jobs.active(org.id)))
    db.session.commit()  # after rendering: committing first would reload every student row by row
    return html


def _pages(count: int, size: int) -> int:
    return max(1, -(-count // size))


@bp.get("/reports/proficiency.csv")
@login_required
def admin_report_csv():
    actor = _actor()
    org = db.session.get(Organization, actor.organization_id)
    authorize(actor, "manage", org, what="organization")
    months = min(max(request.args.get("months", 6, type=int), 1), 36)
    return Response(reports.report_csv(reports.proficiency_report(org.id, months=months)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="proficiency.csv"'})
