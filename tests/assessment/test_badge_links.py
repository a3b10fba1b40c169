"""Submissions and plan goals reference badge classes by foreign key
(migration 0005_links): unknown badges are refused with a field error, and
the migration clears references that point at nothing before adding the key."""
from __future__ import annotations

import uuid

import sqlalchemy as sa

from service.extensions import db
from tests.support.assessment import artifact_version, item


def test_submission_for_a_badge_must_name_one_of_the_organization(client, factory, school):
    from service.badges import classes

    s1 = school["s1"]
    ours = classes.create(school["org"], {"name": "Arguer", "description": "d", "criteria_narrative": "c"})
    theirs = classes.create(factory.org(), {"name": "Other", "description": "d", "criteria_narrative": "c"})
    version = artifact_version(s1)
    db.session.commit()
    body = {"section_id": str(school["sec1"].id), "rubric_id": str(school["rubric"].id), "title": "Essay",
            "artifact_version_ids": [str(version.id)]}
    for bad in (uuid.uuid4(), theirs.id):
        r = client.post("/api/v1/submissions", headers=factory.auth(s1), json={**body, "badge_class_id": str(bad)})
        assert r.status_code == 422 and [e["field"] for e in r.json["errors"]] == ["badge_class_id"]
    r = client.post("/api/v1/submissions", headers=factory.auth(s1), json={
        **body, "badge_class_id": str(ours.id), "competency_id": str(item(school["framework"], "ela-w-1").id)})
    assert r.status_code == 201 and r.json["badge_class_id"] == str(ours.id)


def test_migration_clears_dangling_badge_references(tmp_path):
    import flask_migrate

    from service import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'links.db'}", "SERVICE_ENV": "testing",
                      "STORAGE_URL": str(tmp_path / "b"), "PASSWORD_HASH_PROFILE": "fast"})
    kept, gone, badge = (uuid.uuid4().hex for _ in range(3))
    with app.app_context():
        flask_migrate.upgrade(revision="0004_badges")
        with db.engine.begin() as conn:  # SQLite does not enforce keys here: bare rows are enough
            conn.execute(sa.text("INSERT INTO badge_classes (id, organization_id, name, description, "
                                 "achievement_type, criteria_narrative, tags, alignments, result_descriptions, "
                                 "issue_mode, created_at, updated_at) VALUES (:id, :org, 'B', 'd', 'Badge', 'c', "
                                 "'[]', '[]', '[]', 'approval', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                         {"id": badge, "org": uuid.uuid4().hex})
            for goal, ref in ((kept, badge), (gone, uuid.uuid4().hex)):
                conn.execute(sa.text("INSERT INTO plan_goals (id, plan_id, badge_class_id, created_at) "
                                     "VALUES (:id, :plan, :ref, CURRENT_TIMESTAMP)"),
                             {"id": goal, "plan": uuid.uuid4().hex, "ref": ref})
        flask_migrate.upgrade(revision="0005_links")
        with db.engine.connect() as conn:
            rows = dict(conn.execute(sa.text("SELECT id, badge_class_id FROM plan_goals")).all())
            assert rows == {kept: badge, gone: None}
            keys = sa.inspect(conn).get_foreign_keys("plan_goals")
            assert {"badge_classes"} <= {k["referred_table"] for k in keys}
        flask_migrate.downgrade(revision="0004_badges")
        with db.engine.connect() as conn:
            assert "badge_classes" not in {k["referred_table"] for k in sa.inspect(conn).get_foreign_keys("plan_goals")}
            assert conn.execute(sa.text("SELECT count(*) FROM plan_goals")).scalar() == 2
        db.engine.dispose()
