"""The teacher's home: the pending-approval count is what `can_approve` allows
(students of the teacher's own sections only), the "not yet meeting" list covers
the sections they teach, and the page's queries do not grow with pending awards
or sections."""
from __future__ import annotations

import re

from sqlalchemy import event

from service.badges.models import Award
from service.badges.policies import approvable
from service.extensions import db
from service.policies import allowed
from tests.support import badge_fixtures as bf
from tests.support.signin import sign_in


def _pending(org, bc, student, key):
    award = Award(organization_id=org.id, badge_class_id=bc.id, recipient_id=student.id, award_key=key,
                  status="pending_approval", source="auto")
    db.session.add(award)
    return award


def _home(client) -> tuple[str, int]:
    statements = []

    def seen(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        response = client.get("/home")
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 200
    return response.get_data(as_text=True), len(statements)


def test_teacher_home_counts_what_the_teacher_may_approve(app, factory):
    school = factory.school()
    org, t1, s1, s2, s3 = school["org"], school["t1"], school["s1"], school["s2"], school["s3"]
    bc = bf.badge_class(org)
    awards = [_pending(org, bc, s1, "p1"), _pending(org, bc, s2, "p2"), _pending(org, bc, s3, "p3")]
    db.session.commit()
    assert [allowed(t1, "approve", a) for a in awards] == [True, True, False]  # s3 is in t2's section
    assert db.session.scalar(db.select(db.func.count()).select_from(
        approvable(t1, db.select(Award)).subquery())) == 2
    client = app.test_client()
    sign_in(client, t1)
    html, queries = _home(client)
    assert re.search(r'id="pending-count">2<', html)
    assert school["sec1"].name in html

    # More pending awards and another taught section: the same number of queries.
    extra = factory.section(org, teachers=[t1], students=[s3], name="Second section")
    for n in range(5):
        _pending(org, bc, s3, f"more-{n}")
    db.session.commit()
    html, more_queries = _home(client)
    assert re.search(r'id="pending-count">8<', html) and "Second section" in html
    assert more_queries == queries
    assert extra.name in html


def test_approvable_is_empty_for_anyone_but_a_teacher(app, factory):
    school = factory.school()
    bc = bf.badge_class(school["org"])
    _pending(school["org"], bc, school["s1"], "p1")
    db.session.commit()
    for who in ("admin", "s1"):
        assert db.session.scalar(db.select(db.func.count()).select_from(
            approvable(school[who], db.select(Award)).subquery())) == 0
