"""The hosted credential (/credentials/<id>) names and digests every piece of
evidence; anonymous callers get it only once the earner has made that evidence
visible (issue 14)."""
from __future__ import annotations

import io

from service.extensions import db
from tests.support import badge_fixtures as bf
from tests.support.signin import csrf_of, sign_in, sign_out


def _issued_with_teacher_only_evidence(factory):
    from service.badges import issuance
    from service.portfolio.artifacts import create_artifact, ingest_file

    school = factory.school()
    student = school["s1"]
    artifact = create_artifact(student, kind="file", title="Letter to my counsellor", visibility="teachers",
                               content=ingest_file(io.BytesIO(b"private thoughts\n"), "letter.txt"))
    db.session.commit()
    version = artifact.versions[-1]
    award = issuance.issue(bf.badge_class(school["org"]), issuance.Unit(student, evidence_version_ids=[version.id]),
                           actor=school["t1"]).award
    db.session.commit()
    return school, award, version


def test_anonymous_callers_do_not_see_unshared_evidence(client, factory):
    school, award, version = _issued_with_teacher_only_evidence(factory)
    page = client.get(f"/credentials/{award.id}")
    assert page.status_code == 403 and "Letter to my counsellor" not in page.get_data(as_text=True)
    r = client.get(f"/credentials/{award.id}", headers={"Accept": "application/ld+json, application/json"})
    assert r.status_code == 403 and r.mimetype == "application/problem+json"
    body = r.get_data(as_text=True)
    assert "Letter to my counsellor" not in body and (version.blob_digest or "x" * 64) not in body
    assert r.json["badge_page"].endswith(f"/badges/{award.id}")
    jwt = client.get(f"/credentials/{award.id}", headers={"Accept": "application/vc+jwt"})
    assert jwt.status_code == 403
    # The earner and their teacher still get the whole signed credential.
    for person in (school["s1"], school["t1"]):
        mine = client.get(f"/credentials/{award.id}", headers=factory.auth(person))
        assert mine.status_code == 200 and mine.get_json() == award.credential
    # The public badge page does not list it either.
    assert "Letter to my counsellor" not in client.get(f"/badges/{award.id}").get_data(as_text=True)


def test_once_the_earner_shares_the_evidence_the_credential_is_public(client, factory):
    school, award, version = _issued_with_teacher_only_evidence(factory)
    sign_in(client, school["s1"])
    client.get("/my/badges")
    assert client.post(f"/my/badges/{award.id}/sharing",
                       data={"csrf_token": csrf_of(client), "evidence": [str(version.id)]}).status_code == 302
    sign_out(client)
    r = client.get(f"/credentials/{award.id}")
    assert r.status_code == 200 and r.get_json() == award.credential


def test_a_credential_without_evidence_stays_public(client, factory):
    from service.badges import issuance

    school = factory.school()
    award = issuance.issue(bf.badge_class(school["org"]), issuance.Unit(school["s2"]), actor=school["admin"]).award
    db.session.commit()
    assert client.get(f"/credentials/{award.id}").status_code == 200
