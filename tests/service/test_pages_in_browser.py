"""The sign-in flow in a real headless Chromium."""
from __future__ import annotations

import pytest

from tests.support.browser import sign_in
from tests.support.factory import PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_and_out_in_chromium(browser_page, live_url, factory):
    org = factory.org(name="Lakeside Academy")
    teacher = factory.person("teacher", org, name="Tess Teacher")
    page = browser_page
    page.goto(live_url + "/")
    assert page.url.endswith("/login")
    page.fill("input[name=email]", teacher.email)
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    assert "Email or password is wrong" in page.inner_text("[role=alert]")
    sign_in(page, live_url, teacher.email, PASSWORD)
    assert page.url.endswith("/home")
    assert "Welcome, Tess Teacher" in page.inner_text("h1")
    assert "Lakeside Academy" in page.inner_text("main")
    page.click("text=Sign out")
    page.wait_for_url("**/login")
    page.goto(live_url + "/home")
    assert page.url.split("?")[0].endswith("/login")


def test_api_docs_render_offline(browser_page, live_url):
    browser_page.goto(live_url + "/api/docs")
    browser_page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "Mastery credentials API" in browser_page.inner_text(".swagger-ui .info .title")
