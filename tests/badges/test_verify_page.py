"""The public verification page: paste, upload, follow a link; every check is
listed; revoked, tampered and foreign badges are told apart. Browser tests run
in real Chromium."""
from __future__ import annotations

import io
import json


from openbadges import baking
from service.extensions import db
from tests.support import badge_fixtures as bf


def test_empty_page_offers_three_ways(client):
    html = client.get("/verify").get_data(as_text=True)
    assert 'name="credential"' in html and 'name="file"' in html and 'name="url"' in html
    assert "verify-result" not in html


def test_pasted_credential_lists_every_check(client, issued):
    response = client.post("/verify", data={"credential": json.dumps(issued["award"].credential)})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "✔ Verified" in html
    for name in ("parse", "context", "type", "schema", "subject", "proof", "status", "validity"):
        assert f'data-check="{name}"' in html
    assert issued["org"].name in html and "Fractions Master" in html


def test_link_with_url_verifies_and_revocation_shows(client, issued):
    url = f"https://badges.test/credentials/{issued['award'].id}"
    assert "✔ Verified" in client.get("/verify", query_string={"url": url}).get_data(as_text=True)
    from service.badges import status

    status.revoke(issued["award"], reason="mistake")
    db.session.commit()
    html = client.get("/verify", query_string={"url": url}).get_data(as_text=True)
    assert "✘ Not verified" in html
    assert 'data-check="status" data-status="fail"' in html and "credential is revoked" in html


def test_unsafe_url_is_explained(client):
    response = client.get("/verify", query_string={"url": "http://127.0.0.1:22/"})
    assert response.status_code == 422
    assert "private, loopback" in response.get_data(as_text=True)


def test_uploaded_baked_svg_verifies(client, issued):
    svg = baking.bake_svg(b'<svg xmlns="http://www.w3.org/2000/svg"/>', issued["award"].credential)
    response = client.post("/verify", data={"file": (io.BytesIO(svg), "badge.svg")},
                           content_type="multipart/form-data")
    assert "✔ Verified" in response.get_data(as_text=True)


def _checks(page):
    return {li.get_attribute("data-check"): li.get_attribute("data-status")
            for li in page.locator("#checks li").all()}


def test_browser_paste_json_and_see_the_checks(live_url, browser_page, issued):
    page = browser_page
    page.goto(f"{live_url}/verify")
    page.fill("#credential", json.dumps(issued["award"].credential))
    page.click("#verify-button")
    page.wait_for_selector("#verdict")
    assert page.locator("#verdict").inner_text().strip() == "✔ Verified"
    checks = _checks(page)
    assert checks["proof"] == "pass" and checks["status"] == "pass" and checks["schema"] == "pass"
    assert page.locator("#issuer-name").inner_text().startswith(issued["org"].name)
    # a tampered copy, pasted the same way, is refused with the reason
    page.fill("#credential", json.dumps(bf.tampered(issued["award"].credential)))
    page.click("#verify-button")
    page.wait_for_selector("#verdict")
    assert page.locator("#verdict").inner_text().strip() == "✘ Not verified"
    assert _checks(page)["proof"] == "fail"
    assert "signature does not match" in page.locator('li[data-check="proof"]').inner_text()


def test_browser_upload_baked_png(live_url, browser_page, issued, tmp_path):
    image = tmp_path / "badge.png"
    image.write_bytes(baking.bake_png(bf.tiny_png(), issued["award"].credential))
    page = browser_page
    page.goto(f"{live_url}/verify")
    page.set_input_files("#file", str(image))
    page.click("#verify-button")
    page.wait_for_selector("#verdict")
    assert page.locator("#verdict").inner_text().strip() == "✔ Verified"
    assert "PNG" in page.locator("#verify-result").inner_text()


def test_browser_foreign_did_key_badge_and_revoked_ours(live_url, browser_page, issued):
    page = browser_page
    page.goto(f"{live_url}/verify")
    page.fill("#credential", json.dumps(bf.foreign_credential()))
    page.click("#verify-button")
    page.wait_for_selector("#verdict")
    assert page.locator("#verdict").inner_text().strip() == "✔ Verified"
    assert page.locator("#issuer-name").inner_text().startswith("Elsewhere Academy")
    from service.badges import status

    status.revoke(issued["award"], reason="copied work")
    db.session.commit()
    page.goto(f"{live_url}/verify?url=https://badges.test/badges/{issued['award'].id}")
    page.wait_for_selector("#verdict")
    assert page.locator("#verdict").inner_text().strip() == "✘ Not verified"
    assert "revoked" in page.locator('li[data-check="status"]').inner_text()
