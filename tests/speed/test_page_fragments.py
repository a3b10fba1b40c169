"""The heatmap page's kept content (service/web/fragments.py) changes as soon
as what it shows changes: a score entered, a roster change, a rename, a
settings or scale change, course competencies replaced, a mastery rebuild;
also when the change is committed by another session (another process); a
rolled-back change leaves nothing behind; and authorization comes first."""
from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from service import jobs
from service.assessment import mastery_store, reports
from service.extensions import db
from service.web import fragments
from tests.support.assessment import item, scored_submission, writing_school  # noqa: F401  (the `school` fixture)
from tests.support.signin import sign_in


@pytest.fixture
def builds(monkeypatch):
    """How many times the heatmap was computed (not served from what is kept)."""
    count = {"n": 0}
    real = reports.section_heatmap

    def counting(*args, **kwargs):
        count["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(reports, "section_heatmap", counting)
    fragments.clear()
    yield count
    fragments.clear()


def _cells(html: str) -> dict:
    """(student id, competency identifier) -> the cell's level."""
    out = {}
    for row in re.findall(r'<tr data-student="([^"]+)">(.*?)</tr>', html, re.S):
        for level, competency in re.findall(r'data-level="([^"]*)" data-competency="([^"]+)"', row[1]):
            out[(row[0], competency)] = level
    return out


def _main(html: str) -> str:
    return html[html.index("<main"):]


def _page(client, school) -> str:
    response = client.get(f"/assessment/sections/{school['sec1'].id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_kept_heatmap_follows_every_change(client, factory, school, builds):
    from service.assessment.settings import scale_for, settings_for

    s1, s2, t1, sec1, rubric = school["s1"], school["s2"], school["t1"], school["sec1"], school["rubric"]
    mastery_store.ensure_built(school["org"].id)  # else the first read builds (and keeps nothing)
    scored_submission(s1, sec1, rubric, t1, {"Claim and evidence": 2, "Organisation": 2})
    db.session.commit()
    sign_in(client, t1)
    first = _page(client, school)
    assert _cells(first)[(str(s1.id), "ela-w-1")] == "2.0"
    assert _main(_page(client, school)) == _main(first) and builds["n"] == 1  # kept

    # A score entered.
    scored_submission(s1, sec1, rubric, t1, {"Claim and evidence": 4, "Organisation": 4})
    db.session.commit()
    after_score = _page(client, school)
    assert builds["n"] == 2 and _cells(after_score)[(str(s1.id), "ela-w-1")] != "2.0"

    # A roster change: a new student in the section, then out again.
    s9 = factory.person("student", school["org"], "Zed Newcomer")
    from service.models import Enrolment

    enrolment = Enrolment(section_id=sec1.id, person_id=s9.id, role="student")
    db.session.add(enrolment)
    db.session.commit()
    assert "Zed Newcomer" in _page(client, school)
    db.session.delete(enrolment)
    db.session.commit()
    assert "Zed Newcomer" not in _page(client, school)

    # A student renamed.
    s2.display_name = "Renamed Student"
    db.session.commit()
    assert "Renamed Student" in _page(client, school)

    # The scale's labels, then the mastery settings (a background rebuild).
    scale = scale_for(school["org"].id)
    scale.levels = [dict(level, label=f"L-{level['label']}") for level in scale.levels]
    db.session.commit()
    assert "L-Advanced" in _page(client, school)
    before = builds["n"]
    settings = settings_for(school["org"].id)
    settings.mastery_method = "highest"
    db.session.commit()
    jobs.join_threads()
    _page(client, school)
    assert builds["n"] == before + 1

    # Course competencies replaced by a bulk statement (through the API).
    from service.models import Course

    course = Course(organization_id=school["org"].id, code="ELA-9", title="ELA 9")
    db.session.add(course)
    db.session.flush()
    sec1.course_id = course.id
    db.session.commit()
    w2 = item(school["framework"], "ela-w-2")
    assert 'data-competency="ela-w-1"' in _page(client, school)
    r = client.put(f"/api/v1/courses/{course.id}/competencies", json={"competency_ids": [str(w2.id)]},
                   headers=factory.auth(school["admin"]))
    assert r.status_code == 200
    html = _page(client, school)
    assert 'data-competency="ela-w-1"' not in html and 'data-competency="ela-w-2"' in html


def test_a_change_committed_by_another_session_is_seen_at_once(client, school, builds):
    """Another worker process shares only the database: its commit moves the counter."""
    s1, t1 = school["s1"], school["t1"]
    mastery_store.ensure_built(school["org"].id)
    db.session.commit()
    sign_in(client, t1)
    assert "Other Process Name" not in _page(client, school)
    _page(client, school)
    assert builds["n"] == 1
    with Session(db.engine) as other:
        from service.models import Person

        other.get(Person, s1.id).display_name = "Other Process Name"
        other.commit()
    db.session.expire_all()  # the test shares its session with the client's requests; a worker's is fresh
    assert "Other Process Name" in _page(client, school) and builds["n"] == 2


def test_a_rolled_back_change_leaves_nothing_kept(client, school, builds):
    s1, t1 = school["s1"], school["t1"]
    sign_in(client, t1)
    mastery_store.ensure_built(school["org"].id)
    db.session.commit()
    original = _main(_page(client, school))
    from service.models import Person

    db.session.get(Person, s1.id).display_name = "Never Committed"
    # Built inside the changing transaction, under the page's own key: not kept.
    html = fragments.fragment(("heatmap", school["sec1"].id), school["org"].id,
                              lambda: ", ".join(s.display_name for s in reports.section_students(school["sec1"])))
    assert "Never Committed" in html
    db.session.rollback()
    assert _main(_page(client, school)) == original
    # The next committed change reaches the generation the rolled-back one had seen.
    db.session.get(Person, school["s2"].id).display_name = "Later Change"
    db.session.commit()
    later = _page(client, school)
    assert "Later Change" in later and "Never Committed" not in later and 'id="heatmap"' in later


def test_authorization_comes_before_the_kept_content(client, school, builds):
    sign_in(client, school["t1"])
    _page(client, school)
    other = client.application.test_client()
    sign_in(other, school["t2"])  # teaches sec2 only
    assert other.get(f"/assessment/sections/{school['sec1'].id}").status_code in (403, 404)
    anonymous = client.application.test_client()
    assert anonymous.get(f"/assessment/sections/{school['sec1'].id}").status_code in (302, 401)


def test_teacher_home_not_yet_list_follows_scores_and_stays_with_its_section(client, school, builds):
    s1, s2, t1, t2 = school["s1"], school["s2"], school["t1"], school["t2"]
    mastery_store.ensure_built(school["org"].id)
    scored_submission(s1, school["sec1"], school["rubric"], t1, {"Claim and evidence": 4, "Organisation": 4})
    db.session.commit()
    sign_in(client, t1)

    def not_yet(c) -> str:
        html = c.get("/home").get_data(as_text=True)
        return html[html.index('id="not-yet-meeting"'):html.index('id="h-more"')]

    first = not_yet(client)
    assert s1.display_name not in first and s2.display_name in first
    assert not_yet(client) == first and builds["n"] == 1  # kept
    scored_submission(s2, school["sec1"], school["rubric"], t1, {"Claim and evidence": 4, "Organisation": 4})
    db.session.commit()
    after = not_yet(client)
    assert builds["n"] == 2 and s2.display_name not in after and "Every student meets" in after
    other = client.application.test_client()
    sign_in(other, t2)  # teaches sec2 only: sec1's kept list is not theirs
    assert school["sec1"].name not in not_yet(other)


def test_kept_heatmap_json_follows_scores_and_equals_the_schema(client, factory, school, builds):
    """The heatmap API's document is kept like the page's content: served
    again until a score changes it, equal to `HeatmapSchema`'s own dump, and
    refused to a teacher of another section before anything kept is served."""
    from service.assessment.schemas import HeatmapSchema

    s1, t1, sec1, rubric = school["s1"], school["t1"], school["sec1"], school["rubric"]
    mastery_store.ensure_built(school["org"].id)
    scored_submission(s1, sec1, rubric, t1, {"Claim and evidence": 2, "Organisation": 3})
    db.session.commit()
    url = f"/api/v1/sections/{sec1.id}/heatmap"
    auth = factory.auth(t1)

    def level(document, student, identifier):
        competency = next(c["id"] for c in document["competencies"] if c["identifier"] == identifier)
        return next(c["level"] for c in document["cells"]
                    if c["student_id"] == str(student.id) and c["competency_id"] == competency)

    first = client.get(url, headers=auth)
    assert first.status_code == 200 and first.mimetype == "application/json"
    assert level(first.get_json(), s1, "ela-w-1") == 2.0
    again = client.get(url, headers=auth)
    assert again.get_data() == first.get_data() and builds["n"] == 1  # kept

    scored_submission(s1, sec1, rubric, t1, {"Claim and evidence": 4, "Organisation": 4})
    db.session.commit()
    after = client.get(url, headers=auth).get_json()
    assert builds["n"] == 2 and level(after, s1, "ela-w-1") not in (None, 2.0)

    heat = reports.section_heatmap(sec1)
    assert after == HeatmapSchema().dump({
        "section_id": sec1.id, "students": heat.students, "competencies": heat.competencies,
        "cells": [dict(student_id=s.id, competency_id=c.id, level=heat.cells[(s.id, c.id)].level,
                       label=heat.labels[(s.id, c.id)], mastered=heat.cells[(s.id, c.id)].mastered,
                       evidence_count=heat.cells[(s.id, c.id)].evidence_count)
                  for s in heat.students for c in heat.competencies],
        "not_yet_meeting": [dict(competency_id=cid, students=people) for cid, people in heat.not_yet.items()]})

    refused = client.get(url, headers=factory.auth(school["t2"]))  # teaches sec2 only
    assert refused.status_code in (403, 404) and refused.mimetype == "application/problem+json"
    assert client.get(url).status_code == 401
