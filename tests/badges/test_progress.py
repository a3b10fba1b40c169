"""badges.progress.badge_progress: a badge's award and rule parts for one
student, and the learning-plan badge goals that report it."""
from __future__ import annotations

import uuid

import pytest

from service.extensions import db
from tests.support.badges import badge_class, competency_and_rubric, scored_work
from tests.support.signin import sign_in


@pytest.fixture
def setup(factory):
    school = factory.school()
    competency, rubric = competency_and_rubric(school["org"], school["t1"])
    bc = badge_class(school["org"], issue_mode="approval",
                     rule={"all": [{"competency_id": str(competency.id), "min_level": 3}]})
    return dict(school, competency=competency, rubric=rubric, bc=bc)


def test_rule_parts_follow_mastery_then_the_award(setup):
    from service.badges import issuance, status
    from service.badges.progress import badge_progress

    s1, bc, competency = setup["s1"], setup["bc"], setup["competency"]
    assert badge_progress(s1.id, bc.id) == {
        "badge_class_id": bc.id, "name": "Careful Reader", "awarded": False, "status": "in_progress",
        "rule_parts": [{"competency_id": competency.id, "rubric_criterion_id": None, "required_level": 3,
                        "current_level": None, "met": False}]}
    scored_work(setup, setup["rubric"], competency, level_value=2)
    [part] = badge_progress(s1.id, bc.id)["rule_parts"]
    assert (part["current_level"], part["met"]) == (2.0, False)

    scored_work(setup, setup["rubric"], competency, student=setup["s2"], level_value=4)
    progress = badge_progress(setup["s2"].id, bc.id)
    assert progress["status"] == "rule_met" and progress["awarded"] is False
    assert progress["rule_parts"][0]["current_level"] == 4.0 and progress["rule_parts"][0]["met"] is True

    # The approval badge is queued, then issued, then revoked: the award's status wins.
    [outcome] = issuance.award_for_mastery(setup["s2"].id, [competency.id], setup["org"].id)
    assert badge_progress(setup["s2"].id, bc.id)["status"] == "pending_approval"
    issuance.approve(outcome.award, actor=setup["t1"])
    assert badge_progress(setup["s2"].id, bc.id)["awarded"] is True
    status.revoke(outcome.award, reason="copied")
    db.session.commit()
    progress = badge_progress(setup["s2"].id, bc.id)
    assert (progress["status"], progress["awarded"]) == ("revoked", False)


def test_criterion_rules_manual_badges_and_unknown_classes(setup):
    from service.badges.progress import badge_progress

    criterion = setup["rubric"].criteria[0]
    by_criterion = badge_class(setup["org"], name="Evidence user",
                               rule={"all": [{"rubric_criterion_id": str(criterion.id), "min_level": 4}]})
    scored_work(setup, setup["rubric"], setup["competency"], level_value=4)
    [part] = badge_progress(setup["s1"].id, by_criterion.id)["rule_parts"]
    assert part == {"competency_id": None, "rubric_criterion_id": criterion.id, "required_level": 4,
                    "current_level": 4.0, "met": True}
    manual = badge_class(setup["org"], name="Helper", rule=None, issue_mode="approval")
    assert badge_progress(setup["s1"].id, manual.id) == {
        "badge_class_id": manual.id, "name": "Helper", "awarded": False, "status": "manual", "rule_parts": []}
    with pytest.raises(LookupError):
        badge_progress(setup["s1"].id, uuid.uuid4())


def test_learning_plan_badge_goal_reports_progress(client, factory, setup):
    s1, t1, bc = setup["s1"], setup["t1"], setup["bc"]
    plan = client.post(f"/api/v1/students/{s1.id}/plans", json={"title": "Spring"}, headers=factory.auth(s1)).json
    goal = client.post(f"/api/v1/plans/{plan['id']}/goals", headers=factory.auth(t1), json={
        "badge_class_id": str(bc.id), "target_date": "2999-01-01"})
    assert goal.status_code == 201, goal.json
    # A badge of another organization, or none at all, is not a goal.
    other = badge_class(factory.org())
    for bad in (other.id, uuid.uuid4()):
        refused = client.post(f"/api/v1/plans/{plan['id']}/goals", headers=factory.auth(t1),
                              json={"badge_class_id": str(bad)})
        assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "badge_class_id"

    def progress():
        detail = client.get(f"/api/v1/plans/{plan['id']}", headers=factory.auth(s1)).json
        return next(p for p in detail["progress"] if p["goal_id"] == goal.json["id"])

    before = progress()
    assert before["status"] == "in progress" and before["mastered"] is False
    assert before["badge"]["status"] == "in_progress" and before["badge"]["rule_parts"][0]["met"] is False
    scored_work(setup, setup["rubric"], setup["competency"], level_value=4)
    from service.badges import issuance

    [outcome] = issuance.award_for_mastery(s1.id, [setup["competency"].id], setup["org"].id)
    issuance.approve(outcome.award, actor=t1)
    after = progress()
    assert after["status"] == "met" and after["mastered"] is True
    assert after["badge"] == {"badge_class_id": str(bc.id), "name": "Careful Reader", "awarded": True,
                              "status": "issued", "rule_parts": [{
                                  "competency_id": str(setup["competency"].id), "rubric_criterion_id": None,
                                  "required_level": 3.0, "current_level": 4.0, "met": True}]}
    # The plan page says so too.

    assert sign_in(client, s1, expect=None).status_code == 302
    page = client.get(f"/assessment/plans/{plan['id']}").data.decode()
    assert "Badge: Careful Reader" in page and "badge issued" in page and "1 of 1 requirement(s) met" in page
