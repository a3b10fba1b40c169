"""Notifications: written with the change they announce, mailed only after it
commits (a real aiosmtpd server), never for a rolled-back change, and not
mailed to people who opted out."""
from __future__ import annotations

import pytest

from service.extensions import db
from tests.support.assessment import artifact_version, level_ids, writing_school  # noqa: F401  (the `school` fixture)


def _submitted(school, student):
    from service.assessment.scoring import submit

    version = artifact_version(student, "Poem")
    submission = submit(student, section_id=school["sec1"].id, rubric_id=school["rubric"].id,
                        artifact_version_ids=[version.id], title="Poem",
                        competency_id=school["rubric"].criteria[0].alignments[0].competency_id)
    db.session.commit()
    return submission


def _score_body(rubric):
    ids = level_ids(rubric)
    return {"scores": [{"criterion_id": str(c.id), "level_id": str(ids[3])} for c in rubric.criteria]}


def test_a_score_notifies_the_student_in_the_bell_and_by_mail(client, factory, school, smtp_server):
    from service.notifications.models import Notification

    s1 = school["s1"]
    submission = _submitted(school, s1)
    response = client.post(f"/api/v1/submissions/{submission.id}/scores", json=_score_body(school["rubric"]),
                           headers=factory.auth(school["t1"]))
    assert response.status_code == 201
    [note] = db.session.scalars(db.select(Notification).where(Notification.person_id == s1.id)).all()
    assert note.kind == "scored" and note.url == f"/assessment/submissions/{submission.id}" and note.read_at is None
    [message] = smtp_server.wait_for(1)
    assert message["To"] == s1.email and message["Subject"] == "Your work “Poem” was scored"
    assert f"https://badges.test/assessment/submissions/{submission.id}" in message.get_content()
    page = client.get("/notifications", headers=factory.auth(s1)).get_data(as_text=True)
    assert "Your work “Poem” was scored" in page


def test_a_rolled_back_change_mails_nobody_and_leaves_no_notification(app, factory, school, smtp_server):
    from service.assessment.scoring import return_for_revision
    from service.notifications.models import Notification

    submission = _submitted(school, school["s1"])
    with app.test_request_context():
        return_for_revision(submission, school["t1"], "Add a stanza")
        db.session.rollback()
    db.session.commit()  # a later, unrelated commit must not send the dropped mail
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 0
    with pytest.raises(AssertionError):
        smtp_server.wait_for(1, timeout=1)


def test_people_who_opt_out_get_no_mail_but_still_the_bell(client, factory, school, smtp_server):
    from service.notifications.models import Notification

    s1 = school["s1"]
    auth = factory.auth(s1)
    assert client.post("/notifications/settings", data={}, headers=auth).status_code == 302
    submission = _submitted(school, s1)
    client.post(f"/api/v1/submissions/{submission.id}/return", json={"feedback": "Add a stanza"},
                headers=factory.auth(school["t1"]))
    assert db.session.scalar(db.select(db.func.count(Notification.id)).where(Notification.person_id == s1.id)) == 1
    with pytest.raises(AssertionError):
        smtp_server.wait_for(1, timeout=1)
    # Reading them clears the count; notifications are one person's own.
    client.post("/notifications/read", headers=auth)
    assert db.session.scalar(db.select(db.func.count(Notification.id)).where(Notification.read_at.is_(None))) == 0
    other = client.get(f"/notifications/{db.session.scalar(db.select(Notification.id))}",
                       headers=factory.auth(school["s2"]))
    assert other.status_code == 302 and other.headers["Location"].endswith("/notifications")


def test_a_waiting_approval_notifies_the_students_teachers(app, factory, school):
    from service.badges import issuance
    from service.badges.models import BadgeClass
    from service.notifications.models import Notification

    bc = BadgeClass(organization_id=school["org"].id, name="Poet", description="d", criteria_narrative="c",
                    issue_mode="approval")
    db.session.add(bc)
    db.session.commit()
    with app.test_request_context():
        issuance.queue_for_approval(bc, issuance.Unit(school["s1"]))
    notes = db.session.scalars(db.select(Notification).where(Notification.kind == "approval_waiting")).all()
    assert [n.person_id for n in notes] == [school["t1"].id]
    assert notes[0].url.startswith("/badges/manage#pending-")


def test_mail_can_be_turned_off_for_one_kind_only(client, factory, school, smtp_server):
    from service.notifications.models import Notification

    s1 = school["s1"]
    auth = factory.auth(s1)
    page = client.get("/notifications", headers=auth).get_data(as_text=True)
    assert 'id="kind-returned"' in page and 'id="kind-approval_waiting"' not in page  # a student's kinds only
    # Mail on, but not for returned work: ticked boxes are the kinds still mailed.
    saved = client.post("/notifications/settings", headers=auth, data={
        "email": "on", "kinds-shown": "1", "kinds": ["scored", "badge_earned"]})
    assert saved.status_code == 302
    page = client.get("/notifications", headers=auth).get_data(as_text=True)
    assert 'id="kind-returned">' in page and 'value="scored" id="kind-scored" checked' in page
    submission = _submitted(school, s1)
    client.post(f"/api/v1/submissions/{submission.id}/return", json={"feedback": "Add a stanza"},
                headers=factory.auth(school["t1"]))
    assert db.session.scalar(db.select(db.func.count(Notification.id)).where(Notification.person_id == s1.id)) == 1
    with pytest.raises(AssertionError):
        smtp_server.wait_for(1, timeout=1)  # the bell has it; the mailbox does not
