"""The teacher's award pages without a browser: CSV upload with a preview and
a confirmation, the awards list filters, status changes with a public or
private reason, and the designer's image upload (issue 12, issue 14)."""
from __future__ import annotations

import io

from service.extensions import db
from tests.support.badges import badge_class
from tests.support.jobs import join_job_thread

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _wait(client, auth, job_id):
    join_job_thread(job_id)  # the inline runner's thread for this job
    body = client.get(f"/api/v1/bulk-jobs/{job_id}", headers=auth).get_json()
    assert body["status"] in ("succeeded", "failed"), body
    return body


def test_csv_upload_previews_then_awards_after_confirmation(client, factory):
    from service.badges.models import Award

    school = factory.school()
    bc = badge_class(school["org"], name="Science Fair")
    auth = factory.auth(school["t1"])
    csv_text = f"email\n{school['s1'].email}\n{school['s3'].email}\nnobody@example.test\n"
    preview = client.post(f"/badges/classes/{bc.id}/upload", headers=auth, content_type="multipart/form-data",
                          data={"csv_file": (io.BytesIO(csv_text.encode()), "students.csv")})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "1 student will get this badge" in html
    assert "not your student" in html and "Line 4" in html  # s3 is t2's; the unknown address is named by line
    assert db.session.scalar(db.select(db.func.count(Award.id))) == 0
    confirmed = client.post(f"/badges/classes/{bc.id}/award", headers=auth, data={
        "step": "confirm", "via": "csv", "student_ids": [str(school["s1"].id)], "confirmed": "yes"})
    job_id = confirmed.headers["Location"].rsplit("/", 1)[1]
    assert _wait(client, auth, job_id)["result"]["issued"] == 1
    # A CSV larger than the ordinary 1 MiB body limit is still accepted here (a document upload).
    big = "email,note\n" + f"{school['s1'].email},{'x' * 100_000}\n" * 30
    large = client.post(f"/badges/classes/{bc.id}/upload", headers=auth, content_type="multipart/form-data",
                        data={"csv_file": (io.BytesIO(big.encode()), "big.csv")})
    assert large.status_code == 200 and "has it already" not in large.get_data(as_text=True)
    bad = client.post(f"/badges/classes/{bc.id}/upload", headers=auth, content_type="multipart/form-data",
                      data={"csv_file": (io.BytesIO(b"name\nAda\n"), "x.csv")})
    assert bad.status_code == 422 and "email" in bad.get_data(as_text=True)


def test_awards_list_filters_and_status_changes_with_public_or_private_reasons(client, factory):
    from service.badges import issuance

    school = factory.school()
    bc = badge_class(school["org"], name="Debate Captain")
    other = badge_class(school["org"], name="Chess Club")
    a1 = issuance.issue(bc, issuance.Unit(school["s1"]), source_kind="bulk").award
    issuance.issue(other, issuance.Unit(school["s2"]), source_kind="bulk")
    auth = factory.auth(school["t1"])
    def rows(query):
        html = client.get(f"/badges/awards?{query}", headers=auth).get_data(as_text=True)
        return html.split('<table id="awards">')[1] if '<table id="awards">' in html else ""

    assert "Debate Captain" in rows("q=debate") and "Chess Club" not in rows("q=debate")
    chosen = rows(f"badge_class_id={other.id}&status=issued")
    assert "Chess Club" in chosen and "Debate Captain" not in chosen
    assert rows("status=revoked") == ""
    assert client.get("/badges/awards?page=99999999999999999999", headers=auth).status_code in (200, 422)
    # Suspend with a public reason: the public page shows it.
    r = client.post(f"/badges/awards/{a1.id}", headers=auth, data={
        "action": "suspend", "reason": "under review by the debate league", "reason_public": "on"})
    assert r.status_code == 302
    assert "under review by the debate league" in client.get(f"/badges/{a1.id}").get_data(as_text=True)
    # Unsuspend, then revoke privately: the public page says revoked, and nothing more.
    client.post(f"/badges/awards/{a1.id}", headers=auth, data={"action": "unsuspend"})
    # Revoking asks once more (nothing changes until confirmed).
    ask = client.post(f"/badges/awards/{a1.id}", headers=auth, data={"action": "revoke", "reason": "forged signature"})
    assert ask.status_code == 200 and "cannot be undone" in ask.get_data(as_text=True)
    assert "Valid" in client.get(f"/badges/{a1.id}").get_data(as_text=True)
    client.post(f"/badges/awards/{a1.id}", headers=auth, data={"action": "revoke", "reason": "forged signature",
                                                              "confirmed": "yes"})
    public = client.get(f"/badges/{a1.id}").get_data(as_text=True)
    assert "revoked" in public and "forged signature" not in public
    page = client.get(f"/badges/awards/{a1.id}", headers=auth).get_data(as_text=True)
    assert "forged signature" in page and "private" in page
    # Another section's teacher may not change it.
    r = client.post(f"/badges/awards/{a1.id}", headers=factory.auth(school["t2"]), data={"action": "suspend",
                                                                                         "reason": "x"})
    assert r.status_code == 404


def test_designer_creates_a_class_with_an_image_and_refuses_a_script_svg(client, factory):
    from service.badges.models import BadgeClass

    school = factory.school()
    auth = factory.auth(school["t1"])
    form = {"name": "Lab Safety", "description": "Works safely in the lab.", "criteria_narrative": "Passed the quiz.",
            "achievement_type": "Certificate", "validity_days": "365", "tags": "science, safety"}
    r = client.post("/badges/classes/new", headers=auth, content_type="multipart/form-data",
                    data={**form, "image": (io.BytesIO(PNG), "badge.png")})
    assert r.status_code == 302
    bc = db.session.scalar(db.select(BadgeClass).where(BadgeClass.name == "Lab Safety"))
    assert (bc.issue_mode, bc.validity_days, bc.tags, bc.image_mime_type) == ("auto", 365, ["science", "safety"],
                                                                             "image/png")
    evil = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    r = client.post(f"/badges/classes/{bc.id}/edit", headers=auth, content_type="multipart/form-data",
                    data={**form, "needs_approval": "on", "image": (io.BytesIO(evil), "x.svg")})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Upload a PNG or SVG image" in html and 'value="Lab Safety"' in html
    db.session.expire_all()
    assert db.session.get(BadgeClass, bc.id).image_mime_type == "image/png"
    # A student cannot open the designer.
    assert client.get("/badges/classes/new", headers=factory.auth(school["s1"])).status_code == 403
