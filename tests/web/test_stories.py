"""Each role's story through pages only, in Chromium (issue 12). Every page
visited is checked by axe-core at 1280 and 390 px and for width at 390 px
(tests/web/conftest.py)."""
from __future__ import annotations

import re

import pytest

from service.extensions import db

pytestmark = pytest.mark.browser


def _award(name, student):
    from service.badges.models import Award, BadgeClass

    award = db.session.scalar(db.select(Award).join(BadgeClass).where(
        BadgeClass.name == name, Award.recipient_id == student.id))
    db.session.rollback()  # never hold a read transaction while the browser writes (SQLite)
    return award


def test_teacher_revokes_from_the_page_and_public_pages_say_revoked(visit, demo):
    cara = demo["cara"]
    award = _award("Argument Writer", cara)
    assert award is not None and award.status == "issued"
    teacher = visit("teacher")
    teacher.sign_in("teacher@riverside.example", demo["password"])
    teacher.check("home")
    teacher.page.click("nav#site-nav >> text=Awards")
    teacher.check("awards")
    teacher.page.fill("#f-q", "Cara")
    teacher.page.click("form[role=search] button")
    teacher.page.click(f"#row-{award.id} a")
    teacher.check("award")
    # Revoking needs a reason, and says so beside the field.
    teacher.page.click("button[value=revoke]")
    assert "Say why" in teacher.text("#f-reason-error")
    assert teacher.page.get_attribute("#f-reason", "aria-invalid") == "true"
    teacher.check("award-error", phone=False)
    teacher.page.fill("#f-reason", "plagiarised")  # private: the public box stays unticked
    teacher.page.click("button[value=revoke]")
    # Revoking cannot be undone: the page asks once more and nothing has changed yet.
    assert "cannot be undone" in teacher.text("#confirm-revoke") and teacher.text("#award-status") == "Valid"
    teacher.check("award-confirm-revoke")
    teacher.page.click("#confirm-revoke-button")
    assert "is revoked" in teacher.text(".flashes")
    assert teacher.text("#award-status") == "Revoked"
    assert "private" in teacher.text("#award-reason")

    public = visit("anonymous")
    public.goto(f"/badges/{award.id}", "public-badge-revoked")
    banner = public.text("#badge-status")
    assert "revoked" in banner and "plagiarised" not in public.text("body")
    public.page.click("#verify-link")
    public.page.wait_for_selector("#verify-result")
    public.check("verify-revoked")
    verdict = public.text("main")
    assert "Not verified" in verdict and "revoked" in verdict.lower() and "plagiarised" not in verdict


def test_a_second_submission_of_the_same_version_is_refused_and_counts_once(visit, demo):
    from service.assessment.models import Submission, SubmissionEvidence

    ava = demo["ava"]
    used = db.session.scalar(db.select(SubmissionEvidence).join(Submission).where(
        Submission.student_id == ava.id, Submission.status == "scored"))
    version_id = used.artifact_version_id
    db.session.rollback()
    student = visit("student")
    student.sign_in("ava@riverside.example", demo["password"])
    student.page.click("nav#site-nav >> text=My progress")
    student.check("progress")
    before = student.page.get_attribute('#progress tr[data-competency="ela-w-1"]', "data-level")
    student.page.click("nav#site-nav >> text=Submit")
    student.check("submit")
    student.page.fill("input[name=title]", "Same essay again")
    student.page.check(f'input[name=version_id][value="{version_id}"]')
    student.page.click("main button[type=submit]")
    main = student.text("main")
    assert "already submitted" in main and "reassessment" in main
    assert student.page.input_value("input[name=title]") == "Same essay again"  # the form kept its input
    student.check("submit-refused", phone=False)
    student.page.click("nav#site-nav >> text=My progress")
    assert student.page.get_attribute('#progress tr[data-competency="ela-w-1"]', "data-level") == before
    assert db.session.scalar(db.select(db.func.count(SubmissionEvidence.id)).where(
        SubmissionEvidence.artifact_version_id == version_id)) == 1
    db.session.rollback()


def test_bulk_award_to_chosen_students_with_a_confirmation(visit, demo):
    ben, cara, ava = demo["ben"], demo["cara"], demo["ava"]
    teacher = visit("teacher")
    teacher.sign_in("teacher@riverside.example", demo["password"])
    teacher.page.click("nav#site-nav >> text=Badges")
    teacher.check("badges")
    teacher.page.click("text=Award to chosen students: Museum Field Trip")
    teacher.check("award-choose")
    teacher.page.check(f'input[name=student_ids][value="{ben.id}"]')
    teacher.page.check(f'input[name=student_ids][value="{cara.id}"]')
    teacher.page.click("text=Review the award")
    teacher.check("award-preview")
    assert "2 students will get this badge" in teacher.text("#preview")
    names = teacher.text("#preview-new")
    assert ben.display_name in names and cara.display_name in names and ava.display_name not in names
    assert _award("Museum Field Trip", ben) is None  # nothing issued before the confirmation
    teacher.page.check("#f-confirmed")
    teacher.page.click("text=Award the badge")
    teacher.page.wait_for_selector('#job[data-status="succeeded"]', timeout=30000)
    teacher.check("job")
    assert "2 badges issued" in teacher.text("#job-summary")
    assert _award("Museum Field Trip", ben).status == "issued"
    assert _award("Museum Field Trip", cara).status == "issued"


def test_guardian_sees_the_childs_badges_and_no_student_action(visit, demo):
    guardian = visit("guardian")
    guardian.sign_in("guardian@riverside.example", demo["password"])
    guardian.check("home")
    nav = guardian.text("nav#site-nav")
    for student_only in ("Submit", "My work", "My badges", "Showcases", "Add work"):
        assert student_only not in nav
    assert "Add work" not in guardian.text("main") and "My showcases" not in guardian.text("main")
    guardian.page.click("nav#site-nav >> text=My children")
    guardian.check("children")
    guardian.page.click("text=Badges of Ava Chen")
    guardian.check("child-badges")
    assert "Museum Field Trip" in guardian.text("#child-badges") and "Read-only" in guardian.text("main")
    assert guardian.page.locator("main form").count() == 0
    guardian.page.click("text=My children")
    guardian.page.click("text=Progress of Ava Chen")
    guardian.check("child-progress")
    assert guardian.page.locator("main form").count() == 0
    # Student pages are not there for a guardian.
    assert guardian.goto("/assessment/submit", check=False).status in (403, 404)
    assert guardian.goto("/my/badges", check=False).status == 404
    assert guardian.goto("/portfolio/new", check=False).status in (403, 404)


def test_a_notification_reaches_the_student_in_the_page_and_by_mail(visit, demo, smtp_server):
    from service.assessment.models import Submission

    ben = demo["ben"]
    student = visit("student")
    student.sign_in("ben@riverside.example", demo["password"])
    student.page.click("nav#site-nav >> text=My work")
    student.check("portfolio")
    student.page.click("text=Add work") if student.page.locator("text=Add work").count() else \
        student.goto("/portfolio/new", check=False)
    student.check("portfolio-new")
    student.page.fill("input[name=title]", "Lab report on osmosis")
    if student.page.locator("input[name=url]").count():
        student.page.check("input[value=link]") if student.page.locator("input[value=link]").count() else None
        student.page.fill("input[name=url]", "https://docs.example/osmosis")
    student.page.click("main button[type=submit]")
    assert "added to your portfolio" in student.text(".flashes")
    student.page.click("nav#site-nav >> text=Submit")
    student.page.fill("input[name=title]", "Lab report on osmosis")
    student.page.check("text=Lab report on osmosis · version 1")
    student.page.click("main button[type=submit]")
    assert "submitted for review" in student.text(".flashes")
    submission = db.session.scalar(db.select(Submission).where(Submission.title == "Lab report on osmosis"))
    db.session.rollback()

    teacher = visit("teacher")
    teacher.sign_in("teacher@riverside.example", demo["password"])
    teacher.page.click("nav#site-nav >> text=Review queue")
    teacher.check("queue")
    teacher.page.click("text=Lab report on osmosis")
    teacher.check("scoring")
    for radio in teacher.page.locator(".rubric tbody tr").all():
        radio.locator("input[type=radio]").nth(2).check()
    teacher.page.fill("textarea[name=feedback]", "Clear method; add error bars.")
    teacher.page.click("button[value=score]")
    assert "Scores saved" in teacher.text(".flashes")

    messages = smtp_server.wait_for(1)
    mine = [m for m in messages if m["To"] == ben.email]
    assert mine and "Lab report on osmosis" in mine[0]["Subject"] and "scored" in mine[0]["Subject"]
    assert f"/assessment/submissions/{submission.id}" in mine[0].get_content()

    student.goto("/home", "home")
    count = student.text("#bell-count")
    assert re.search(r"\d", count) and int(re.search(r"\d+", count).group()) >= 1
    student.page.click("#bell")
    student.check("notifications")
    assert "Your work “Lab report on osmosis” was scored" in student.text("#notifications")
    student.page.click("text=Your work “Lab report on osmosis” was scored")
    assert f"/assessment/submissions/{submission.id}" in student.page.url
    student.check("submission-scored")
    # Opting out of mail: the bell still shows the next one, the mailbox does not get it.
    student.goto("/notifications", check=False)
    student.page.uncheck("#f-email")
    student.page.click("text=Save")
    assert "E-mail notifications are off" in student.text(".flashes")
