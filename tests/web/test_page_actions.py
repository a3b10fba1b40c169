"""Page actions that had only an API, checked without a browser (issue 12 follow-up):
awarding one student by hand with scored evidence, rotating the issuer's keys, and
API tokens. Each goes through the same action as its API operation."""
from __future__ import annotations

from service.extensions import db
from tests.support.badges import badge_class


def test_award_one_student_citing_scored_work_from_the_page(app, client, factory):
    from service.badges.models import Award
    from service.portfolio import artifacts
    from tests.support.badges import competency_and_rubric, scored_work

    school = factory.school()
    competency, rubric = competency_and_rubric(school["org"], school["t1"])
    bc = badge_class(school["org"], name="Lab Leader", issue_mode="approval")
    version, _ = scored_work(school, rubric, competency)
    draft = artifacts.create_artifact(school["s1"], kind="link", title="Draft", url="https://example.test/draft")
    db.session.commit()
    teacher = factory.auth(school["t1"])
    url = f"/badges/classes/{bc.id}/award-one"

    page = client.get(url, headers=teacher, query_string={"recipient_id": str(school["s1"].id)})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f'value="{version.id}"' in html and "Draft" not in html  # scored work only
    refused = client.post(url, headers=teacher, data={"recipient_id": str(school["s1"].id),
                                                      "evidence_version_ids": [str(draft.versions[0].id)],
                                                      "narrative": "Ran the lab safely."})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="f-evidence_version_ids-error"' in html
    assert "At least one piece of evidence must have been scored" in html and "Ran the lab safely." in html
    assert db.session.scalar(db.select(db.func.count(Award.id))) == 0

    done = client.post(url, headers=teacher, data={"recipient_id": str(school["s1"].id),
                                                   "evidence_version_ids": [str(version.id)],
                                                   "narrative": "Ran the lab safely."})
    assert done.status_code == 302
    award = db.session.scalar(db.select(Award).where(Award.badge_class_id == bc.id))
    assert done.headers["Location"].endswith(f"/badges/awards/{award.id}")
    assert award.status == "issued" and award.source == "manual"  # a teacher's own award needs no approval
    assert [e["artifact_version_id"] for e in award.evidence] == [str(version.id)]
    db.session.rollback()
    # Another teacher's student is not offered, and posting them is refused beside the field.
    other = client.post(url, headers=factory.auth(school["t2"]),
                        data={"recipient_id": str(school["s1"].id), "evidence_version_ids": [str(version.id)]})
    assert other.status_code == 422 and 'id="f-recipient_id-error"' in other.get_data(as_text=True)


def test_deleting_work_or_a_showcase_asks_for_a_tick_first(app, client, factory):
    from service.portfolio import artifacts, showcases
    from service.portfolio.models import Artifact, Showcase
    from tests.support.signin import form_csrf, sign_in

    student = factory.person("student", factory.org())
    work = artifacts.create_artifact(student, kind="link", title="Bridge model", url="https://example.test/bridge")
    case = showcases.create_showcase(student, title="Engineering", description=None, visibility="private")
    db.session.commit()
    work_id, case_id = work.id, case.id
    sign_in(client, student)
    csrf = form_csrf(client, f"/portfolio/artifacts/{work_id}")
    refused = client.post(f"/portfolio/artifacts/{work_id}/delete", data={"csrf_token": csrf})
    assert refused.status_code == 422 and 'id="f-confirm-delete-error"' in refused.get_data(as_text=True)
    assert db.session.get(Artifact, work_id) is not None
    done = client.post(f"/portfolio/artifacts/{work_id}/delete", data={"csrf_token": csrf, "confirmed": "yes"})
    assert done.status_code == 302 and "“Bridge model” was deleted" in client.get("/portfolio").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Artifact, work_id) is None
    refused = client.post(f"/portfolio/showcases/{case_id}/delete", data={"csrf_token": csrf})
    assert refused.status_code == 422 and db.session.get(Showcase, case_id) is not None
    assert client.post(f"/portfolio/showcases/{case_id}/delete",
                       data={"csrf_token": csrf, "confirmed": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Showcase, case_id) is None


def test_admin_rotates_the_signing_keys_after_confirming(app, client, factory):
    from service.badges import issuance
    from service.badges.models import IssuerKey

    school = factory.school()
    issuance.issue(badge_class(school["org"], name="Chess Club"), issuance.Unit(school["s1"]), source_kind="bulk")
    admin = factory.auth(school["admin"])
    before = set(db.session.scalars(db.select(IssuerKey.key_id).where(IssuerKey.status == "active")))
    db.session.rollback()
    page = client.get("/admin/keys", headers=admin)
    assert page.status_code == 200 and all(k in page.get_data(as_text=True) for k in before)
    refused = client.post("/admin/keys", headers=admin, data={"reason": "yearly"})
    assert refused.status_code == 422 and 'id="f-confirmed-error"' in refused.get_data(as_text=True)
    assert set(db.session.scalars(db.select(IssuerKey.key_id).where(IssuerKey.status == "active"))) == before
    db.session.rollback()
    done = client.post("/admin/keys", headers=admin, data={"reason": "yearly", "confirmed": "yes"})
    assert done.status_code == 302
    active = set(db.session.scalars(db.select(IssuerKey.key_id).where(IssuerKey.status == "active")))
    assert active and not active & before
    assert client.get("/admin/keys", headers=factory.auth(school["t1"])).status_code in (403, 404)


def test_admin_edits_a_person_and_links_a_guardian_from_the_page(app, client, factory):
    from service.models import GuardianLink, Person

    school = factory.school()
    org = school["org"]
    guardian = factory.person("guardian", org, name="Pat Guardian")
    admin = factory.auth(school["admin"])
    student_id, guardian_id = school["s1"].id, guardian.id
    url = f"/people/{student_id}"
    refused = client.post(url, headers=admin, data={"form": "details", "display_name": "", "grade_level": "10"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="f-display_name-error"' in html and 'value="10"' in html
    done = client.post(url, headers=admin, data={"form": "details", "display_name": "Sam Student", "grade_level": "11",
                                                 "is_active": "on"})
    assert done.status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, student_id)
    assert (person.display_name, person.grade_level, person.is_active) == ("Sam Student", "11", True)
    db.session.rollback()
    page = client.get(url, headers=admin).get_data(as_text=True)
    assert f'value="{guardian_id}"' in page  # offered as a guardian
    linked = client.post(url, headers=admin, data={"form": "link", "other_id": str(guardian_id),
                                                   "relationship_label": "aunt"})
    assert linked.status_code == 302
    assert db.session.scalar(db.select(GuardianLink).where(GuardianLink.student_id == student_id,
                                                           GuardianLink.guardian_id == guardian_id))
    db.session.rollback()
    wrong = client.post(url, headers=admin, data={"form": "link", "other_id": str(school["t1"].id)})
    assert wrong.status_code == 422 and 'id="f-other_id-error"' in wrong.get_data(as_text=True)


def test_api_tokens_page_creates_shows_once_and_revokes(app, client, factory):
    import re

    from tests.support.factory import PASSWORD
    from tests.support.signin import form_csrf, sign_in

    teacher = factory.person("teacher", factory.org())
    sign_in(client, teacher)
    csrf = form_csrf(client, "/account/tokens")
    wrong = client.post("/account/tokens", data={"csrf_token": csrf, "name": "Gradebook sync", "scopes": ["read"],
                                                 "password": "not my password"})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and 'id="f-password-error"' in html and 'value="Gradebook sync"' in html
    made = client.post("/account/tokens", data={"csrf_token": csrf, "name": "Gradebook sync",
                                                "scopes": ["read", "issue"], "days": "30", "password": PASSWORD})
    html = made.get_data(as_text=True)
    assert made.status_code == 201 and "shown only this once" in html
    secret = re.search(r'id="token-secret" readonly value="([^"]+)"', html).group(1)
    api = app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert secret not in client.get("/account/tokens").get_data(as_text=True)  # never again
    token_id = re.search(r'name="token_id" value="([^"]+)"', html).group(1)
    unticked = client.post("/account/tokens", data={"csrf_token": csrf, "action": "revoke", "token_id": token_id})
    assert unticked.status_code == 422
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    client.post("/account/tokens", data={"csrf_token": csrf, "action": "revoke", "token_id": token_id,
                                         "confirmed": "yes"})
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_archiving_a_badge_class_from_its_page_needs_a_tick(app, client, factory):
    from service.badges.models import BadgeClass

    school = factory.school()
    bc = badge_class(school["org"], name="Old Club")
    bc_id = bc.id
    teacher = factory.auth(school["admin"])  # the school's admin may edit every class
    assert "Archive this badge class" in client.get(f"/badges/classes/{bc_id}/edit", headers=teacher).get_data(as_text=True)
    refused = client.post(f"/badges/classes/{bc_id}/archive", headers=teacher, data={})
    assert refused.status_code == 422 and 'id="f-confirmed-error"' in refused.get_data(as_text=True)
    assert db.session.get(BadgeClass, bc_id).archived_at is None
    db.session.rollback()
    assert client.post(f"/badges/classes/{bc_id}/archive", headers=teacher, data={"confirmed": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(BadgeClass, bc_id).archived_at is not None
    manage = client.get("/badges/manage", headers=teacher).get_data(as_text=True)
    assert "“Old Club” is archived" in manage and f'id="class-{bc_id}"' not in manage


def test_admin_edits_the_school_details(app, client, factory):
    from service.models import Organization

    school = factory.school()
    admin = factory.auth(school["admin"])
    refused = client.post("/admin/organization", headers=admin, data={"name": "Riverside High", "url": "not a url"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="f-url-error"' in html and 'value="not a url"' in html
    done = client.post("/admin/organization", headers=admin, data={"name": "Riverside High",
                                                                    "url": "https://riverside.example", "email": ""})
    assert done.status_code == 302
    org = db.session.get(Organization, school["org"].id)
    assert (org.name, org.url, org.email) == ("Riverside High", "https://riverside.example", None)
    assert client.get("/admin/organization", headers=factory.auth(school["t1"])).status_code == 403


def test_versions_are_renamed_and_deleted_from_the_artifact_page(app, client, factory):
    import io
    import uuid

    from service.portfolio.models import Artifact
    from tests.support.signin import form_csrf, sign_in

    student = factory.person("student", factory.org())
    sign_in(client, student)
    csrf = form_csrf(client, "/portfolio/new")
    made = client.post("/portfolio/new", content_type="multipart/form-data", data={
        "csrf_token": csrf, "kind": "file", "title": "Essay", "file": (io.BytesIO(b"first draft\n"), "draft.txt")})
    assert made.status_code == 302
    artifact_id = made.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    client.post(f"/portfolio/artifacts/{artifact_id}/versions", content_type="multipart/form-data",
                data={"csrf_token": csrf, "file": (io.BytesIO(b"second draft\n"), "draft2.txt")})
    renamed = client.post(f"/portfolio/artifacts/{artifact_id}/versions/2/rename",
                          data={"csrf_token": csrf, "filename": "final essay.txt"})
    assert renamed.status_code == 302
    page = client.get(f"/portfolio/artifacts/{artifact_id}").get_data(as_text=True)
    assert "now downloads as" in page
    unticked = client.post(f"/portfolio/artifacts/{artifact_id}/versions/1/delete", data={"csrf_token": csrf})
    assert unticked.status_code == 422 and "Tick the box" in unticked.get_data(as_text=True)
    deleted = client.post(f"/portfolio/artifacts/{artifact_id}/versions/1/delete",
                          data={"csrf_token": csrf, "confirmed": "yes"})
    assert deleted.status_code == 302
    db.session.expire_all()
    artifact = db.session.get(Artifact, uuid.UUID(artifact_id))
    assert [v.number for v in artifact.versions] == [2] and artifact.versions[0].filename.startswith("final")
    last = client.post(f"/portfolio/artifacts/{artifact_id}/versions/2/delete",
                       data={"csrf_token": csrf, "confirmed": "yes"})
    assert last.status_code == 409 and "at least one version" in last.get_data(as_text=True)


def test_framework_page_sets_its_method_and_starts_the_next_version(app, client, factory):
    import uuid

    from service.assessment.framework_import import read_csv
    from service.assessment.frameworks import save_draft
    from service.assessment.models import Framework

    school = factory.school()
    draft = read_csv("identifier,parent,human_code,statement\ns,,SCI,Science\ns1,s,SCI.1,Plan investigations\n",
                     "Science")
    framework = save_draft(school["org"].id, draft, school_year="2026-2027")
    db.session.commit()
    fid = framework.id
    admin = factory.auth(school["admin"])
    saved = client.post(f"/assessment/frameworks/{fid}", headers=admin,
                        data={"form": "settings", "title": "Science", "mastery_method": "highest"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Framework, fid).mastery_method == "highest"
    bad = client.post(f"/assessment/frameworks/{fid}", headers=admin, data={"form": "version", "school_year": "next"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="f-school_year-error"' in html and 'value="next"' in html
    made = client.post(f"/assessment/frameworks/{fid}", headers=admin, data={"form": "version", "school_year": "2027-2028"})
    assert made.status_code == 302
    new_id = made.headers["Location"].rsplit("/", 1)[1]
    db.session.expire_all()
    copy = db.session.get(Framework, uuid.UUID(new_id))
    assert (copy.version, copy.school_year, copy.status) == (2, "2027-2028", "current")
    assert client.post(f"/assessment/frameworks/{fid}", headers=factory.auth(school["t1"]),
                       data={"form": "settings", "title": "X"}).status_code in (403, 404)
