"""CPU per score, in-process: POST /api/v1/submissions/<id>/scores through
Flask's test client in a bench/school.py school, as each section's teacher.

    cp -r /tmp/school2000 /tmp/scoring && .venv/bin/python bench/bench_scoring.py /tmp/scoring [-n 60]
        [--source TREE] [--profile OUT]

Scores the first n+1 submitted submissions (the first warms up; it WRITES to
the school: use a copy, and a fresh one per A/B side). Prints CPU per score
(time.process_time: on SQLite it includes the database's work), wall time,
and with --profile the Python calls and SQL statements per score, which load
does not move (a shared machine moves CPU milliseconds by 2x).
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import json
import logging
import os
import pstats
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("school", type=Path)
    parser.add_argument("-n", type=int, default=60)
    parser.add_argument("--source", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the tree to run (another checkout, for an A/B)")
    parser.add_argument("--profile", help="write cProfile stats here and print calls/statements per score")
    args = parser.parse_args()
    sys.path.insert(0, str(args.source.resolve()))
    os.environ["PASSWORD_HASH_PROFILE"] = "fast"
    from service import create_app
    from service.assessment.models import Rubric, Submission
    from service.auth.tokens import issue_token
    from service.extensions import db
    from service.models import Enrolment, Person

    school = json.loads((args.school / "school.json").read_text())
    os.environ["INSTANCE_PATH"] = str(args.school / "instance")
    app = create_app({"DATABASE_URL": os.environ.get("DATABASE_URL") or school["database_url"],
                      "STORAGE_URL": school["storage_url"], "SERVICE_ENV": "development",
                      "PUBLIC_BASE_URL": "http://localhost", "PASSWORD_HASH_PROFILE": "fast"})
    logging.disable(logging.WARNING)
    with app.app_context():
        waiting = db.session.scalars(db.select(Submission).where(Submission.status == "submitted")
                                     .order_by(Submission.id).limit(args.n + 1)).all()
        work, tokens = [], {}
        for submission in waiting:
            teacher = db.session.scalar(db.select(Enrolment.person_id).where(
                Enrolment.section_id == submission.section_id, Enrolment.role == "teacher"))
            if teacher not in tokens:
                _, tokens[teacher] = issue_token(db.session.get(Person, teacher), name="bench", scopes=["read", "write"],
                                                 days=1)
            rubric = db.session.get(Rubric, submission.rubric_id)
            level = {lv.proficiency_value: lv.id for lv in rubric.levels}
            scores = [{"criterion_id": str(c.id), "level_id": str(level[3 + n % 2])}
                      for n, c in enumerate(rubric.criteria)]
            work.append((str(submission.id), tokens[teacher], {"scores": scores}))
        db.session.commit()
        db.session.remove()
    if len(work) < 2:
        print("not enough submitted work left in this school: use a fresh copy")
        return 1
    client = app.test_client()
    gc.collect()
    gc.freeze()  # as gunicorn.conf.py's post_worker_init does

    def score(item) -> None:
        submission_id, token, body = item
        response = client.post(f"/api/v1/submissions/{submission_id}/scores", json=body,
                               headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201, (response.status_code, response.get_data(as_text=True)[:300])

    score(work[0])
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    cpu, wall = time.process_time(), time.perf_counter()
    for item in work[1:]:
        score(item)
    n = len(work) - 1
    cpu, wall = (time.process_time() - cpu) / n * 1000, (time.perf_counter() - wall) / n * 1000
    line = f"score  n={n}  {cpu:.2f} ms CPU  {wall:.2f} ms wall  load {os.getloadavg()[0]:.1f}"
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
        stats = pstats.Stats(args.profile)
        statements = sum(v[1] for k, v in stats.stats.items()  # type: ignore[attr-defined]
                         if k[2].startswith("<method 'execute") and "Cursor" in k[2])
        line += f"  (profiled)  {stats.total_calls / n:.0f} Python calls, {statements / n:.1f} SQL statements per score"  # type: ignore[attr-defined]
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
