"""The heatmap, progress and scoring pages in a real headless Chromium."""
from __future__ import annotations

import pytest

from service.extensions import db
from tests.support.assessment import artifact_version, scored_submission
from tests.support.browser import sign_in
from tests.support.factory import PASSWORD

pytestmark = pytest.mark.browser


def levels(claim, organisation):
    return {"Claim and evidence": claim, "Organisation": organisation, "Timeliness": 2}


@pytest.fixture
def seeded(school):
    s1, s2, t1 = school["s1"], school["s2"], school["t1"]
    scored_submission(s1, school["sec1"], school["rubric"], t1, levels(4, 3))
    scored_submission(s2, school["sec1"], school["rubric"], t1, levels(2, 1))
    db.session.commit()
    return school


def cell(page, student, code):
    return page.locator(f'#heatmap tr[data-student="{student.id}"] td[data-competency="{code}"]')


def test_teacher_heatmap_shows_the_right_levels(browser_page, live_url, seeded):
    page, s1, s2 = browser_page, seeded["s1"], seeded["s2"]
    sign_in(page, live_url, seeded["t1"].email, PASSWORD)
    page.click(f"text=Mastery dashboard: {seeded['sec1'].name}")
    page.wait_for_selector("#heatmap")
    assert cell(page, s1, "ela-w-1").get_attribute("data-level") == "4.0"
    assert "Advanced" in cell(page, s1, "ela-w-1").inner_text()
    assert "Proficient" in cell(page, s1, "ela-w-2").inner_text()
    assert "Developing" in cell(page, s2, "ela-w-1").inner_text()
    assert "Beginning" in cell(page, s2, "ela-w-2").inner_text()
    # Colours follow the level band; computed styles prove the stylesheet loaded under the CSP.
    advanced = cell(page, s1, "ela-w-1").evaluate("e => getComputedStyle(e).backgroundColor")
    beginning = cell(page, s2, "ela-w-2").evaluate("e => getComputedStyle(e).backgroundColor")
    assert advanced == "rgb(27, 127, 59)" and beginning == "rgb(253, 226, 223)"
    not_yet = page.locator('.not-yet section[data-competency="ela-w-1"]').inner_text()
    assert s2.display_name in not_yet and s1.display_name not in not_yet
    # The script filters to students who are behind.
    page.check("#only-not-yet")
    assert not page.locator(f'#heatmap tr[data-student="{s1.id}"]').is_visible()
    assert page.locator(f'#heatmap tr[data-student="{s2.id}"]').is_visible()


def test_student_and_guardian_progress_pages(browser_page, live_url, seeded, factory):
    page, s1 = browser_page, seeded["s1"]
    sign_in(page, live_url, s1.email, PASSWORD)
    page.click("text=My progress")
    page.wait_for_selector("#progress")
    row = page.locator('#progress tr[data-competency="ela-w-1"]')
    assert row.get_attribute("data-level") == "4.0" and "Advanced" in row.inner_text()
    assert "mastered" in row.inner_text()
    assert "Developing" not in page.locator('#progress tr[data-competency="ela-w-2"]').inner_text()
    assert page.locator("figure.graduation svg .domain").count() == 1
    assert "Timeliness: 2" in page.inner_text("main")  # habits listed apart
    # Another student's page is not there for s1.
    response = page.goto(f"{live_url}/assessment/students/{seeded['s2'].id}")
    assert response.status == 404

    guardian = factory.person("guardian", seeded["org"], name="Gina Guardian")
    factory.guardian_of(guardian, seeded["s2"])
    page.click("text=Sign out")
    sign_in(page, live_url, guardian.email, PASSWORD)
    page.click(f"text=Progress of {seeded['s2'].display_name}")
    page.wait_for_selector("#progress")
    assert "Read-only view" in page.inner_text("main")
    row = page.locator('#progress tr[data-competency="ela-w-2"]')
    assert row.get_attribute("data-level") == "1.0" and "Beginning" in row.inner_text()
    assert page.locator("main form").count() == 0


def test_teacher_scores_in_the_browser_and_the_heatmap_follows(browser_page, live_url, school):
    page, s3 = browser_page, school["s1"]
    from service.assessment.scoring import submit

    version = artifact_version(s3)
    submission = submit(s3, section_id=school["sec1"].id, rubric_id=school["rubric"].id,
                        artifact_version_ids=[version.id], title="Op-ed draft",
                        competency_id=school["rubric"].criteria[0].alignments[0].competency_id)
    db.session.commit()
    sign_in(page, live_url, school["t1"].email, PASSWORD)
    page.click("text=Review queue")
    page.click("text=Op-ed draft")
    page.wait_for_selector(".rubric-form")
    for n, criterion in enumerate(school["rubric"].criteria):
        page.check(f'input[name="level-{criterion.id}"] >> nth={2 if n == 0 else 1}')
    assert page.locator("td.choice.selected").count() == len(school["rubric"].criteria)
    page.fill(f'textarea[name="feedback-{school["rubric"].criteria[0].id}"]', "Clear claim")
    page.click("button[value=score]")
    page.wait_for_load_state()
    assert "scored" in page.inner_text("main") and "Clear claim" in page.inner_text("main")
    page.goto(f"{live_url}/assessment/sections/{school['sec1'].id}")
    assert cell(page, s3, "ela-w-1").get_attribute("data-level") == "3.0"
    assert "Developing" in cell(page, s3, "ela-w-2").inner_text()
    db.session.expire_all()
    assert db.session.get(type(submission), submission.id).status == "scored"
