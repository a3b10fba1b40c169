"""The transcript record: plain functions over data `sources.py` loaded.

`build(inputs, rules)` returns one JSON-able dict (the `record` of a
transcript): competencies with their current level, when it was set, how much
scored evidence and which badges stand behind it; the traditional view the
credit policy derives (courses by term, credits attempted and earned, letter
grades, term and cumulative GPA, weighted and unweighted); habits of work
apart from academics; graduation requirements met or not. Numbers are strings
of Decimals so they survive JSON exactly.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ..assessment.mastery import Evidence, MasteryConfig, calculate
from . import policy as P


@dataclass
class CompetencyInput:
    id: str                      # stable identifier (CASE identifier when imported)
    statement: str
    code: str | None = None
    uri: str | None = None
    subject: str | None = None
    framework: str | None = None
    framework_uri: str | None = None
    level: Decimal | None = None
    label: str | None = None
    reached_at: datetime | None = None
    evidence: list[Evidence] = field(default_factory=list)
    badges: list[str] = field(default_factory=list)   # credential ids of badges aligned to it


@dataclass
class CourseInput:
    id: str
    code: str
    title: str
    subject: str | None
    level: str                   # standard | honors | ap
    credit_value: Decimal
    term: str
    competencies: list[str]      # CompetencyInput ids


@dataclass
class Inputs:
    student: dict                # name, number, grade_level
    courses: list[CourseInput]
    competencies: dict[str, CompetencyInput]
    domain_levels: dict = field(default_factory=dict)   # identifier -> level (graduation snapshot)
    habits: list[dict] = field(default_factory=list)     # {criterion, level}
    badges: list[dict] = field(default_factory=list)     # {id, name, credential}
    mastery: MasteryConfig | None = None                 # for combine == "mastery"


def s(value) -> str | None:
    return None if value is None else str(value)


def inputs_config(rules: P.Rules, config: MasteryConfig | None) -> MasteryConfig:
    return config or MasteryConfig(proficient_level=float(rules.proficient_level))


def build(inputs: Inputs, rules: P.Rules) -> dict:
    comps = inputs.competencies
    courses_by_comp: dict[str, list[str]] = defaultdict(list)
    for course in inputs.courses:
        for cid in course.competencies:
            courses_by_comp[cid].append(course.code)
    # The mastery combination pools evidence with the organization's method.
    config = inputs_config(rules, inputs.mastery)
    rows, by_term = [], defaultdict(list)
    for course in sorted(inputs.courses, key=lambda c: (c.term, c.code)):
        present = [comps[c] for c in course.competencies if c in comps]
        pooled = None
        if rules.combine == "mastery":
            pieces = [e for c in present for e in c.evidence]
            if pieces:
                level = calculate(pieces, config).level
                pooled = Decimal(str(level)) if level is not None else None
        outcome = P.course_outcome(rules, course.credit_value, course.level, [c.level for c in present], pooled)
        row = {"id": course.id, "code": course.code, "title": course.title, "subject": course.subject,
               "level": course.level, "term": course.term, "credit_value": s(P.q2(course.credit_value)),
               "course_level": s(outcome.level), "letter": outcome.letter, "points": s(outcome.points),
               "weighted_points": s(outcome.weighted_points), "credits_attempted": s(outcome.credits_attempted),
               "credits_earned": s(outcome.credits_earned), "proficient": outcome.proficient_count,
               "competency_count": outcome.competency_count, "in_progress": outcome.level is None,
               "competencies": [c.id for c in present]}
        rows.append((row, outcome))
        by_term[course.term].append((row, outcome))
    terms = []
    for term in sorted(by_term):
        g = P.gpa(o for _, o in by_term[term])
        terms.append({"term": term, "courses": [r for r, _ in by_term[term]], **_gpa_json(g)})
    cumulative = P.gpa(o for _, o in rows)
    earned_by_subject: dict = defaultdict(Decimal)
    for row, outcome in rows:
        earned_by_subject[row["subject"] or "Other"] += outcome.credits_earned
    requirements = P.graduation(rules, earned_by_subject, cumulative.credits_earned, inputs.domain_levels)
    competencies = []
    for comp in sorted(comps.values(), key=lambda c: ((c.subject or "~"), c.code or "", c.statement)):
        competencies.append({
            "id": comp.id, "code": comp.code, "statement": comp.statement, "uri": comp.uri,
            "subject": comp.subject, "framework": comp.framework, "framework_uri": comp.framework_uri,
            "level": s(P.q2(comp.level)) if comp.level is not None else None, "label": comp.label,
            "proficient": comp.level is not None and Decimal(str(comp.level)) >= rules.proficient_level,
            "reached_at": comp.reached_at.isoformat() if comp.reached_at else None,
            "evidence_count": len(comp.evidence), "badges": list(comp.badges),
            "courses": sorted(set(courses_by_comp.get(comp.id, []))),
        })
    return {
        "student": inputs.student,
        "proficient_level": s(rules.proficient_level.normalize()),
        "terms": terms,
        "cumulative": _gpa_json(cumulative),
        "competencies": competencies,
        "habits": _habits(inputs.habits),
        "graduation": [{"kind": r.kind, "name": r.name, "required": s(r.required), "actual": s(r.actual),
                        "met": r.met} for r in requirements],
        "graduation_met": all(r.met for r in requirements) if requirements else None,
        "badges": [{"id": b["id"], "name": b["name"]} for b in inputs.badges],
    }


def _gpa_json(g: P.Gpa) -> dict:
    return {"gpa_unweighted": s(g.unweighted), "gpa_weighted": s(g.weighted),
            "credits_attempted": s(g.credits_attempted), "credits_earned": s(g.credits_earned)}


def _habits(habits: list[dict]) -> list[dict]:
    """Habits of work, reported apart: the mean level per criterion."""
    grouped: dict = defaultdict(list)
    for h in habits:
        grouped[h["criterion"]].append(Decimal(str(h["level"])))
    return [{"criterion": name, "mean_level": s(P.q2(sum(levels) / len(levels))), "count": len(levels)}
            for name, levels in sorted(grouped.items())]


def courses_in(record: dict) -> list[dict]:
    return [c for term in record.get("terms", []) for c in term["courses"]]
