"""Server-rendered pages through the test client: access rules, forms, CSV."""
from __future__ import annotations

import io
import re

from service.extensions import db
from tests.support.assessment import scored_submission
from tests.support.signin import sign_in, sign_out


def login(client, person):
    r = sign_in(client, person, expect=None)
    assert r.status_code == 302
    page = client.get("/home").data.decode()
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_home_links_by_role(client, school):
    login(client, school["t1"])
    home = client.get("/home").data.decode()
    assert "Review queue" in home and f"Mastery dashboard: {school['sec1'].name}" in home
    assert school["sec2"].name not in home


def test_heatmap_page_only_for_the_sections_teachers(client, school):
    login(client, school["t2"])
    assert client.get(f"/assessment/sections/{school['sec1'].id}").status_code == 404
    assert client.get(f"/assessment/sections/{school['sec2'].id}").status_code == 200


def test_admin_reports_page_and_csv(client, school):
    scored_submission(school["s1"], school["sec1"], school["rubric"], school["t1"],
                      {"Claim and evidence": 3, "Organisation": 1})
    db.session.commit()
    login(client, school["t1"])
    assert client.get("/assessment/reports").status_code == 403
    sign_out(client)
    login(client, school["admin"])
    page = client.get("/assessment/reports").data.decode()
    assert "Share proficient" in page and "50%" in page  # one of two students proficient in ELA.W.1
    r = client.get("/assessment/reports/proficiency.csv?months=1")
    assert r.mimetype == "text/csv" and "ELA.W.1" in r.data.decode()


def test_framework_csv_upload_form(client, school):
    token = login(client, school["admin"])
    data = {"csrf_token": token, "format": "csv", "title": "Science", "subject": "Science",
            "file": (io.BytesIO(b"identifier,parent,human_code,statement\ns,,SCI,Science\ns1,s,SCI.1,Plan investigations\n"),
                     "sci.csv")}
    r = client.post("/assessment/frameworks", data=data, content_type="multipart/form-data")
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).data.decode()
    assert "Plan investigations" in page and "SCI.1" in page
    bad = {"csrf_token": token, "format": "case", "file": (io.BytesIO(b"{broken"), "x.json")}
    r = client.post("/assessment/frameworks", data=bad, content_type="multipart/form-data")
    html = r.data.decode()
    assert r.status_code == 422 and "not valid JSON" in html and 'id="f-file-error"' in html  # beside the file
    assert 'id="format-case" checked' in html
    # Without the CSRF token nothing happens.
    r = client.post("/assessment/frameworks", data={"format": "csv"}, content_type="multipart/form-data")
    assert r.status_code == 403


def test_plan_comment_form(client, school):
    from service.assessment.plans import create_plan

    plan = create_plan(school["s1"], school["s1"], "My plan")
    db.session.commit()
    token = login(client, school["t1"])
    r = client.post(f"/assessment/plans/{plan.id}", data={"csrf_token": token, "body": "Nice start"})
    assert r.status_code == 302
    assert "Nice start" in client.get(f"/assessment/plans/{plan.id}").data.decode()


def test_student_submits_through_the_page_and_reassesses(client, school):
    from service.assessment.models import Submission
    from tests.support.assessment import artifact_version, item

    s1 = school["s1"]
    version = artifact_version(s1, "Op-ed")
    db.session.commit()
    token = login(client, s1)
    page = client.get("/assessment/submit").data.decode()
    assert "Op-ed · version 1" in page
    w1 = item(school["framework"], "ela-w-1")
    form = {"csrf_token": token, "title": "Op-ed", "section_id": str(school["sec1"].id),
            "rubric_id": str(school["rubric"].id), "competency_id": str(w1.id), "version_id": [str(version.id)]}
    r = client.post("/assessment/submit", data=form)
    assert r.status_code == 302
    submission = db.session.scalar(db.select(Submission).where(Submission.student_id == s1.id))
    # Nothing chosen: the form says why instead of failing.
    r = client.post("/assessment/submit", data={**form, "version_id": []})
    assert r.status_code == 422 and "at least one artifact version" in r.data.decode()
    sign_out(client)
    teacher_token = login(client, school["t1"])
    r = client.post(f"/assessment/submissions/{submission.id}", data={
        "csrf_token": teacher_token, "action": "return", "return_feedback": "Add a counterclaim"})
    assert r.status_code == 302
    sign_out(client)
    login(client, s1)
    page = client.get(f"/assessment/submissions/{submission.id}").data.decode()
    assert "Add a counterclaim" in page and "Submit a new attempt" in page
    assert "Reassessment of" in client.get(f"/assessment/submit?previous_id={submission.id}").data.decode()


def test_teacher_form_refuses_incomplete_scores(client, school):
    from tests.support.assessment import artifact_version
    from service.assessment.scoring import submit

    version = artifact_version(school["s1"])
    submission = submit(school["s1"], section_id=school["sec1"].id, rubric_id=school["rubric"].id,
                        artifact_version_ids=[version.id], title="Essay",
                        competency_id=school["rubric"].criteria[0].alignments[0].competency_id)
    db.session.commit()
    token = login(client, school["t1"])
    first = school["rubric"].criteria[0]
    r = client.post(f"/assessment/submissions/{submission.id}", data={
        "csrf_token": token, "action": "score", f"level-{first.id}": str(school["rubric"].levels[2].id)})
    assert r.status_code == 200 and "Score every criterion" in r.data.decode()
    sign_out(client)
    token = login(client, school["t2"])
    assert client.post(f"/assessment/submissions/{submission.id}", data={"csrf_token": token}).status_code == 404


def test_plan_and_goal_forms(client, school):
    from service.assessment.models import LearningPlan
    from tests.support.assessment import item

    s1 = school["s1"]
    token = login(client, s1)
    r = client.post(f"/assessment/students/{s1.id}/plans", data={"csrf_token": token, "title": "Writing goals"})
    assert r.status_code == 302
    plan = db.session.scalar(db.select(LearningPlan).where(LearningPlan.student_id == s1.id))
    r = client.post(f"/assessment/plans/{plan.id}/goals", data={
        "csrf_token": token, "competency_id": str(item(school["framework"], "ela-w-2").id),
        "target_date": "2027-05-01", "planned_evidence": "A lab report"})
    assert r.status_code == 302
    page = client.get(f"/assessment/plans/{plan.id}").data.decode()
    assert "A lab report" in page and "2027-05-01" in page and "in progress" in page
    # A refused goal or comment: the message beside the field, and the form as it was typed.
    r = client.post(f"/assessment/plans/{plan.id}/goals", data={
        "csrf_token": token, "competency_id": "", "target_date": "2027-06-01", "planned_evidence": "A poster"})
    html = r.data.decode()
    assert r.status_code == 422 and 'id="f-competency_id-error"' in html and ">A poster</textarea>" in html
    r = client.post(f"/assessment/plans/{plan.id}", data={"csrf_token": token, "body": "  "})
    assert r.status_code == 422 and 'id="f-body-error"' in r.data.decode()


def test_calibration_pages(client, factory, school):
    from tests.support.assessment import scored_submission

    submission, _ = scored_submission(school["s1"], school["sec1"], school["rubric"], school["t1"],
                                      {"Claim and evidence": 3, "Organisation": 3})
    db.session.commit()
    token = login(client, school["admin"])
    # One rater is not enough: said beside the raters, with the form as it was filled in.
    r = client.post("/assessment/calibrations", data={
        "csrf_token": token, "title": "Moderation", "rubric_id": str(school["rubric"].id),
        "submission_id": [str(submission.id)], "rater_id": [str(school["t1"].id)]})
    html = r.data.decode()
    assert r.status_code == 422 and 'id="f-rater_id-error"' in html and "at least two teachers" in html
    assert 'value="Moderation"' in html and f'value="{submission.id}" id="submission_id-{submission.id}" checked' in html
    r = client.post("/assessment/calibrations", data={
        "csrf_token": token, "title": "Moderation", "rubric_id": str(school["rubric"].id),
        "submission_id": [str(submission.id)], "rater_id": [str(school["t1"].id), str(school["t2"].id)]})
    assert r.status_code == 302
    session_url = r.headers["Location"]
    sign_out(client)
    for teacher, values in ((school["t1"], (3, 3, 3)), (school["t2"], (3, 2, 3))):
        token = login(client, teacher)
        assert "Save blind score" in client.get(session_url).data.decode()
        data = {"csrf_token": token, "submission_id": str(submission.id)}
        for criterion, value in zip(school["rubric"].criteria, values):
            data[f"level-{criterion.id}"] = str(next(lv.id for lv in school["rubric"].levels
                                                     if lv.proficiency_value == value))
        assert client.post(session_url, data=data).status_code == 302
        page = client.get(session_url).data.decode()
        assert "You have scored this piece" in page and "Agreement" not in page  # blind
        sign_out(client)
    login(client, school["admin"])
    page = client.get(session_url).data.decode()
    assert "2 of 2 scorings done" in page and "100%" in page and "0%" in page


def test_settings_page_relabels_the_scale(client, school):
    token = login(client, school["admin"])
    form = {"csrf_token": token, "proficient_value": "3", "mastery_method": "n_at_or_above",
            "decay_weight": "0.5", "evidence_required": "2", "new_evidence": "on"}
    for n, (label, code) in enumerate([("Limited Progress", "LP"), ("In Progress", "IP"), ("Proficient", "P"),
                                       ("Exemplary", "E")]):
        form[f"label-{n}"], form[f"code-{n}"] = label, code
    assert client.post("/assessment/settings", data=form).status_code == 302
    from service.assessment.settings import scale_for, settings_for

    db.session.expire_all()
    assert [lv["code"] for lv in scale_for(school["org"].id).levels] == ["LP", "IP", "P", "E"]
    assert settings_for(school["org"].id).mastery_method == "n_at_or_above"
    assert settings_for(school["org"].id).graduation_requirements == {}  # left empty: the proficient level
    page = client.get("/assessment/settings").data.decode()
    grad = re.search(r'name="(grad-[^"]+)"', page).group(1)
    assert client.post("/assessment/settings", data={**form, grad: "3.5"}).status_code == 302
    db.session.expire_all()
    assert settings_for(school["org"].id).graduation_requirements == {grad[5:]: 3.5}
    r = client.post("/assessment/settings", data={**form, "label-0": "", "decay_weight": "7"})
    html = r.data.decode()
    assert r.status_code == 422 and "needs a label" in html
    # Each message sits beside its field, and what was typed stays.
    assert 'id="f-label-0-error"' in html and 'id="f-decay_weight-error"' in html and 'value="In Progress"' in html
    assert 'value="7"' in html
    sign_out(client)
    login(client, school["t1"])
    assert client.get("/assessment/settings").status_code == 403
