"""The assessment pages' blueprint, the home-page links, and helpers the page modules share."""
from __future__ import annotations

import uuid

from flask import Blueprint, request, url_for

from ...auth import current_person
from ...errors import Problem
from ...extensions import db
from ...models import GuardianLink, Person, Role, Section
from ...policies import visible
from ...web.links import row_url
from ..models import Competency, Framework, Rubric

bp = Blueprint("assessment", __name__, url_prefix="/assessment")


def band(scale, level) -> str:
    """A CSS class for a level: its position on the scale, or "none" without evidence."""
    if level is None:
        return "band-none"
    reached = [n for n, lv in enumerate(scale.levels) if lv["value"] <= level + 1e-9]
    return f"band-{reached[-1] if reached else 0}"


@bp.app_context_processor
def _helpers():
    return {"level_band": band}


def links_for(person) -> list[dict]:
    if person is None:
        return []
    links = []
    if person.role == Role.STUDENT.value:
        links.append({"url": url_for("assessment.progress", student_id=person.id), "label": "My progress"})
        links.append({"url": url_for("assessment.submit_page"), "label": "Submit evidence"})
    if person.role == Role.GUARDIAN.value:
        for ward in db.session.scalars(db.select(Person).join(GuardianLink, GuardianLink.student_id == Person.id)
                                       .where(GuardianLink.guardian_id == person.id)):
            links.append({"url": url_for("assessment.progress", student_id=ward.id),
                          "label": f"Progress of {ward.display_name}"})
    if person.role in (Role.TEACHER.value, Role.ADMIN.value):
        if person.role == Role.TEACHER.value:
            links.append({"url": url_for("assessment.queue"), "label": "Review queue"})
        dashboard = row_url("assessment.section_dashboard", "section_id")  # an admin sees every section
        for section_id, name in db.session.execute(visible(person, Section).with_only_columns(Section.id, Section.name)
                                                   .order_by(Section.name)):
            links.append({"url": dashboard(section_id), "label": f"Mastery dashboard: {name}"})
        links.append({"url": url_for("assessment.frameworks"), "label": "Competency frameworks"})
        links.append({"url": url_for("assessment.calibrations"), "label": "Calibration (blind scoring)"})
    if person.role == Role.ADMIN.value:
        links.append({"url": url_for("assessment.admin_reports"), "label": "Proficiency and pace reports"})
        links.append({"url": url_for("assessment.settings_page"), "label": "Proficiency scale and mastery settings"})
    return links


def _actor():
    actor = current_person()
    if actor is None:
        raise Problem(401, "Sign in first.")
    return actor


def _current_competencies(organization_id):
    return list(db.session.scalars(db.select(Competency).join(Framework).where(
        Framework.organization_id == organization_id, Framework.status == "current")
        .order_by(Framework.title, Competency.position)))


def _scores_from_form(rubric: Rubric) -> dict:
    scores = []
    for criterion in rubric.criteria:
        level = request.form.get(f"level-{criterion.id}")
        try:
            level_id = uuid.UUID(level) if level else None
        except ValueError:
            level_id = None
        if level_id is not None:
            scores.append({"criterion_id": criterion.id, "level_id": level_id,
                           "feedback": request.form.get(f"feedback-{criterion.id}") or None})
    return {"scores": scores, "feedback": request.form.get("feedback") or None}


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None
