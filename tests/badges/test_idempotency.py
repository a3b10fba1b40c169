"""Concurrent and repeated issuance of the same award yields one credential.

Runs on SQLite and, with DATABASE_URL=postgresql://..., on PostgreSQL."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from tests.support.badges import badge_class

ROOT = Path(__file__).resolve().parents[2]


def _awards(student_id):
    from service.badges.models import Award, StatusListEntry
    from service.extensions import db

    db.session.expire_all()
    awards = db.session.scalars(db.select(Award).where(Award.recipient_id == student_id)).all()
    entries = db.session.scalars(db.select(StatusListEntry).where(
        StatusListEntry.award_id.in_([a.id for a in awards]))).all()
    return awards, entries


def test_retry_returns_the_same_award(app, factory):
    from service.badges import issuance

    school = factory.school()
    bc = badge_class(school["org"])
    first = issuance.issue(bc, issuance.Unit(school["s1"]))
    second = issuance.issue(bc, issuance.Unit(school["s1"]))
    assert first.created and not second.created and first.award.id == second.award.id
    awards, entries = _awards(school["s1"].id)
    assert len(awards) == 1 and len(entries) == 1


def test_two_threads_issue_one_credential(app, factory):
    from service.badges import issuance, keys
    from service.badges.models import BadgeClass
    from service.extensions import db
    from service.models import Person

    school = factory.school()
    bc_id, student_id = badge_class(school["org"]).id, school["s1"].id
    keys.ensure_keys(school["org"])
    barrier, outcomes, errors = threading.Barrier(2), [], []

    def worker():
        with app.app_context():
            try:
                bc, student = db.session.get(BadgeClass, bc_id), db.session.get(Person, student_id)
                barrier.wait()
                outcome = issuance.issue(bc, issuance.Unit(student))
                outcomes.append((outcome.created, outcome.award.id))
            except Exception as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(created for created, _ in outcomes) == [False, True]
    assert len({award_id for _, award_id in outcomes}) == 1
    awards, entries = _awards(student_id)
    assert len(awards) == 1 and len(entries) == 1 and awards[0].credential is not None


WORKER = """
import json, sys, uuid
from service import create_app
from service.badges import issuance
from service.badges.models import BadgeClass
from service.extensions import db
from service.models import Person

config = json.loads(sys.argv[1])
app = create_app(config["app"])
with app.app_context():
    bc = db.session.get(BadgeClass, uuid.UUID(config["badge_class_id"]))
    student = db.session.get(Person, uuid.UUID(config["student_id"]))
    sys.stdout.write("ready\\n"); sys.stdout.flush()
    sys.stdin.readline()  # start together
    outcome = issuance.issue(bc, issuance.Unit(student))
    print(json.dumps({"created": outcome.created, "award_id": str(outcome.award.id)}))
"""


def test_two_processes_issue_one_credential(app, app_config, factory, tmp_path):
    from service.badges import keys

    school = factory.school()
    bc = badge_class(school["org"])
    keys.ensure_keys(school["org"])
    config = json.dumps({"app": app_config, "badge_class_id": str(bc.id), "student_id": str(school["s1"].id)})
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INSTANCE_PATH": str(tmp_path / "worker-instance")}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, config], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT) for _ in range(2)]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert sorted(r["created"] for r in results) == [False, True]
    assert len({r["award_id"] for r in results}) == 1
    awards, entries = _awards(school["s1"].id)
    assert len(awards) == 1 and len(entries) == 1
