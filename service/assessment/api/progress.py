"""A student's mastery, habits of work and graduation snapshot; a section's heatmap."""
from __future__ import annotations

import uuid

from flask import current_app, jsonify
from flask.views import MethodView

from ...api.pagination import listing
from ...auth import api_auth, require_person
from ...extensions import db
from ...models import Section
from .. import reports
from ..models import Competency, Framework
from ..progress import evidence_for, followed_student, habits_for, mastery_table
from ..schemas import (
    DomainStandingSchema,
    HabitSchema,
    HeatmapSchema,
    MasteryDetailSchema,
    MasteryQuerySchema,
    MasterySchema,
)
from ..settings import level_label, scale_for
from ...web import fragments
from .common import _get, blp


def _mastery_rows(student, competencies):
    scale = scale_for(student.organization_id)
    table = mastery_table([student.id], competencies)
    return [dict(competency=c, level=r.level, label=level_label(scale, r.level), method=r.method,
                 evidence_count=r.evidence_count, mastered=r.mastered)
            for c in competencies for r in [table[(student.id, c.id)]]]


@blp.route("/students/<uuid:student_id>/mastery")
class StudentMastery(MethodView):
    @api_auth("read")
    @blp.arguments(MasteryQuerySchema, location="query")
    @blp.response(200, MasterySchema(many=True))
    @listing(blp)
    def get(self, query, student_id: uuid.UUID):
        """Mastery of every competency of the current frameworks (or of `framework_id`)."""
        student = followed_student(require_person(), student_id)
        select = db.select(Competency).join(Framework).where(Framework.organization_id == student.organization_id)
        if "framework_id" in query:
            select = select.where(Framework.id == query["framework_id"])
        else:
            select = select.where(Framework.status == "current")
        competencies = list(db.session.scalars(select.order_by(Framework.title, Competency.position)))
        return _mastery_rows(student, competencies)


@blp.route("/students/<uuid:student_id>/mastery/<uuid:competency_id>")
class StudentCompetencyMastery(MethodView):
    @api_auth("read")
    @blp.response(200, MasteryDetailSchema)
    def get(self, student_id: uuid.UUID, competency_id: uuid.UUID):
        """Mastery of one competency and the scored evidence that counts toward it."""
        actor = require_person()
        student = followed_student(actor, student_id)
        competency = _get(Competency, competency_id, actor, what="competency")
        row = _mastery_rows(student, [competency])[0]
        return {**row, "evidence": evidence_for(student.id, competency)}


@blp.route("/students/<uuid:student_id>/habits")
class StudentHabits(MethodView):
    @api_auth("read")
    @blp.response(200, HabitSchema(many=True))
    @listing(blp)
    def get(self, student_id: uuid.UUID):
        """Habits-of-work scores, reported apart from academic mastery."""
        return habits_for(followed_student(require_person(), student_id).id)


@blp.route("/students/<uuid:student_id>/graduation")
class StudentGraduation(MethodView):
    @api_auth("read")
    @blp.response(200, DomainStandingSchema(many=True))
    @listing(blp)
    def get(self, student_id: uuid.UUID):
        """Each domain's current level against the level required for graduation."""
        student = followed_student(require_person(), student_id)
        return [dict(domain=s.domain, level=s.result.level, label=s.label, required=s.required, met=s.met)
                for s in reports.graduation_snapshot(student)]


@blp.route("/sections/<uuid:section_id>/heatmap")
class SectionHeatmap(MethodView):
    @api_auth("read")
    @blp.response(200, HeatmapSchema)
    def get(self, section_id: uuid.UUID):
        """Students by competencies with each level, and who is not yet meeting each (teachers, admins)."""
        section = _get(Section, section_id, require_person(), "view_roster", "section")  # before anything kept

        def build() -> str:
            heat = reports.section_heatmap(section)
            data = HeatmapSchema(exclude=("cells",)).dump({
                "section_id": section.id, "students": heat.students, "competencies": heat.competencies,
                "not_yet_meeting": [dict(competency_id=cid, students=people) for cid, people in heat.not_yet.items()]})
            data["cells"] = heatmap_cells(heat)
            return jsonify(data).get_data(as_text=True)

        # The same document for everyone allowed to see the section: kept as the page's content is.
        body = fragments.fragment(("heatmap-json", section.id), section.organization_id, build)
        return current_app.response_class(body, mimetype="application/json")


def heatmap_cells(heat: reports.Heatmap) -> list[dict]:
    """`HeatmapCellSchema` dumps of every cell, written directly: the schema
    took most of a 540-cell heatmap's 19 ms (tests/speed/test_page_fragments.py
    keeps them equal)."""
    students = [str(s.id) for s in heat.students]
    competencies = [str(c.id) for c in heat.competencies]
    dumped: dict = {}  # one dump per shared result and label; copied per cell
    cells = []
    for student, results, labels in zip(students, heat.grid, heat.label_grid):
        for competency, result, label in zip(competencies, results, labels):
            base = dumped.get((id(result), label))
            if base is None:
                level = None if result.level is None else float(result.level)
                base = dumped[(id(result), label)] = {"level": level, "label": label, "mastered": result.mastered,
                                                      "evidence_count": result.evidence_count}
            cells.append({"student_id": student, "competency_id": competency, **base})
    return cells
