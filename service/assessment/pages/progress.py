"""A section's mastery heatmap and a student's progress page."""
from __future__ import annotations

import uuid

from flask import render_template
from markupsafe import Markup, escape

from ...auth import login_required
from ...extensions import db
from ...models import Section
from ...policies import allowed, authorize
from .. import reports
from ..mastery_store import current_table
from ..models import LearningPlan, Submission
from ..progress import evidence_table, followed_student, framework_configs, habits_for
from ..settings import level_label, scale_for
from ...web import fragments
from ...web.links import row_url
from .common import _actor, _current_competencies, band, bp


@bp.get("/sections/<uuid:section_id>")
@login_required
def section_dashboard(section_id: uuid.UUID):
    actor = _actor()
    section = db.session.get(Section, section_id)
    authorize(actor, "view_roster", section, what="section")  # before any kept content is served

    def build() -> Markup:
        heat = reports.section_heatmap(section)
        scale = heat.scale or scale_for(section.organization_id)
        return Markup(render_template("assessment/_heatmap_body.html", section=section, heat=heat, scale=scale,
                                      rows=_heatmap_rows(heat, scale), not_yet=_not_yet(heat)))

    body = fragments.fragment(("heatmap", section.id), section.organization_id, build)
    return _render_then_commit("assessment/heatmap.html", section=section, body=body)


def _heatmap_rows(heat: reports.Heatmap, scale) -> Markup:
    """The heatmap's table rows as HTML. Built here rather than in Jinja: per
    cell, Jinja's attribute lookups on ORM rows, escaping and the band helper
    took most of the page's time (bench/bench_pages.py: 37 ms of CPU for a
    30-student section, about 540 cells), and url_for per row 20 µs. Equal
    results are one object (`mastery_store.current_grid`): a cell's markup is
    made once per column and result."""
    values = [lv["value"] for lv in scale.levels]
    columns = [f'" data-competency="{escape(c.identifier)}" title="{escape(c.human_code)}: '
               for c in heat.competencies]
    progress_url = row_url("assessment.progress", "student_id")
    cell_html: dict = {}  # (column, id of the shared result) -> markup; most cells have no evidence
    rows = []
    for student, results, labels in zip(heat.students, heat.grid, heat.label_grid):
        cells = []
        for n, result in enumerate(results):
            html = cell_html.get((n, id(result)))
            if html is None:
                html = cell_html[(n, id(result))] = _cell(result, escape(labels[n]), columns[n], values)
            cells.append(html)
        rows.append(f'\n    <tr data-student="{student.id}"><th scope="row"><a href="{progress_url(student.id)}">'
                    f'{escape(student.display_name)}</a></th>{"".join(cells)}</tr>\n  ')
    return Markup("".join(rows))


def _cell(result, label: str, column: str, values: list) -> str:
    count = result.evidence_count
    if result.level is None:
        band, level, shown = "band-none", "", '<span class="sr-only">No evidence yet</span>–'
    else:
        reached = [n for n, value in enumerate(values) if value <= result.level + 1e-9]
        band, level = f"band-{reached[-1] if reached else 0}", escape(str(result.level))
        shown = f'{result.level:g} <span class="label">{label}</span>'
    return (f'<td class="cell {band}{" mastered" if result.mastered else ""}" data-level="{level}{column}'
            f'{label} ({count} piece{"" if count == 1 else "s"})">{shown}</td>')


def _not_yet(heat: reports.Heatmap) -> dict:
    """competency id -> the list items of its students not yet meeting it (HTML)."""
    names = {s.id: escape(s.display_name) for s in heat.students}
    out = {}
    for n, competency in enumerate(heat.competencies):
        out[competency.id] = Markup("".join(
            f'<li>{names[s.id]} <span class="muted">({escape(labels[n])})</span></li>'
            for s, results, labels in zip(heat.students, heat.grid, heat.label_grid) if not results[n].mastered))
    return out


@bp.get("/students/<uuid:student_id>")
@login_required
def progress(student_id: uuid.UUID):
    """The student's progress toward each competency (read-only for guardians)."""
    actor = _actor()
    student = followed_student(actor, student_id)
    competencies = _current_competencies(student.organization_id)
    # The stored states (equal to the live calculation: tests/assessment/test_stored_mastery_sequence.py),
    # not the student's evidence over every competency computed again.
    table = current_table([student.id], competencies)
    configs = framework_configs(competencies)
    # "Still needed" under n_at_or_above counts the pieces at or above proficient: those few live.
    counting = [c for c in competencies if configs[c.id].method == "n_at_or_above"
                and table[(student.id, c.id)].evidence_count and not table[(student.id, c.id)].mastered]
    evidence = evidence_table([student.id], counting)[0] if counting else {}
    scale = scale_for(student.organization_id)
    label_of: dict = {}
    rows = []
    for competency in competencies:
        result = table[(student.id, competency.id)]
        if result.level not in label_of:
            label_of[result.level] = level_label(scale, result.level)
        rows.append({"competency": competency, "result": result, "label": label_of[result.level],
                     "needed": _still_needed(result, configs[competency.id],
                                             evidence.get((student.id, competency.id), ()))})
    submissions = db.session.scalars(db.select(Submission).where(Submission.student_id == student.id)
                                     .order_by(Submission.submitted_at.desc())).all()
    standings = reports.graduation_snapshot(student, table)
    chart = Markup(reports.graduation_svg(standings, max(lv["value"] for lv in scale.levels)))
    plans = db.session.scalars(db.select(LearningPlan).where(LearningPlan.student_id == student.id)).all()
    return _render_then_commit("assessment/progress.html", student=student, rows=rows, scale=scale,
                           rows_html=_progress_rows(rows, scale),
                           submissions=submissions, habits=habits_for(student.id), standings=standings, chart=chart,
                           plans=plans, read_only=not allowed(actor, "create", LearningPlan(
                               organization_id=student.organization_id, student_id=student.id)))


MASTERED = ' <span class="ok">✓ mastered</span>'


def _progress_rows(rows: list[dict], scale) -> Markup:
    """The progress table's rows as HTML, as the template wrote them: a
    Jinja loop over ~200 competencies was a third of the page's time."""
    bands: dict = {}
    out = []
    for row in rows:
        c, r = row["competency"], row["result"]
        if r.level not in bands:
            bands[r.level] = band(scale, r.level)
        kind = f'<span class="muted small">· {escape(c.item_type)}</span>' if c.item_type else ""
        shown = "–" if r.level is None else escape("%g" % r.level)
        out.append(
            f'\n    <tr data-competency="{escape(c.identifier)}" data-level="{"" if r.level is None else r.level}" '
            f'class="depth-{c.depth}">\n      <th scope="row" style="padding-left: {0.6 + c.depth * 1.2}rem">\n'
            f'        <span class="code">{escape(c.human_code)}</span> '
            f'{escape(c.abbreviated_statement or c.statement)}\n        {kind}</th>\n'
            f'      <td><span class="pill {bands[r.level]}">{shown}</span> {escape(row["label"])}'
            f'{MASTERED if r.mastered else ""}</td>\n'
            f'      <td>{r.evidence_count}</td>\n      <td>{escape(row["needed"])}</td>\n    </tr>\n  ')
    return Markup("".join(out))


def _render_then_commit(template: str, **context) -> str:
    """Render, then commit what first use created (a default scale or settings).
    Committing first would expire every loaded row and reload each one, one
    query per row, while the template reads it."""
    html = render_template(template, **context)
    db.session.commit()
    return html


def _still_needed(result, config, pieces) -> str:
    if result.mastered:
        return "Mastered"
    if config.method == "n_at_or_above":
        have = sum(1 for p in pieces if p.level >= config.proficient_level)
        return f"{config.evidence_required - have} more piece(s) at level {config.proficient_level:g} or above"
    if result.level is None:
        return f"Evidence scored at level {config.mastery_threshold:g} or above"
    return f"Reach level {config.mastery_threshold:g} (now {result.level:g})"
