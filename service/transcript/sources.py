"""Load what the builder needs for one student from the database, in a few queries.

Courses come from the student's sections (the latest section of a course gives
its term); competencies are the courses' competencies plus any the student has
scored evidence on. Levels are the assessment feature's mastery (the
organization's method, across school years); badges are the student's issued
credentials, attached to the competencies their badge class aligns to.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

from ..assessment.mastery import calculate
from ..assessment.models import (
    Assessment,
    Competency,
    CourseCompetency,
    CriterionAlignment,
    CriterionScore,
    Framework,
    Submission,
)
from ..assessment.progress import evidence_table, habits_for
from ..assessment.settings import level_label, mastery_config, scale_for
from ..extensions import db
from ..models import Course, Enrolment, Person, Section
from .builder import CompetencyInput, CourseInput, Inputs
from .policy import Rules


def term_label(section: Section) -> str:
    return " ".join(p for p in (section.school_year, section.term) if p) or "Undated"


def student_courses(student: Person) -> list[tuple[Course, Section]]:
    rows = db.session.execute(
        db.select(Course, Section).join(Section, Section.course_id == Course.id)
        .join(Enrolment, Enrolment.section_id == Section.id)
        .where(Enrolment.person_id == student.id, Enrolment.role == "student",
               Course.organization_id == student.organization_id)
        .order_by(Section.school_year, Section.created_at)).all()
    latest: dict = {}
    for course, section in rows:
        latest[course.id] = (course, section)  # ordered: the last one wins
    return list(latest.values())


def _scored_competencies(student: Person) -> list[Competency]:
    ids = db.select(CriterionAlignment.competency_id).join(
        CriterionScore, CriterionScore.criterion_id == CriterionAlignment.criterion_id).join(
        Assessment, Assessment.id == CriterionScore.assessment_id).join(
        Submission, Submission.id == Assessment.submission_id).where(
        Submission.student_id == student.id, Assessment.kind == "official")
    return list(db.session.scalars(db.select(Competency).where(Competency.id.in_(ids))))


def load(student: Person, rules: Rules) -> Inputs:
    org_id = student.organization_id
    pairs = student_courses(student)
    course_ids = [c.id for c, _ in pairs]
    links = db.session.execute(db.select(CourseCompetency.course_id, Competency).join(
        Competency, Competency.id == CourseCompetency.competency_id)
        .where(CourseCompetency.course_id.in_(course_ids))).all() if course_ids else []
    by_course: dict = defaultdict(list)
    competencies: dict[uuid.UUID, Competency] = {}
    for course_id, competency in links:
        by_course[course_id].append(competency)
        competencies[competency.id] = competency
    for competency in _scored_competencies(student):
        competencies.setdefault(competency.id, competency)
    # One entry per stable identifier: the same competency in two framework versions is one line.
    comp_list = sorted(competencies.values(), key=lambda c: (c.identifier, c.framework_id))
    evidence, configs = evidence_table([student.id], comp_list)
    frameworks = {f.id: f for f in db.session.scalars(db.select(Framework).where(
        Framework.id.in_({c.framework_id for c in comp_list})))} if comp_list else {}
    scale = scale_for(org_id)
    badges = _badges(student)
    badge_ids_by_comp: dict = defaultdict(list)
    for badge in badges:
        for comp_id in badge["competency_ids"]:
            badge_ids_by_comp[comp_id].append(badge["id"])
    inputs: dict[str, CompetencyInput] = {}
    for comp in comp_list:
        pieces = evidence.get((student.id, comp.id), [])
        result = calculate(pieces, configs[comp.id])
        framework = frameworks.get(comp.framework_id)
        key = comp.identifier
        if key in inputs and inputs[key].evidence:
            continue
        inputs[key] = CompetencyInput(
            id=key, statement=comp.abbreviated_statement or comp.statement, code=comp.human_code,
            uri=comp.uri, subject=comp.subject or (framework.subject if framework else None),
            framework=framework.title if framework else None,
            framework_uri=framework.source_uri if framework else None,
            level=Decimal(str(result.level)) if result.level is not None else None,
            label=level_label(scale, result.level) if result.level is not None else None,
            reached_at=max((p.at for p in pieces), default=None), evidence=list(pieces),
            badges=sorted(set(badge_ids_by_comp.get(str(comp.id), []))))
    courses = [CourseInput(id=str(course.id), code=course.code, title=course.title, subject=course.subject,
                           level=course.level or "standard", credit_value=Decimal(str(course.credit_value)),
                           term=term_label(section),
                           competencies=sorted({c.identifier for c in by_course.get(course.id, [])}))
               for course, section in pairs]
    return Inputs(student=student_info(student), courses=courses, competencies=inputs,
                  domain_levels=_domain_levels(student, rules), habits=habits_for(student.id), badges=badges,
                  mastery=mastery_config(org_id))


def student_info(student: Person) -> dict:
    return {"name": student.display_name, "given_name": student.given_name, "family_name": student.family_name,
            "number": student.external_id, "grade_level": student.grade_level}


def _domain_levels(student: Person, rules: Rules) -> dict:
    wanted = list(rules.min_domain_levels)
    if not wanted:
        return {}
    comps = list(db.session.scalars(db.select(Competency).join(Framework).where(
        Competency.organization_id == student.organization_id, Competency.identifier.in_(wanted),
        Framework.status == "current")))
    evidence, configs = evidence_table([student.id], comps)
    out = {}
    for comp in comps:
        level = calculate(evidence.get((student.id, comp.id), []), configs[comp.id]).level
        if level is not None:
            out[comp.identifier] = Decimal(str(level))
    return out


def _badges(student: Person) -> list[dict]:
    """The student's issued badges: signed credential plus the competencies they align to."""
    from ..badges.facts import issued_badges

    return issued_badges(student.id)
