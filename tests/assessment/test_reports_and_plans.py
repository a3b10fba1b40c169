"""Heatmap, proficiency report and CSV, pace analytics, graduation snapshot,
calibration and learning plans."""
from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timedelta, timezone

from service.extensions import db
from tests.support.assessment import item, scored_submission

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def levels(claim, organisation, habit=3):
    return {"Claim and evidence": claim, "Organisation": organisation, "Timeliness": habit}


def test_heatmap_shows_each_level_and_who_is_not_yet_meeting(client, factory, school):
    s1, s2, t1 = school["s1"], school["s2"], school["t1"]
    scored_submission(s1, school["sec1"], school["rubric"], t1, levels(4, 3))
    scored_submission(s2, school["sec1"], school["rubric"], t1, levels(2, 1))
    db.session.commit()
    r = client.get(f"/api/v1/sections/{school['sec1'].id}/heatmap", headers=factory.auth(t1))
    assert r.status_code == 200
    body = r.json
    codes = {c["id"]: c["human_code"] for c in body["competencies"]}
    assert sorted(codes.values()) == ["ELA.W.1", "ELA.W.2"]
    cells = {(c["student_id"], codes[c["competency_id"]]): (c["level"], c["label"], c["mastered"])
             for c in body["cells"]}
    assert cells[(str(s1.id), "ELA.W.1")] == (4, "Advanced", True)
    assert cells[(str(s1.id), "ELA.W.2")] == (3, "Proficient", True)
    assert cells[(str(s2.id), "ELA.W.1")] == (2, "Developing", False)
    assert cells[(str(s2.id), "ELA.W.2")] == (1, "Beginning", False)
    not_yet = {codes[n["competency_id"]]: [s["id"] for s in n["students"]] for n in body["not_yet_meeting"]}
    assert not_yet == {"ELA.W.1": [str(s2.id)], "ELA.W.2": [str(s2.id)]}
    # Another teacher's section dashboard is not theirs to see.
    assert client.get(f"/api/v1/sections/{school['sec1'].id}/heatmap",
                      headers=factory.auth(school["t2"])).status_code == 404


def test_course_competencies_choose_the_dashboard_columns(client, factory, school):
    from service.models import Course

    course = Course(organization_id=school["org"].id, code="ELA-9", title="ELA 9")
    db.session.add(course)
    db.session.flush()
    school["sec1"].course_id = course.id
    db.session.commit()
    w2 = item(school["framework"], "ela-w-2")
    r = client.put(f"/api/v1/courses/{course.id}/competencies", json={"competency_ids": [str(w2.id)]},
                   headers=factory.auth(school["admin"]))
    assert r.status_code == 200
    heat = client.get(f"/api/v1/sections/{school['sec1'].id}/heatmap", headers=factory.auth(school["t1"])).json
    assert [c["human_code"] for c in heat["competencies"]] == ["ELA.W.2"]


def test_proficiency_report_over_time_and_csv(client, factory, school):
    from service.assessment.reports import proficiency_report, report_csv

    s1, s2, t1 = school["s1"], school["s2"], school["t1"]
    school["sec1"].name = "=HYPERLINK(\"x\")"  # must not become a spreadsheet formula
    scored_submission(s1, school["sec1"], school["rubric"], t1, levels(3, 3), at=NOW - timedelta(days=70))
    scored_submission(s2, school["sec1"], school["rubric"], t1, levels(4, 2), at=NOW - timedelta(days=5))
    db.session.commit()
    rows = proficiency_report(school["org"].id, months=3, now=NOW)
    w1 = [r for r in rows if r["competency_code"] == "ELA.W.1" and r["section_id"] == str(school["sec1"].id)]
    assert [(r["month"], r["proficient"], r["students"], r["share_proficient"]) for r in w1] == [
        ("2026-09", 1, 2, 0.5), ("2026-10", 1, 2, 0.5), ("2026-11", 2, 2, 1.0)]
    text = report_csv(rows)
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed[0]["section"].startswith("'=")
    r = client.get("/api/v1/reports/proficiency.csv?months=2", headers=factory.auth(school["admin"]))
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.data.decode().splitlines()[0].startswith("section_id,section,school_year,competency_id")
    assert client.get("/api/v1/reports/proficiency", headers=factory.auth(t1)).status_code == 403
    assert len(client.get("/api/v1/reports/proficiency?months=2", headers=factory.auth(school["admin"])).json) > 0


def test_pace_flags_a_student_who_slowed_down(factory, school):
    from service.assessment.reports import pace_report

    s1, s2, t1 = school["s1"], school["s2"], school["t1"]
    # s1 mastered both competencies five months ago, nothing since; s2 recently.
    scored_submission(s1, school["sec1"], school["rubric"], t1, levels(3, 4), at=NOW - timedelta(days=150))
    scored_submission(s2, school["sec1"], school["rubric"], t1, levels(3, 3), at=NOW - timedelta(days=10))
    db.session.commit()
    report = {p.student.id: p for p in pace_report(school["org"].id, [s1, s2], months=6, now=NOW,
                                                   min_earlier_rate=0.5)}
    assert report[s1.id].per_month["2026-06"] == 2 and sum(report[s1.id].per_month.values()) == 2
    assert (report[s1.id].earlier_rate, report[s1.id].recent_rate, report[s1.id].slowed) == (0.67, 0.0, True)
    assert report[s2.id].per_month["2026-11"] == 2 and report[s2.id].slowed is False


def test_graduation_snapshot_and_chart(client, factory, school):
    from service.assessment.reports import graduation_snapshot, graduation_svg

    s1, t1 = school["s1"], school["t1"]
    scored_submission(s1, school["sec1"], school["rubric"], t1, levels(3, 3))
    db.session.commit()
    r = client.patch("/api/v1/assessment/settings", json={"graduation_requirements": {"ela-w": 3.5}},
                     headers=factory.auth(school["admin"]))
    assert r.status_code == 200
    body = client.get(f"/api/v1/students/{s1.id}/graduation", headers=factory.auth(s1)).json
    assert [(d["domain"]["human_code"], d["level"], d["required"], d["met"]) for d in body] == [
        ("ELA.W", 3, 3.5, False)]
    svg = graduation_svg(graduation_snapshot(s1))
    assert svg.startswith("<svg") and 'class="domain not-met"' in svg and "ELA.W: 3 (Proficient), required 3.5" in svg


def test_calibration_is_blind_and_measures_agreement(client, factory, school):
    s1, s2, t1, t2, admin = school["s1"], school["s2"], school["t1"], school["t2"], school["admin"]
    sub1, _ = scored_submission(s1, school["sec1"], school["rubric"], t1, levels(3, 3))
    sub2, _ = scored_submission(s2, school["sec1"], school["rubric"], t1, levels(2, 2))
    db.session.commit()
    rubric = school["rubric"]
    r = client.post("/api/v1/calibrations", json={
        "title": "Argument essays, fall", "rubric_id": str(rubric.id),
        "submission_ids": [str(sub1.id), str(sub2.id)], "rater_ids": [str(t1.id), str(t2.id)]},
        headers=factory.auth(admin))
    assert r.status_code == 201, r.json
    session_id = r.json["id"]
    level = {lv.proficiency_value: str(lv.id) for lv in rubric.levels}

    def rate(teacher, submission, values):
        return client.post(f"/api/v1/calibrations/{session_id}/submissions/{submission.id}/scores", json={
            "scores": [{"criterion_id": str(c.id), "level_id": level[v]} for c, v in zip(rubric.criteria, values)]},
            headers=factory.auth(teacher))

    # t2 does not teach these students but, as a rater, may read the work.
    assert client.get(f"/api/v1/submissions/{sub1.id}", headers=factory.auth(t2)).status_code == 200
    assert rate(t1, sub1, (3, 3, 3)).status_code == 201
    assert rate(t1, sub1, (3, 3, 3)).status_code == 409  # once per piece
    assert rate(t2, sub1, (3, 2, 4)).status_code == 201
    assert rate(t1, sub2, (2, 2, 2)).status_code == 201
    assert rate(t2, sub2, (1, 2, 2)).status_code == 201
    assert rate(school["s1"], sub2, (1, 2, 2)).status_code == 404  # not a rater
    # Raters do not see the agreement (nor each other's scores); the creator does.
    assert client.get(f"/api/v1/calibrations/{session_id}/results", headers=factory.auth(t2)).status_code == 403
    results = client.get(f"/api/v1/calibrations/{session_id}/results", headers=factory.auth(admin)).json
    assert (results["completed"], results["expected"]) == (4, 4)
    by_title = {c["title"]: c for c in results["criteria"]}
    claim = by_title["Claim and evidence"]
    # t1 (3, 2) vs t2 (3, 1): one exact, one adjacent; kappa over levels 1..4 computed by hand:
    # observed disagreement (2-1)^2 * 1/2 = .5; expected: rows {3: .5, 2: .5}, cols {3: .5, 1: .5}
    # -> .25 * ((3-3)^2 + (3-1)^2 + (2-3)^2 + (2-1)^2) = 1.5; kappa = 1 - .5/1.5 = .6667
    assert (claim["pairs"], claim["exact_agreement"], claim["adjacent_agreement"]) == (2, 0.5, 1.0)
    assert claim["weighted_kappa"] == 0.6667
    assert by_title["Organisation"]["exact_agreement"] == 0.5
    # Calibration scores never reach the student nor mastery.
    detail = client.get(f"/api/v1/submissions/{sub1.id}", headers=factory.auth(s1)).json
    assert [a["kind"] for a in detail["assessments"]] == ["official"]
    from service.assessment.progress import mastery_for

    assert mastery_for(s1.id, item(school["framework"], "ela-w-1").id).evidence_count == 1
    # A session needs two teachers of the organization.
    r = client.post("/api/v1/calibrations", json={"title": "x", "rubric_id": str(rubric.id),
                                                  "submission_ids": [str(sub1.id)], "rater_ids": [str(t1.id)]},
                    headers=factory.auth(admin))
    assert r.status_code == 422
    assert client.post("/api/v1/calibrations", json={"title": "x", "rubric_id": str(rubric.id),
                                                     "submission_ids": [str(sub1.id)],
                                                     "rater_ids": [str(t1.id), str(t2.id)]},
                       headers=factory.auth(s1)).status_code == 403


def test_learning_plan_goals_progress_and_comments(client, factory, school):
    s1, t1 = school["s1"], school["t1"]
    w1 = item(school["framework"], "ela-w-1")
    plan = client.post(f"/api/v1/students/{s1.id}/plans", json={"title": "Spring plan"},
                       headers=factory.auth(s1)).json
    goal = client.post(f"/api/v1/plans/{plan['id']}/goals", json={
        "competency_id": str(w1.id), "target_date": "2027-03-01", "planned_evidence": "An op-ed with sources"},
        headers=factory.auth(s1))
    assert goal.status_code == 201
    assert client.post(f"/api/v1/plans/{plan['id']}/goals", json={"badge_class_id": str(uuid.uuid4())},
                       headers=factory.auth(t1)).status_code == 422  # no such badge
    badge_class = client.post("/api/v1/badge-classes", headers=factory.auth(t1), json={
        "name": "Arguer", "description": "Argues with evidence.", "criteria_narrative": "Proficient on ELA.W.1.",
        "issue_mode": "approval", "rule": {"all": [{"competency_id": str(w1.id), "min_level": 4}]}})
    assert badge_class.status_code == 201, badge_class.json
    badge = client.post(f"/api/v1/plans/{plan['id']}/goals", json={"badge_class_id": badge_class.json["id"]},
                        headers=factory.auth(t1))
    assert badge.status_code == 201
    assert client.post(f"/api/v1/plans/{plan['id']}/goals", json={}, headers=factory.auth(s1)).status_code == 422
    r = client.post(f"/api/v1/plans/{plan['id']}/comments", json={"body": "Try the school paper",
                                                                   "goal_id": goal.json["id"]},
                    headers=factory.auth(t1))
    assert r.status_code == 201
    assert client.post(f"/api/v1/plans/{plan['id']}/comments", json={"body": "x"},
                       headers=factory.auth(school["t2"])).status_code == 404
    scored_submission(s1, school["sec1"], school["rubric"], t1, levels(3, 2))
    db.session.commit()
    detail = client.get(f"/api/v1/plans/{plan['id']}", headers=factory.auth(s1)).json
    progress = {p["goal_id"]: p for p in detail["progress"]}
    mine = progress[goal.json["id"]]
    assert (mine["level"], mine["mastered"], mine["status"], mine["evidence_count"]) == (3, True, "met", 1)
    badge_goal = progress[badge.json["id"]]
    assert badge_goal["status"] == "in progress" and badge_goal["badge"]["status"] == "in_progress"
    assert badge_goal["badge"]["rule_parts"] == [{"competency_id": str(w1.id), "rubric_criterion_id": None,
                                                  "required_level": 4.0, "current_level": 3.0, "met": False}]
    assert [c["body"] for c in detail["comments"]] == ["Try the school paper"]


def test_demo_content_loads_twice_without_duplicates(app):
    from service.assessment.models import Framework, Rubric, Submission
    from service.demo import load_demo

    with app.app_context():
        load_demo()
        counts = [db.session.scalar(db.select(db.func.count()).select_from(m)) for m in (Framework, Rubric,
                                                                                         Submission)]
        load_demo()
        again = [db.session.scalar(db.select(db.func.count()).select_from(m)) for m in (Framework, Rubric,
                                                                                        Submission)]
        assert counts == again and counts[0] == 1 and counts[1] == 1 and counts[2] >= 3
