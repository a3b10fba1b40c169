"""GET /api/v1/me: its plain-dict body is exactly what MeSchema documents, and
every request re-reads who the caller is (no identity outlives a change)."""
from __future__ import annotations

from flask import g

from service.api.me import MeSchema
from service.extensions import db
from tests.support.signin import sign_in


def _schema_dump(app, person, scopes):
    with app.test_request_context():
        g.scopes = frozenset(scopes)
        return MeSchema().dump(person)


def test_the_body_is_what_the_schema_dumps(app, client, factory):
    org = factory.org()
    org.url, org.email, org.description = "https://school.example", "office@school.example", "A school"
    teacher = factory.person("teacher", org, given_name="Ada", family_name=None, external_id="T-1")
    db.session.commit()
    body = client.get("/api/v1/me", headers=factory.auth(teacher, scopes=("read", "write"))).json
    assert body == _schema_dump(app, teacher, ("read", "write"))
    assert body["scopes"] == ["read", "write"] and body["organization"]["url"] == "https://school.example"

    browser = app.test_client()
    sign_in(browser, teacher)
    assert browser.get("/api/v1/me").json == _schema_dump(app, teacher, ("read", "write", "issue", "admin"))


def test_a_change_to_the_person_shows_on_the_next_request(client, factory):
    org = factory.org()
    person = factory.person("teacher", org)
    headers = factory.auth(person, scopes=("read",))
    assert client.get("/api/v1/me", headers=headers).json["role"] == "teacher"
    person.role, person.display_name = "admin", "Promoted"
    db.session.commit()
    body = client.get("/api/v1/me", headers=headers).json
    assert (body["role"], body["display_name"]) == ("admin", "Promoted")
    person.is_active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_deactivated_persons_session_ends(app, factory):
    person = factory.person("student", factory.org())
    browser = app.test_client()
    sign_in(browser, person)
    assert browser.get("/api/v1/me").status_code == 200
    person.is_active = False
    db.session.commit()
    assert browser.get("/api/v1/me").status_code == 401
    person.is_active = True
    db.session.commit()
    assert browser.get("/api/v1/me").status_code == 401  # the sign-in was cleared, not just refused


def test_the_profile_fields_are_the_schemas():
    from service.api.schemas import OrganizationSchema, PersonSchema
    from service.auth import profile

    assert profile.PERSON_FIELDS == tuple(PersonSchema().dump_fields)
    assert profile.ORGANIZATION_FIELDS == tuple(OrganizationSchema().dump_fields)


def test_the_person_built_from_the_identity_is_a_full_clean_session_object(app, factory):
    from service.auth.current import current_person, load_identity
    from service.models import Person

    org = factory.org()
    person = factory.person("teacher", org)
    auth = factory.auth(person, scopes=("read",))
    person_id, org_slug, password_hash = person.id, org.slug, person.password_hash
    db.session.expunge_all()  # as in a fresh request: the session holds nothing yet
    with app.test_request_context(headers=auth):
        load_identity()
        db.session.commit()  # (the first use of a token records it)
        built = current_person()
        assert current_person() is built and db.session.get(Person, person_id) is built
        assert not db.session.dirty and not db.session.new
        assert built.organization.slug == org_slug
        assert built.password_hash == password_hash  # columns the identity does not read load on access
        built.display_name = "Renamed"
        db.session.commit()
    db.session.expunge_all()
    assert db.session.get(Person, person_id).display_name == "Renamed"
