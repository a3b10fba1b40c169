"""Pages and API lists that grow with data, timed in-process, in two schools.

    .venv/bin/python bench/school.py --students 200 --out /tmp/school200
    .venv/bin/python bench/school.py --students 2000 --out /tmp/school2000
    .venv/bin/python bench/bench_pages.py /tmp/school200 /tmp/school2000 [--repeat 7]

For each page: the median wall time of `--repeat` requests through Flask's
test client (no HTTP server, so it is the service's own work) and the number
of SQL statements per request, side by side for each school, with the ratio
of the last school to the first. CPU time (this process: on SQLite that
includes the database's work) is steadier than wall time on a shared machine. Target (issue 15): heatmap, student progress
and review queue within 20% between a 200- and a 2,000-student school; the
reports page, proficiency and pace well under a second in the large one.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def cases(school: dict) -> list[tuple[str, str, str]]:
    """(label, who, path)."""
    return [
        ("heatmap page (30 students)", "teacher", f"/assessment/sections/{school['section_id']}"),
        ("heatmap API", "teacher", f"/api/v1/sections/{school['section_id']}/heatmap"),
        ("student progress page", "teacher", f"/assessment/students/{school['student_id']}"),
        ("student mastery API", "teacher", f"/api/v1/students/{school['student_id']}/mastery"),
        ("review queue page", "teacher", "/assessment/queue"),
        ("submissions API (queue)", "teacher", "/api/v1/submissions?status=submitted"),
        ("reports page", "admin", "/assessment/reports"),
        ("proficiency API", "admin", "/api/v1/reports/proficiency"),
        ("pace API", "admin", "/api/v1/reports/pace"),
        ("awards API", "admin", "/api/v1/awards"),
        ("people API", "admin", "/api/v1/people"),
        ("my badges page (student)", "student", "/my/badges"),
        ("badge manage page (admin)", "admin", "/badges/manage"),
    ]


def measure(folder: Path, repeat: int) -> dict:
    from sqlalchemy import event

    from service import create_app
    from service.extensions import db
    from tests.support.signin import sign_in

    school = json.loads((folder / "school.json").read_text())
    os.environ["INSTANCE_PATH"] = str(folder / "instance")
    app = create_app({"DATABASE_URL": school["database_url"], "STORAGE_URL": school["storage_url"],
                      "SERVICE_ENV": "testing", "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
                      "PASSWORD_HASH_PROFILE": "fast"})
    results = {}
    with app.app_context():
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.append(1))
        clients = {}
        for who in ("teacher", "admin", "student"):
            client = app.test_client()
            sign_in(client, school[f"{who}_email"], school["password"])
            clients[who] = client
        for label, who, path in cases(school):
            times, cpu, counts, status = [], [], [], None
            for _ in range(repeat):
                statements.clear()
                start, start_cpu = time.perf_counter(), time.process_time()
                response = clients[who].get(path)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
                counts.append(len(statements))
                status = response.status_code
            results[label] = {"ms": 1000 * statistics.median(times), "cpu": 1000 * statistics.median(cpu),
                              "queries": statistics.median(counts),
                              "status": status, "bytes": len(response.data)}
        db.session.remove()
        db.engine.dispose()
    return {"school": school, "results": results}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("schools", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    runs = [measure(folder, args.repeat) for folder in args.schools]
    header = "".join(f" | {r['school']['students']:>5} students: wall ms  cpu ms  queries" for r in runs)
    print(f"{'page':<28}{header} | ratio cpu (last/first)")
    for label in runs[0]["results"]:
        cells = "".join(f" | {r['results'][label]['ms']:>22.1f} {r['results'][label]['cpu']:>7.1f}"
                        f" {r['results'][label]['queries']:>8.0f}"
                        + ("" if r["results"][label]["status"] == 200 else f" (HTTP {r['results'][label]['status']})")
                        for r in runs)
        ratio = runs[-1]["results"][label]["cpu"] / max(runs[0]["results"][label]["cpu"], 0.001)
        print(f"{label:<28}{cells} | {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
