"""No N+1: the main pages and API lists issue the same number of SQL
statements in a small and a larger school (bench/school.py builds both
through the domain functions), so a count that grows with the rows fails."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from bench.school import build
from service.extensions import db
from tests.support.signin import sign_in

PAGES = [
    ("teacher", "/assessment/sections/{section_id}"),
    ("teacher", "/api/v1/sections/{section_id}/heatmap"),
    ("teacher", "/assessment/students/{student_id}"),
    ("teacher", "/api/v1/students/{student_id}/mastery"),
    ("teacher", "/assessment/queue"),
    ("teacher", "/api/v1/submissions?status=submitted"),
    ("admin", "/assessment/reports"),
    ("admin", "/api/v1/reports/proficiency"),
    ("admin", "/api/v1/reports/pace"),
    ("admin", "/api/v1/awards"),
    ("admin", "/api/v1/people"),
    ("admin", "/api/v1/sections"),
    ("admin", "/badges/manage"),
    ("student", "/my/badges"),
    ("student", "/api/v1/awards"),
]


@pytest.fixture
def schools(app, factory):  # factory: inside the app context
    quiet = lambda *args: None  # noqa: E731
    small = build(students=12, section_size=10, scores_per_student=40, awards_per_student=1, slug="small", log=quiet)
    large = build(students=45, section_size=30, scores_per_student=40, awards_per_student=2, slug="large", log=quiet)
    assert large["section_students"] > small["section_students"]
    return small, large


def _counts(app, school) -> dict:
    statements: list[str] = []

    def seen(conn, cursor, statement, params, context, executemany):
        statements.append(statement)

    out = {}
    clients = {}
    for who in ("teacher", "admin", "student"):
        clients[who] = app.test_client()
        sign_in(clients[who], school[f"{who}_email"], school["password"])
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        for who, template in PAGES:
            path = template.format(**school)
            clients[who].get(path)  # warm: first-use rows (default scale, settings) are created once
            statements.clear()
            response = clients[who].get(path)
            assert response.status_code == 200, (path, response.status_code)
            out[(who, template)] = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return out


def test_query_counts_do_not_grow_with_rows(app, schools):
    small, large = schools
    few, many = _counts(app, small), _counts(app, large)
    grown = {page: (few[page], many[page]) for page in few if many[page] > few[page]}
    assert not grown, f"queries per request grew with the data (small, large): {grown}"
