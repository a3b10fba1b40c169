"""Every main page of every role in Chromium: axe-core finds no serious or
critical violation at 1280 and 390 px, nothing is wider than a 390 px phone,
and a screenshot of each is written to tests/web/screenshots/. Also the forms
of the admin and teacher pages: they keep what was typed and name the field."""
from __future__ import annotations

import pytest

from service.extensions import db

pytestmark = pytest.mark.browser


def _ids(demo):
    from service.assessment.models import Framework, Rubric, Submission
    from service.badges.models import Award, BadgeClass
    from service.models import Section

    out = {
        "section": db.session.scalar(db.select(Section.id).where(Section.name == "ELA 10 · Period 2")),
        "framework": db.session.scalar(db.select(Framework.id).limit(1)),
        "rubric": db.session.scalar(db.select(Rubric.id).where(Rubric.status == "current").limit(1)),
        "returned": db.session.scalar(db.select(Submission.id).where(Submission.status == "returned")),
        "badge_class": db.session.scalar(db.select(BadgeClass.id).where(BadgeClass.name == "Argument Writer")),
        "award": db.session.scalar(db.select(Award.id).where(Award.status == "issued").limit(1)),
    }
    db.session.rollback()
    return out


def test_every_main_page_of_each_role(visit, demo):
    ids = _ids(demo)
    pages = {
        "admin": ["/home", "/people", "/people/import", "/sections", f"/sections/{ids['section']}",
                  "/badges/manage", "/badges/classes/new", "/badges/awards", "/assessment/rubric-builder",
                  "/assessment/rubric-builder/new", "/assessment/frameworks", f"/assessment/frameworks/{ids['framework']}",
                  "/assessment/reports", "/assessment/settings", "/notifications", "/admin/keys",
                  "/admin/organization", f"/people/{demo['ava'].id}", "/account/tokens"],
        "teacher": ["/home", "/assessment/queue", f"/assessment/sections/{ids['section']}", "/sections",
                    "/badges/manage", f"/badges/classes/{ids['badge_class']}/edit",
                    f"/badges/classes/{ids['badge_class']}/upload", f"/badges/awards/{ids['award']}",
                    f"/badges/classes/{ids['badge_class']}/award-one?recipient_id={demo['ben'].id}",
                    f"/assessment/rubric-builder/{ids['rubric']}/revise", "/assessment/calibrations"],
        "ben": ["/home", "/portfolio", "/portfolio/showcases", f"/assessment/students/{demo['ben'].id}",
                f"/assessment/submissions/{ids['returned']}", "/my/badges", "/notifications"],
        "guardian2": ["/home", "/children", f"/children/{demo['cara'].id}/badges"],
        "anonymous": ["/login", "/verify", f"/badges/{ids['award']}"],
    }
    for who, paths in pages.items():
        visitor = visit(who)
        if who != "anonymous":
            visitor.sign_in(f"{who}@riverside.example", demo["password"])
        for path in paths:
            response = visitor.goto(path, path.strip("/").replace("/", "-") or "root")
            assert response.status == 200, f"{who} {path}: {response.status}"
        visitor.close()


def test_the_top_bar_collapses_on_a_phone(visit, demo):
    teacher = visit("teacher")
    teacher.sign_in("teacher@riverside.example", demo["password"])
    teacher.page.set_viewport_size({"width": 390, "height": 844})
    teacher.page.goto(teacher.base_url + "/home")
    assert not teacher.page.is_visible("nav#site-nav >> text=Review queue")
    teacher.page.click(".nav-toggle")
    assert teacher.page.get_attribute(".nav-toggle", "aria-expanded") == "true"
    teacher.page.click("nav#site-nav >> text=Review queue")
    assert teacher.page.url.endswith("/assessment/queue")


def test_admin_forms_keep_input_and_say_what_is_wrong(visit, demo):
    admin = visit("admin")
    admin.sign_in("admin@riverside.example", demo["password"])
    admin.goto("/people", check=False)
    admin.page.select_option("#f-role", "student")
    admin.page.fill("#f-display_name", "Dev Patel")
    admin.page.fill("#f-email", "ava@riverside.example")  # already taken
    admin.page.click("#add-person button[type=submit]")
    assert "nobody else uses" in admin.text("#f-email-error")
    assert admin.page.input_value("#f-display_name") == "Dev Patel"
    admin.check("people-error", phone=False)
    admin.page.fill("#f-email", "dev@riverside.example")
    admin.page.click("#add-person button[type=submit]")
    assert "Dev Patel was added as a student" in admin.text(".flashes")
    # Badge designer: the rule builder and approval, then the class is listed.
    admin.goto("/badges/classes/new", check=False)
    admin.page.fill("#f-name", "Evidence Expert")
    admin.page.evaluate("document.getElementById('designer').noValidate = true")  # the server's own messages
    admin.page.click("#designer button[type=submit]")
    assert "Give a description" in admin.text("#f-description-error")
    assert admin.page.input_value("#f-name") == "Evidence Expert"
    admin.page.fill("#f-description", "Supports every claim with evidence.")
    admin.page.fill("#f-criteria_narrative", "Advanced on ELA.W.1.")
    admin.page.select_option("#f-target-0", index=2)
    admin.page.fill("#f-level-0", "4")
    admin.page.click("#designer button[type=submit]")
    assert "“Evidence Expert” was created" in admin.text(".flashes")
    from service.badges.models import BadgeClass

    created = db.session.scalar(db.select(BadgeClass).where(BadgeClass.name == "Evidence Expert"))
    assert created.issue_mode == "approval" and created.rule["all"][0]["min_level"] == 4
    db.session.rollback()
