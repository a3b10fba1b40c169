"""The public badge page: image, criteria, issuer, shared evidence only, Open
Graph tags, the LinkedIn link, and "revoked" once revoked."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit


from service.extensions import db
from tests.support import badge_fixtures as bf
from tests.support.signin import sign_in, sign_out


def meta(html, prop):
    match = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)"', html)
    return unescape(match.group(1)) if match else None


def test_public_page_shows_the_badge_with_open_graph_tags(client, issued):
    award, org = issued["award"], issued["org"]
    response = client.get(f"/badges/{award.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Fractions Master" in html and org.name in html and "Score level 3" in html
    assert issued["s1"].display_name in html and "Valid" in html
    assert meta(html, "og:title") == "Fractions Master"
    assert meta(html, "og:url") == f"https://badges.test/badges/{award.id}"
    assert meta(html, "og:image") == f"https://badges.test/badges/{award.id}/image.png"
    assert org.name in meta(html, "og:description")
    assert meta(html, "twitter:card") == "summary"


def test_an_anonymous_visit_starts_no_session(client, issued):
    """No cookie and no CSRF token for a visitor who is not signed in (the page still
    varies by Cookie: a signed-in visitor sees their navigation)."""
    response = client.get(f"/badges/{issued['award'].id}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers and "Cookie" in response.vary
    assert 'name="csrf-token"' not in response.get_data(as_text=True)


def test_linkedin_link_carries_the_certification(client, issued):
    award, org = issued["award"], issued["org"]
    html = client.get(f"/badges/{award.id}").get_data(as_text=True)
    href = unescape(re.search(r'href="([^"]+)"[^>]*id="linkedin-link"', html).group(1))
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert q["startTask"] == "CERTIFICATION_NAME" and q["name"] == "Fractions Master"
    assert q["organizationName"] == org.name
    assert q["certUrl"] == f"https://badges.test/badges/{award.id}" and q["certId"] == str(award.id)
    assert q["issueYear"] == str(award.issued_at.year) and q["issueMonth"] == str(award.issued_at.month)


def test_baked_image_is_public_and_verifiable(client, issued):
    response = client.get(f"/badges/{issued['award'].id}/image.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    report = client.post("/api/v1/verify", data={"file": (__import__("io").BytesIO(response.get_data()), "b.png")},
                         content_type="multipart/form-data").json
    assert report["verified"] is True


def test_revoked_badge_page_says_revoked(client, issued):
    from service.badges import status

    status.revoke(issued["award"], reason="issued in error")
    issued["award"].status_reason_public = True  # the issuer chose to publish the reason
    db.session.commit()
    html = client.get(f"/badges/{issued['award'].id}").get_data(as_text=True)
    assert "revoked" in html and "issued in error" in html and "Revoked" in html
    assert 'id="linkedin-link"' not in html
    assert client.get(f"/badges/{issued['award'].id}/image.png").status_code == 410


def test_a_private_revocation_reason_stays_off_public_pages(client, issued):
    """Issue 14: a reason typed by a teacher ("plagiarised") is private unless marked public."""
    from service.badges import status

    award = issued["award"]
    status.revoke(award, reason="plagiarised")
    db.session.commit()
    page = client.get(f"/badges/{award.id}").get_data(as_text=True)
    assert "Revoked" in page and "plagiarised" not in page
    hosted = client.get(f"/badges/{award.id}/ob2")
    assert hosted.status_code in (200, 410) and "plagiarised" not in hosted.get_data(as_text=True)
    gone = client.get(f"/credentials/{award.id}")
    assert gone.status_code == 410 and "plagiarised" not in gone.get_data(as_text=True)
    revocations = client.get(f"/issuers/{issued['org'].slug}/revocations").get_data(as_text=True)
    assert "plagiarised" not in revocations
    report = client.post("/api/v1/verify", json={"credential": award.credential}).get_json()
    assert "plagiarised" not in str(report)


def test_unknown_and_pending_badges_are_not_found(client, issued):
    import uuid

    from service.badges.models import Award

    assert client.get(f"/badges/{uuid.uuid4()}").status_code == 404
    pending = Award(organization_id=issued["org"].id, badge_class_id=issued["bc"].id,
                    recipient_id=issued["s2"].id, award_key="pending-page", status="pending_approval", source="auto")
    db.session.add(pending)
    db.session.commit()
    assert client.get(f"/badges/{pending.id}").status_code == 404
    assert client.get(f"/badges/{pending.id}/image.svg").status_code == 404


def test_public_page_in_chromium(live_url, browser_page, app, issued):
    page = browser_page
    page.goto(f"{live_url}/badges/{issued['award'].id}")
    assert page.locator("h1").inner_text() == "Fractions Master"
    assert page.locator("#status-label").inner_text() == "Valid"
    assert page.locator("#criteria").inner_text().startswith("Score level 3")
    assert "linkedin.com/profile/add" in page.locator("#linkedin-link").get_attribute("href")
    # the follow-up verification from the page itself
    page.click("#verify-link")
    page.wait_for_selector("#verdict")
    assert "Verified" in page.locator("#verdict").inner_text()


def test_real_issuance_with_portfolio_evidence_shared_and_checked(client, factory):
    """Issued by the issuance service with a real uploaded artifact version: the
    verifier checks the stored digest, and the public page serves it once shared."""
    import io

    from service.badges import issuance
    from service.portfolio.artifacts import create_artifact, ingest_file

    school = factory.school()
    student = school["s1"]
    essay = b"Fractions are parts of a whole; here is my worked example.\n"
    artifact = create_artifact(student, kind="file", title="Worked example",
                               content=ingest_file(io.BytesIO(essay), "example.txt"))
    db.session.commit()
    version = artifact.versions[-1]
    award = issuance.issue(bf.badge_class(school["org"]), issuance.Unit(student, evidence_version_ids=[version.id]),
                           actor=school["t1"]).award
    report = client.post("/api/v1/verify", json={"credential": award.credential}).json
    assert report["verified"] is True, report["checks"]
    assert report["evidence"][0]["status"] == "pass", report["evidence"]
    assert "unchanged" in report["evidence"][0]["message"]
    evidence_url = f"/badges/{award.id}/evidence/{version.id}"
    assert client.get(evidence_url).status_code == 404  # not shared yet
    sign_in(client, student, expect=None)
    client.get("/my/badges")
    with client.session_transaction() as session:
        token = session["csrf"]
    assert client.post(f"/my/badges/{award.id}/sharing",
                       data={"csrf_token": token, "evidence": [str(version.id)]}).status_code == 302
    sign_out(client)
    assert "Worked example" in client.get(f"/badges/{award.id}").get_data(as_text=True)
    response = client.get(evidence_url)
    assert response.status_code == 200 and response.get_data() == essay
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_open_badges_2_hosted_assertion(client, issued):
    """2.0 hosted verification: assertion -> badge class -> issuer, all on our origin,
    recipient hashed exactly as in the 3.0 credential."""
    import hashlib

    award, student = issued["award"], issued["s1"]
    response = client.get(f"/badges/{award.id}/ob2")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    a = response.json
    assert a["@context"] == "https://w3id.org/openbadges/v2" and a["type"] == "Assertion"
    assert a["id"] == f"https://badges.test/badges/{award.id}/ob2"
    assert a["verification"] == {"type": "HostedBadge"}
    recipient = a["recipient"]
    assert recipient["type"] == "email" and recipient["hashed"] is True
    expected = hashlib.sha256((student.email.lower() + recipient["salt"]).encode()).hexdigest()
    assert recipient["identity"] == f"sha256${expected}"
    badge = client.get(a["badge"].replace("https://badges.test", "")).json
    assert badge["type"] == "BadgeClass" and badge["name"] == "Fractions Master"
    assert badge["criteria"]["narrative"].startswith("Score level 3")
    issuer = client.get(badge["issuer"].replace("https://badges.test", "")).json
    assert issuer["type"] == "Issuer" and issuer["name"] == issued["org"].name
    assert all(url.startswith("https://badges.test/") for url in (a["id"], a["badge"], badge["issuer"]))
    from service.badges import status

    status.revoke(award, reason="withdrawn")
    award.status_reason_public = True  # published by the issuer
    db.session.commit()
    gone = client.get(f"/badges/{award.id}/ob2")
    assert gone.status_code == 410 and gone.json["revoked"] is True and gone.json["revocationReason"] == "withdrawn"
