"""My badges: a student's own badges with their status, downloads, and the
control that picks which evidence the public page shows."""
from __future__ import annotations

import pytest

from service.extensions import db
from tests.support import badge_fixtures as bf
from tests.support.signin import sign_in, sign_out


def login(client, person):
    assert sign_in(client, person, expect=None).status_code == 302


def csrf(client):
    client.get("/my/badges")  # a page render puts the token in the session
    with client.session_transaction() as session:
        return session["csrf"]


@pytest.fixture
def issued(factory):
    school = factory.school()
    bc = bf.badge_class(school["org"])
    evidence = [{"artifact_version_id": "00000000-0000-4000-8000-000000000001", "name": "Essay draft",
                 "url": "https://badges.test/portfolio/versions/00000000-0000-4000-8000-000000000001",
                 "sha256": bf.sha256_hex(b"essay")},
                {"artifact_version_id": "00000000-0000-4000-8000-000000000002", "name": "Private journal",
                 "url": "https://badges.test/portfolio/versions/00000000-0000-4000-8000-000000000002",
                 "sha256": bf.sha256_hex(b"journal")}]
    award = bf.award_badge(school["org"], bc, school["s1"], evidence=evidence)
    other = bf.award_badge(school["org"], bf.badge_class(school["org"], name="Geometry Explorer"), school["s2"])
    return dict(school, bc=bc, award=award, other=other)


def test_student_sees_only_their_badges_with_downloads(client, issued):
    login(client, issued["s1"])
    html = client.get("/my/badges").get_data(as_text=True)
    assert "Fractions Master" in html and "Geometry Explorer" not in html
    for fmt in ("json", "jwt", "png", "svg"):
        assert f"/my/badges/{issued['award'].id}/download/{fmt}" in html
    assert "linkedin.com/profile/add" in html
    assert "My badges" in client.get("/home").get_data(as_text=True)


def test_revoked_badge_is_marked_and_has_no_downloads(client, issued):
    from service.badges import status

    status.revoke(issued["award"], reason="duplicate")
    db.session.commit()
    login(client, issued["s1"])
    html = client.get("/my/badges").get_data(as_text=True)
    assert "Revoked" in html and "duplicate" in html
    assert "/download/json" not in html


def test_choosing_shared_evidence_changes_the_public_page(client, issued):
    award = issued["award"]
    public = client.get(f"/badges/{award.id}").get_data(as_text=True)
    assert "Essay draft" not in public and "Private journal" not in public  # nothing shared by default
    login(client, issued["s1"])
    response = client.post(f"/my/badges/{award.id}/sharing", data={
        "csrf_token": csrf(client), "evidence": ["00000000-0000-4000-8000-000000000001"]})
    assert response.status_code == 302
    db.session.refresh(award)
    assert award.shared_evidence == ["00000000-0000-4000-8000-000000000001"]
    public = client.get(f"/badges/{award.id}").get_data(as_text=True)
    assert "Essay draft" in public and "Private journal" not in public
    # and the journal stays unreachable through the badge
    assert client.get(f"/badges/{award.id}/evidence/00000000-0000-4000-8000-000000000002").status_code == 404


def test_only_the_earner_chooses_and_only_their_evidence(client, issued):
    award = issued["award"]
    login(client, issued["t1"])  # their teacher may look, not choose
    response = client.post(f"/my/badges/{award.id}/sharing", data={"csrf_token": csrf(client), "evidence": []})
    assert response.status_code == 403
    sign_out(client)
    login(client, issued["s2"])  # a classmate does not even see it
    response = client.post(f"/my/badges/{award.id}/sharing", data={"csrf_token": csrf(client), "evidence": []})
    assert response.status_code == 404
    sign_out(client)
    login(client, issued["s1"])
    response = client.post(f"/my/badges/{award.id}/sharing", data={
        "csrf_token": csrf(client), "evidence": ["00000000-0000-4000-8000-00000000dead"]})
    assert response.status_code == 422
    # without the CSRF token nothing changes
    assert client.post(f"/my/badges/{award.id}/sharing", data={"evidence": []}).status_code == 403
