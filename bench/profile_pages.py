"""Where a server-rendered page spends its CPU: cProfile over N requests in-process.

    .venv/bin/python bench/profile_pages.py /tmp/school2000 [--requests 200] [--only home-admin,heatmap]
        [--top 30] [--sort cumulative] [--build]

Signs in each role of a `bench/school.py` school through the real form, then
for each case runs N requests through Flask's test client, printing the CPU
per request (time.process_time, this process: on SQLite that includes the
database's work), SQL statements per request, and the cProfile top functions.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def cases(school: dict) -> list[tuple[str, str, str]]:
    return [
        ("home-admin", "admin", "/home"),
        ("home-teacher", "teacher", "/home"),
        ("home-student", "student", "/home"),
        ("heatmap", "teacher", f"/assessment/sections/{school['section_id']}"),
        ("heatmap-api", "teacher", f"/api/v1/sections/{school['section_id']}/heatmap"),
        ("progress", "teacher", f"/assessment/students/{school['student_id']}"),
        ("queue", "teacher", "/assessment/queue"),
        ("reports", "admin", "/assessment/reports"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("school", type=Path)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--only", default="")
    parser.add_argument("--top", type=int, default=0, help="print the cProfile top N (0: timing only)")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--sql", action="store_true", help="print each statement's time in one request")
    parser.add_argument("--build", action="store_true",
                        help="build kept fragments every time (web/fragments.py): a first view after a change")
    args = parser.parse_args()

    from sqlalchemy import event

    from service import create_app
    from service.extensions import db
    from tests.support.signin import sign_in

    school = json.loads((args.school / "school.json").read_text())
    os.environ["INSTANCE_PATH"] = str(args.school / "instance")
    app = create_app({"DATABASE_URL": os.environ.get("DATABASE_URL") or school["database_url"],
                      "STORAGE_URL": school["storage_url"], "SERVICE_ENV": "development",
                      "PUBLIC_BASE_URL": "http://127.0.0.1:8000", "PASSWORD_HASH_PROFILE": "fast"})
    only = set(filter(None, args.only.split(",")))
    if args.build:
        from service.web import fragments

        fragments.fragment = lambda what, organization_id, build: build()
    import gc

    gc.freeze()  # as gunicorn.conf.py's post_worker_init does: the loaded app is not rescanned
    with app.app_context():
        statements: list[int] = []
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.append(1))
        clients = {}
        for who in ("teacher", "admin", "student"):
            clients[who] = app.test_client()
            sign_in(clients[who], school[f"{who}_email"], school["password"])
        for label, who, path in cases(school):
            if only and label not in only:
                continue
            client = clients[who]
            response = client.get(path)  # warm
            assert response.status_code == 200, (label, response.status_code)
            if args.sql:
                timed: list[tuple[float, str]] = []

                def before(conn, cursor, statement, parameters, context, executemany):
                    conn.info["t0"] = time.perf_counter()

                def after(conn, cursor, statement, parameters, context, executemany, timed=timed):
                    timed.append((time.perf_counter() - conn.info["t0"], statement))

                event.listen(db.engine, "before_cursor_execute", before)
                event.listen(db.engine, "after_cursor_execute", after)
                client.get(path)
                event.remove(db.engine, "before_cursor_execute", before)
                event.remove(db.engine, "after_cursor_execute", after)
                for seconds, statement in timed:
                    print(f"  {seconds * 1000:7.2f} ms  {' '.join(statement.split())[:300]}")
            statements.clear()
            profiler = cProfile.Profile() if args.top else None
            start = time.process_time()
            if profiler:
                profiler.enable()
            for _ in range(args.requests):
                client.get(path)
            if profiler:
                profiler.disable()
            cpu = (time.process_time() - start) / args.requests * 1000
            print(f"{label:<14} {cpu:7.2f} ms CPU/request  {len(statements) / args.requests:5.1f} queries"
                  f"  {len(response.data):7d} bytes")
            if profiler:
                pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
