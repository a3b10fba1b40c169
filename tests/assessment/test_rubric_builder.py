"""The rubric builder page: criteria x levels, messages beside the field, and
revisions saved as new versions (the API's rules, through the page)."""
from __future__ import annotations

from service.extensions import db
from tests.support.assessment import item


def _form(school, title="Lab report", competency=True):
    data = {"title": title, "level-0-label": "Not yet", "level-0-points": "1", "level-0-value": "1",
            "level-1-label": "Developing", "level-1-points": "2", "level-1-value": "2",
            "level-2-label": "Secure", "level-2-points": "3", "level-2-value": "3",
            "crit-0-title": "Method", "crit-0-kind": "academic", "crit-0-desc-0": "Steps missing",
            "crit-1-title": "On time", "crit-1-kind": "habit"}
    if competency:
        data["crit-0-competencies"] = str(item(school["framework"], "ela-w-1").id)
    return data


def test_a_teacher_builds_then_revises_a_rubric(client, factory, school):
    from service.assessment.models import Rubric

    auth = factory.auth(school["t1"])
    refused = client.post("/assessment/rubric-builder/new", headers=auth, data=_form(school, competency=False))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="f-crit-0-competencies-error"' in html
    assert "An academic criterion must align to at least one competency" in html
    assert 'value="Lab report"' in html and 'value="Method"' in html  # the form kept its input
    assert client.post("/assessment/rubric-builder/new", headers=auth, data=_form(school)).status_code == 302
    rubric = db.session.scalar(db.select(Rubric).where(Rubric.title == "Lab report"))
    assert [lv.label for lv in rubric.levels] == ["Not yet", "Developing", "Secure"]
    assert [(c.title, c.kind) for c in rubric.criteria] == [("Method", "academic"), ("On time", "habit")]
    assert rubric.criteria[0].descriptors == ["Steps missing", "Developing", "Secure"]
    page = client.get(f"/assessment/rubric-builder/{rubric.id}/revise", headers=auth).get_data(as_text=True)
    assert 'value="Method"' in page and "version 2" in page
    r = client.post(f"/assessment/rubric-builder/{rubric.id}/revise", headers=auth,
                    data=dict(_form(school), **{"crit-0-title": "Method and controls"}))
    assert r.status_code == 302
    versions = db.session.scalars(db.select(Rubric).where(Rubric.key == rubric.key).order_by(Rubric.version)).all()
    assert [(v.version, v.status) for v in versions] == [(1, "superseded"), (2, "current")]
    assert versions[1].criteria[0].title == "Method and controls"
    # Students neither see nor use the builder; a teacher may not revise another teacher's rubric.
    assert client.get("/assessment/rubric-builder", headers=factory.auth(school["s1"])).status_code == 404
    assert client.post(f"/assessment/rubric-builder/{versions[1].id}/revise", headers=factory.auth(school["t2"]),
                       data=_form(school)).status_code in (403, 404)


def test_the_page_and_the_api_share_one_action_and_one_schema(client, factory, school):
    """What the API refuses by its schema the page refuses too, beside the field;
    both save through actions.save_rubric."""
    from service.assessment import actions
    from service.assessment.models import Rubric

    auth = factory.auth(school["t1"])
    too_many_points = dict(_form(school), **{"level-1-points": "5000"})
    page = client.post("/assessment/rubric-builder/new", headers=auth, data=too_many_points)
    assert page.status_code == 422 and 'id="f-level-1-points-error"' in page.get_data(as_text=True)
    long_title = dict(_form(school), title="x" * 201)
    page = client.post("/assessment/rubric-builder/new", headers=auth, data=long_title)
    assert page.status_code == 422 and 'id="f-title-error"' in page.get_data(as_text=True)
    api_body = {"title": "x" * 201, "criteria": [{"title": "On time", "kind": "habit"}],
                "levels": [{"label": "a", "points": 5000, "proficiency_value": 1},
                           {"label": "b", "points": 2, "proficiency_value": 2}]}
    api = client.post("/api/v1/rubrics", headers=auth, json=api_body)
    assert api.status_code == 422
    assert {e["field"] for e in api.json["errors"]} == {"title", "levels.0.points"}
    assert db.session.scalar(db.select(db.func.count()).select_from(Rubric).where(Rubric.title.like("x%"))) == 0

    import service.assessment.api.rubrics as api_module
    import service.assessment.rubric_builder as page_module

    assert api_module.save_rubric is page_module.save_rubric is actions.save_rubric
    assert api_module.RubricSchema is page_module.RubricSchema
