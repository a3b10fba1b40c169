"""Submitting work shares exactly the submitted versions with its reviewers
(teachers of the submission's section, calibration raters), even when the
artifact is private; nothing else of the student's private work."""
from __future__ import annotations

import re

import pytest

from service.extensions import db
from tests.support.assessment import item, writing_framework, writing_rubric
from tests.support.portfolio import pdf, upload
from tests.support.signin import sign_in


@pytest.fixture
def reviewed(client, factory):
    """s1's private essay (version 1 submitted to sec1, version 2 added later)
    and a private diary never submitted. t2 also teaches s1, in another
    section; t3 rates the essay in t1's calibration session."""
    school = factory.school()
    org, s1 = school["org"], school["s1"]
    school["sec3"] = factory.section(org, teachers=[school["t2"]], students=[s1])
    school["t3"] = factory.person("teacher", org)
    framework = writing_framework(org.id, school["admin"])
    rubric = writing_rubric(org.id, framework, school["t1"])
    db.session.commit()
    student = factory.auth(s1)
    essay = upload(client, student, pdf(b"/Essay 1"), "essay.pdf", title="Essay").get_json()
    diary = upload(client, student, pdf(b"/Diary 1"), "diary.pdf", title="Diary").get_json()
    assert essay["visibility"] == diary["visibility"] == "private"
    response = client.post("/api/v1/submissions", headers=student, json={
        "section_id": str(school["sec1"].id), "rubric_id": str(rubric.id), "title": "Essay",
        "artifact_version_ids": [essay["versions"][0]["id"]],
        "competency_id": str(item(framework, "ela-w-1").id)})
    assert response.status_code == 201, response.get_json()
    later = upload(client, student, pdf(b"/Essay 2"), "essay.pdf", path=f"/api/v1/artifacts/{essay['id']}/versions")
    assert later.status_code == 201, later.get_json()
    return dict(school, essay=essay, diary=diary, rubric=rubric, submission=response.get_json())


def content(client, factory, person, artifact, number=1):
    return client.get(f"/api/v1/artifacts/{artifact['id']}/versions/{number}/content", headers=factory.auth(person))


def test_teacher_of_the_section_opens_the_submitted_version(client, factory, reviewed):
    t1, essay = reviewed["t1"], reviewed["essay"]
    response = content(client, factory, t1, essay)
    assert response.status_code == 200 and response.data == pdf(b"/Essay 1")
    meta = client.get(f"/api/v1/artifacts/{essay['id']}/versions/1", headers=factory.auth(t1))
    assert meta.status_code == 200 and meta.get_json()["locked"] is True
    # Only what was submitted: not the artifact, not the later version.
    assert client.get(f"/api/v1/artifacts/{essay['id']}", headers=factory.auth(t1)).status_code == 404
    assert content(client, factory, t1, essay, 2).status_code == 404
    assert content(client, factory, t1, essay, 3).status_code == 404


def test_student_other_private_artifacts_stay_hidden(client, factory, reviewed):
    for teacher in ("t1", "t2", "t3"):
        assert content(client, factory, reviewed[teacher], reviewed["diary"]).status_code == 404
    listed = client.get(f"/api/v1/artifacts?owner_id={reviewed['s1'].id}", headers=factory.auth(reviewed["t1"]))
    assert listed.status_code == 200 and listed.get_json() == []


def test_teacher_of_another_section_cannot(client, factory, reviewed):
    # t2 teaches s1 too, but the work was submitted to t1's section.
    assert content(client, factory, reviewed["t2"], reviewed["essay"]).status_code == 404
    submission = client.get(f"/api/v1/submissions/{reviewed['submission']['id']}", headers=factory.auth(reviewed["t2"]))
    assert submission.status_code == 200  # may see that it exists (student-work rule), not the private bytes
    assert content(client, factory, reviewed["s2"], reviewed["essay"]).status_code == 404


def test_calibration_rater_can(client, factory, reviewed):
    t1, t3 = reviewed["t1"], reviewed["t3"]
    assert content(client, factory, t3, reviewed["essay"]).status_code == 404  # not asked yet
    response = client.post("/api/v1/calibrations", headers=factory.auth(t1), json={
        "title": "Essay moderation", "rubric_id": str(reviewed["rubric"].id),
        "submission_ids": [reviewed["submission"]["id"]], "rater_ids": [str(t1.id), str(t3.id)]})
    assert response.status_code == 201, response.get_json()
    response = content(client, factory, t3, reviewed["essay"])
    assert response.status_code == 200 and response.data == pdf(b"/Essay 1")
    assert content(client, factory, t3, reviewed["essay"], 2).status_code == 404


def test_submission_page_links_the_evidence_for_the_teacher(client, reviewed):
    t1, essay = reviewed["t1"], reviewed["essay"]
    assert sign_in(client, t1, expect=None).status_code == 302
    page = client.get(f"/assessment/submissions/{reviewed['submission']['id']}").data.decode()
    link = re.search(rf'href="(/portfolio/artifacts/{essay["id"]}/versions/1/content[^"]*)"', page)
    assert link, page
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200 and response.data == pdf(b"/Essay 1")
