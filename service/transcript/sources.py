"""Load what the builder needs for one student from the database, in a few queries.

Courses come from the student's sections (the latest section of a course gives
its term); competencies are the courses' competencies plus any the student has
scored evidence on. Levels are the assessment feature's mastery (the
organization's method, across school years); badges are the student's issued
credentials, attached to the competencies their badge class aligns to.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from ..assessment import facts
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


def load(student: Person, rules: Rules) -> Inputs:
    org_id = student.organization_id
    pairs = student_courses(student)
    course_ids = [c.id for c, _ in pairs]
    by_course, records = facts.student_competencies(student.id, org_id, course_ids)
    badges = _badges(student)
    badge_ids_by_comp: dict = defaultdict(list)
    for badge in badges:
        for comp_id in badge["competency_ids"]:
            badge_ids_by_comp[comp_id].append(badge["id"])
    inputs: dict[str, CompetencyInput] = {}
    for comp in records:
        key = comp.identifier
        # One entry per stable identifier: the same competency in two framework versions is one line.
        if key in inputs and inputs[key].evidence:
            continue
        inputs[key] = CompetencyInput(
            id=key, statement=comp.statement, code=comp.code, uri=comp.uri, subject=comp.subject,
            framework=comp.framework, framework_uri=comp.framework_uri,
            level=Decimal(str(comp.level)) if comp.level is not None else None, label=comp.label,
            reached_at=max((p.at for p in comp.evidence), default=None), evidence=comp.evidence,
            badges=sorted(set(badge_ids_by_comp.get(str(comp.id), []))))
    courses = [CourseInput(id=str(course.id), code=course.code, title=course.title, subject=course.subject,
                           level=course.level or "standard", credit_value=Decimal(str(course.credit_value)),
                           term=term_label(section),
                           competencies=sorted(set(by_course.get(course.id, []))))
               for course, section in pairs]
    return Inputs(student=student_info(student), courses=courses, competencies=inputs,
                  domain_levels=_domain_levels(student, rules), habits=facts.habits(student.id), badges=badges,
                  mastery=facts.mastery_method(org_id))


def student_info(student: Person) -> dict:
    return {"name": student.display_name, "given_name": student.given_name, "family_name": student.family_name,
            "number": student.external_id, "grade_level": student.grade_level}


def _domain_levels(student: Person, rules: Rules) -> dict:
    levels = facts.domain_levels(student.id, student.organization_id, rules.min_domain_levels)
    return {identifier: Decimal(str(level)) for identifier, level in levels.items()}


def _badges(student: Person) -> list[dict]:
    """The student's issued badges: signed credential plus the competencies they align to."""
    from ..badges.facts import issued_badges

    return issued_badges(student.id)
