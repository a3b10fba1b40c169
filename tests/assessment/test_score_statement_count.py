"""A score request's SQL statements do not grow with the student's history:
the tenth score of a student with earlier scores and an award issues no more
statements than the second (the scoring, its stored mastery refresh, the
badge rule check job and its award path all read per request, not per row)."""
from __future__ import annotations

from sqlalchemy import event

from service.extensions import _readers, db
from tests.support.assessment import artifact_version, item, level_ids
from tests.support.badges import badge_class


def _score_statements(client, factory, school, student, levels) -> int:
    version = artifact_version(student)
    db.session.commit()
    body = {"section_id": str(school["sec1"].id), "rubric_id": str(school["rubric"].id),
            "artifact_version_ids": [str(version.id)], "title": "Argument essay",
            "competency_id": str(item(school["framework"], "ela-w-1").id)}
    headers = factory.auth(student, ("read", "write"))
    submission = client.post("/api/v1/submissions", json=body, headers=headers)
    assert submission.status_code == 201, submission.json
    ids = level_ids(school["rubric"])
    scores = {"scores": [{"criterion_id": str(c.id), "level_id": str(ids[levels])} for c in school["rubric"].criteria]}
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    engines = list(dict.fromkeys([db.engine, _readers(db.engine)]))
    for engine in engines:
        event.listen(engine, "before_cursor_execute", seen)
    try:
        response = client.post(f"/api/v1/submissions/{submission.json['id']}/scores", json=scores,
                               headers=factory.auth(school["t1"], ("read", "write")))
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", seen)
    assert response.status_code == 201, response.json
    return len(statements)


def test_score_statements_do_not_grow_with_prior_scores_and_awards(app, client, factory, school):
    from service.assessment import mastery_store
    from service.badges.models import Award

    org, student = school["org"], school["s1"]
    competency = item(school["framework"], "ela-w-1")
    earned = badge_class(org, issue_mode="auto", rule={"all": [{"competency_id": str(competency.id), "min_level": 3}]})
    # Never held at level 3: every score queues and runs a rule check that reads the student's mastery.
    badge_class(org, issue_mode="auto", rule={"all": [{"competency_id": str(competency.id), "min_level": 4}]})
    mastery_store.rebuild(org.id)
    db.session.commit()

    counts = [_score_statements(client, factory, school, student, 3) for _ in range(10)]
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Award.id)).where(
        Award.badge_class_id == earned.id, Award.recipient_id == student.id)) == 1
    # The first score awards the badge; from the second on, each has one more score behind it.
    assert max(counts[1:]) == counts[1], f"statements per score grew with the student's history: {counts}"
