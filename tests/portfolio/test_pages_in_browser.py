"""Portfolio pages in a real headless Chromium: upload through the form, a
refused upload explained, showcase ordering, and a public showcase opened
without an account."""
from __future__ import annotations

import pytest

from tests.support import portfolio as samples
from tests.support.browser import sign_in
from tests.support.factory import PASSWORD

pytestmark = pytest.mark.browser


def test_student_uploads_a_file_and_sees_it_listed(browser_page, live_url, factory, school, tmp_path):
    page = browser_page
    essay = tmp_path / "river essay.pdf"
    essay.write_bytes(samples.pdf())
    sign_in(page, live_url, school["s1"].email, PASSWORD)
    page.click("text=My portfolio")
    page.click("text=Add work")
    page.set_input_files("input[name=file]", str(essay))
    page.fill("input[name=title]", "Why rivers matter")
    page.fill("textarea[name=reflection]", "I put my strongest evidence first.")
    page.select_option("select[name=visibility]", "teachers")
    page.click("button:has-text('Add to portfolio')")
    page.wait_for_selector("h1:has-text('Why rivers matter')")
    assert "I put my strongest evidence first." in page.inner_text("main")
    assert "river essay.pdf" in page.inner_text("#versions-heading ~ .table-scroll table")
    page.click("text=← Portfolio of")
    assert "Why rivers matter" in page.inner_text(".artifact-list")
    # The download is an attachment, never rendered in our origin.
    with page.expect_download() as download:
        page.goto(f"{live_url}/portfolio")
        page.click("text=Why rivers matter")
        page.click("a:has-text('river essay.pdf')")
    assert download.value.suggested_filename == "river essay.pdf"

    # A disguised file is refused with the reason, and nothing is listed.
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(samples.HTML)
    page.goto(f"{live_url}/portfolio/new")
    page.set_input_files("input[name=file]", str(fake))
    page.click("button:has-text('Add to portfolio')")
    assert "HTML documents are not accepted" in page.inner_text("[role=alert]")  # a sentence, not a code
    page.goto(f"{live_url}/portfolio")
    assert page.locator(".artifact-card").count() == 1

    # The student's teacher opens it; a classmate's teacher cannot.
    page.click("text=Sign out")
    sign_in(page, live_url, school["t1"].email, PASSWORD)
    page.goto(f"{live_url}/portfolio?student={school['s1'].id}")
    page.click("text=Why rivers matter")
    assert "I put my strongest evidence first." in page.inner_text("main")
    assert page.locator("text=Delete this artifact").count() == 0  # read-only


def test_showcase_ordering_and_public_page_without_account(browser_page, live_url, factory, school, client):
    headers = factory.auth(school["s1"])
    first = samples.upload(client, headers, samples.ESSAY, "first.txt", title="First piece").json["id"]
    samples.upload(client, headers, samples.png(), "second.png", title="Second piece")
    page = browser_page
    sign_in(page, live_url, school["s1"].email, PASSWORD)
    page.goto(f"{live_url}/portfolio/showcases")
    page.fill("input[name=title]", "For colleges")
    page.select_option("select[name=visibility]", "public")
    page.click("button:has-text('Create showcase')")
    page.wait_for_selector("h1:has-text('For colleges')")
    for title in ("First piece", "Second piece"):
        page.select_option("select[name=artifact_id]", label=title)
        page.click("button[value=add]")
        # The pieces are private: the page warns before a public showcase shows them.
        page.wait_for_selector("h1:has-text('Show this work to more people?')")
        assert title in page.inner_text("main")
        page.click("button:has-text('Make it visible')")
        page.wait_for_selector("h1:has-text('For colleges')")
    items = page.locator(".showcase-items > li > a")
    assert items.all_inner_texts() == ["First piece", "Second piece"]
    page.click("button[aria-label='Move up: Second piece']")
    assert page.locator(".showcase-items > li > a").all_inner_texts() == ["Second piece", "First piece"]
    public_url = page.locator("a[href^='/p/showcases/']").get_attribute("href")

    page.click("text=Sign out")
    page.goto(live_url + public_url)  # no account
    assert page.inner_text("h1") == "For colleges"
    assert [h.strip() for h in page.locator("article h2").all_inner_texts()] == ["Second piece", "First piece"]
    with page.expect_download() as download:
        page.click("a:has-text('Download first.txt')")
    assert download.value.url.endswith(f"/p/artifacts/{first}/content")
    with open(download.value.path(), "rb") as f:
        assert f.read() == samples.ESSAY
