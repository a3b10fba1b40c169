"""Hand-computed transcripts for the credit policy's edge cases (pure functions,
no database). Every expected number below is worked out in the comment beside it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from service.assessment.mastery import Evidence, MasteryConfig, calculate
from service.transcript import policy as P
from service.transcript.builder import CompetencyInput, CourseInput, Inputs, build

T0 = datetime(2026, 9, 1, tzinfo=UTC)


def comp(cid, level, subject="Mathematics", evidence=1):
    return CompetencyInput(id=cid, statement=f"Competency {cid}", code=cid, subject=subject,
                           level=None if level is None else D(str(level)),
                           evidence=[Evidence(float(level), T0)] * evidence if level is not None else [])


def course(code, comps, credit="1.0", level="standard", term="2026-2027 Fall", subject="Mathematics"):
    return CourseInput(id=code, code=code, title=f"Course {code}", subject=subject, level=level,
                       credit_value=D(credit), term=term, competencies=comps)


def record(courses, comps, rules=None, **kw):
    rules = rules or P.Rules.from_json({})
    return build(Inputs(student={"name": "A. Student"}, courses=courses,
                        competencies={c.id: c for c in comps}, **kw), rules)


def only_course(rec):
    (term,) = rec["terms"]
    (row,) = term["courses"]
    return row


@pytest.mark.parametrize("partial, credits", [("proportional", "0.50"), ("none", "0.00")])
def test_partial_credit_on_and_off(partial, credits):
    # levels 4, 3, 2, 2: 2 of 4 proficient (>= 3); mean 11/4 = 2.75 -> B- (2.7)
    rules = P.Rules.from_json({"credit_rule": {"mode": "all", "partial": partial}})
    rec = record([course("M1", ["a", "b", "c", "d"])], [comp("a", 4), comp("b", 3), comp("c", 2), comp("d", 2)],
                 rules)
    row = only_course(rec)
    assert (row["course_level"], row["letter"], row["points"]) == ("2.75", "B-", "2.70")
    assert row["credits_attempted"] == "1.00" and row["credits_earned"] == credits
    assert row["proficient"] == 2 and row["competency_count"] == 4
    # a share rule of one half is met by 2 of 4: full credit either way
    share = P.Rules.from_json({"credit_rule": {"mode": "share", "share": 0.5, "partial": partial}})
    rec = record([course("M1", ["a", "b", "c", "d"])], [comp("a", 4), comp("b", 3), comp("c", 2), comp("d", 2)],
                 share)
    assert only_course(rec)["credits_earned"] == "1.00"


@pytest.mark.parametrize("scores, level, letter, points, earned", [
    ([3, 2], "2.00", "C-", "1.70", "0.00"),  # reassessed lower: most recent 2 -> C-, not proficient
    ([2, 4], "4.00", "A", "4.00", "1.00"),   # reassessed higher: most recent 4 -> A, proficient
])
def test_reassessment_changes_the_grade(scores, level, letter, points, earned):
    pieces = [Evidence(v, T0 + timedelta(days=i)) for i, v in enumerate(scores)]
    current = calculate(pieces, MasteryConfig(method="most_recent"))
    c = CompetencyInput(id="w1", statement="Write arguments", level=D(str(current.level)), evidence=pieces)
    row = only_course(record([course("E1", ["w1"])], [c]))
    assert (row["course_level"], row["letter"], row["points"], row["credits_earned"]) == (level, letter, points,
                                                                                           earned)


def test_a_competency_shared_by_two_courses():
    # x=4 counts in both courses. A: mean(4,3)=3.5 -> A- 3.7, 2/2 proficient -> 1.00 credit.
    # B: mean(4,2)=3.0 -> B 3.0, 1/2 proficient -> 0.50 (proportional).
    # GPA = (3.7*1 + 3.0*1) / 2 = 3.35; attempted 2.00, earned 1.50
    rec = record([course("A", ["x", "y"]), course("B", ["x", "z"])], [comp("x", 4), comp("y", 3), comp("z", 2)])
    rows = {r["code"]: r for r in rec["terms"][0]["courses"]}
    assert (rows["A"]["letter"], rows["A"]["credits_earned"]) == ("A-", "1.00")
    assert (rows["B"]["letter"], rows["B"]["credits_earned"]) == ("B", "0.50")
    assert rec["cumulative"] == {"gpa_unweighted": "3.35", "gpa_weighted": "3.35", "credits_attempted": "2.00",
                                 "credits_earned": "1.50"}
    shared = next(c for c in rec["competencies"] if c["id"] == "x")
    assert shared["courses"] == ["A", "B"]


def test_honors_weighting():
    # H (honors, 1.0 credit) level 3 -> B 3.0, weighted 3.5; S (standard, 0.5) level 4 -> A 4.0.
    # unweighted (3.0*1 + 4.0*0.5)/1.5 = 3.333 -> 3.33; weighted (3.5*1 + 4.0*0.5)/1.5 = 3.667 -> 3.67
    rec = record([course("H", ["h"], level="honors"), course("S", ["s"], credit="0.5")], [comp("h", 3), comp("s", 4)])
    rows = {r["code"]: r for r in rec["terms"][0]["courses"]}
    assert (rows["H"]["points"], rows["H"]["weighted_points"]) == ("3.00", "3.50")
    assert rec["cumulative"]["gpa_unweighted"] == "3.33" and rec["cumulative"]["gpa_weighted"] == "3.67"
    # an F earns no honors bonus: AP level 1 -> F 0.0, weighted stays 0.0
    rec = record([course("AP", ["f"], level="ap")], [comp("f", 1)])
    assert (only_course(rec)["letter"], only_course(rec)["weighted_points"]) == ("F", "0.00")


def test_a_course_with_no_evidence_is_in_progress_and_not_counted():
    # N has no scored competency: in progress, nothing attempted; GPA comes from G alone (level 3 -> B 3.00)
    rec = record([course("N", ["n1", "n2"]), course("G", ["g"])], [comp("n1", None), comp("n2", None), comp("g", 3)])
    rows = {r["code"]: r for r in rec["terms"][0]["courses"]}
    assert rows["N"]["in_progress"] is True and rows["N"]["letter"] is None
    assert rows["N"]["credits_attempted"] == "0.00" and rows["N"]["credits_earned"] == "0.00"
    assert rec["cumulative"]["gpa_unweighted"] == "3.00" and rec["cumulative"]["credits_attempted"] == "1.00"
    # a course with no competencies at all is in progress too
    assert only_course(record([course("E", [])], []))["in_progress"] is True


def test_a_student_with_no_courses():
    rules = P.Rules.from_json({"graduation": {"credits_by_subject": {"Mathematics": 3}, "total_credits": 20}})
    rec = record([], [], rules)
    assert rec["terms"] == [] and rec["competencies"] == []
    assert rec["cumulative"] == {"gpa_unweighted": None, "gpa_weighted": None, "credits_attempted": "0.00",
                                 "credits_earned": "0.00"}
    assert [(g["name"], g["actual"], g["met"]) for g in rec["graduation"]] == [
        ("Mathematics", "0.00", False), ("Total credits", "0.00", False)]
    assert rec["graduation_met"] is False


def test_two_policy_versions_give_two_gpas_for_the_same_record():
    # levels 4 and 3. v1 (mean): 3.5 -> A- 3.7. v2 (lowest): 3 -> B 3.0.
    comps = [comp("a", 4), comp("b", 3)]
    v1 = record([course("M", ["a", "b"])], comps, P.Rules.from_json({"combine": "mean"}))
    v2 = record([course("M", ["a", "b"])], comps, P.Rules.from_json({"combine": "lowest"}))
    assert v1["cumulative"]["gpa_unweighted"] == "3.70"
    assert v2["cumulative"]["gpa_unweighted"] == "3.00"


def test_term_and_cumulative_gpa():
    # Fall: A level 4 (A 4.0, 1 cr). Spring: B level 2.5 (C+ 2.3, 1 cr). Cumulative (4.0 + 2.3)/2 = 3.15
    rec = record([course("A", ["a"], term="2026-2027 Fall"), course("B", ["b"], term="2026-2027 Spring")],
                 [comp("a", 4), comp("b", 2.5)])
    assert [(t["term"], t["gpa_unweighted"]) for t in rec["terms"]] == [("2026-2027 Fall", "4.00"),
                                                                         ("2026-2027 Spring", "2.30")]
    assert rec["cumulative"]["gpa_unweighted"] == "3.15"


def test_mastery_combination_pools_the_evidence():
    # pooled most-recent over both competencies' evidence: the latest piece is 2 -> C-
    a = CompetencyInput(id="a", statement="a", level=D(4), evidence=[Evidence(4, T0)])
    b = CompetencyInput(id="b", statement="b", level=D(2), evidence=[Evidence(2, T0 + timedelta(days=1))])
    rules = P.Rules.from_json({"combine": "mastery"})
    rec = build(Inputs(student={}, courses=[course("M", ["a", "b"])], competencies={"a": a, "b": b},
                       mastery=MasteryConfig(method="most_recent")), rules)
    assert only_course(rec)["letter"] == "C-"


def test_graduation_by_credits_and_domain_levels():
    rules = P.Rules.from_json({"graduation": {"credits_by_subject": {"Mathematics": 1}, "total_credits": 1,
                                              "min_domain_levels": {"D1": 3, "D2": 3}}})
    rec = record([course("M", ["a"])], [comp("a", 3)], rules, domain_levels={"D1": D("3.2"), "D2": D("2.9")})
    assert [(g["kind"], g["name"], g["met"]) for g in rec["graduation"]] == [
        ("credits", "Mathematics", True), ("total", "Total credits", True), ("domain", "D1", True),
        ("domain", "D2", False)]


def test_rules_are_validated_field_by_field():
    with pytest.raises(P.RulesError) as exc:
        P.Rules.from_json({"credit_rule": {"mode": "most", "share": 2}, "combine": "median", "bogus": 1,
                           "grade_scale": [{"min_level": 3, "letter": "A", "points": 4}]})
    fields = [f for f, _ in exc.value.errors]
    assert {"credit_rule.mode", "credit_rule.share", "combine", "bogus", "grade_scale"} <= set(fields)
    rules = P.Rules.from_json({})
    assert P.Rules.from_json(rules.to_json()) == rules
