"""The story in real Chromium: a student requests a transcript, the admin issues it, the
student shares a link, an anonymous visitor opens it and sees it verified with credits
and GPA; after revocation the same page says so."""
from __future__ import annotations

from urllib.parse import urlsplit

from tests.support.browser import sign_in
from tests.support.factory import PASSWORD


def _sign_out(page):
    page.click("text=Sign out")
    page.wait_for_load_state()


def test_request_issue_share_verify_revoke(browser_page, live_url, tschool):
    page, s1, admin = browser_page, tschool["s1"], tschool["admin"]
    sign_in(page, live_url, s1.email, PASSWORD)
    page.goto(f"{live_url}/transcripts")
    page.click("#request-button")
    assert "Transcript requested" in page.inner_text("main")
    assert "Waiting for the registrar" in page.inner_text("#transcripts")
    _sign_out(page)

    sign_in(page, live_url, admin.email, PASSWORD)
    page.goto(f"{live_url}/transcripts")
    page.click("#transcripts >> text=Open")
    assert "Preview" in page.inner_text("main")  # the registrar reviews what would be issued
    page.click("#issue-button")
    assert page.inner_text("#tx-status") == "Issued"
    assert page.inner_text("#tx-gpa") == "3.70" and page.inner_text("#tx-credits") == "1.00"
    transcript_path = urlsplit(page.url).path
    _sign_out(page)

    sign_in(page, live_url, s1.email, PASSWORD)
    page.goto(f"{live_url}{transcript_path}")
    page.fill("#days", "14")
    page.click("#share-button")
    link = page.inner_text("#share-link").strip()
    _sign_out(page)

    page.goto(f"{live_url}{urlsplit(link).path}")  # anonymous visitor (a college)
    assert "Verified" in page.inner_text("#tx-verdict")
    assert page.inner_text("#tx-report-credits") == "1.00"
    assert page.inner_text("#tx-report-gpa") == "3.70"
    assert page.inner_text("#tx-gpa") == "3.70" and "ELA9H" in page.inner_text("#transcript-record")

    sign_in(page, live_url, admin.email, PASSWORD)
    page.goto(f"{live_url}{transcript_path}")
    page.fill("#revoke-reason", "Issued in error")
    page.click("#revoke-button")
    assert page.inner_text("#tx-status") == "Revoked"
    _sign_out(page)

    page.goto(f"{live_url}{urlsplit(link).path}")
    assert "revoked" in page.inner_text("#tx-verdict")
