"""EXPLAIN every query the main pages and lists run, and flag full scans of large tables.

    .venv/bin/python bench/explain_pages.py /tmp/pg2000      # a school built by bench/school.py on PostgreSQL

For each page of bench_pages.py, runs it once through the test client while
recording its SQL, then asks PostgreSQL (or SQLite) for the plan of each
SELECT and prints those that read a table of more than --min-rows rows in
full (PostgreSQL "Seq Scan", SQLite "SCAN"). No output below a page's name
means every filter and join it uses has an index. On PostgreSQL each flagged
scan is planned again with sequential scans priced out: "planner's choice"
means an index plan exists and costs more (a small table read whole), "NO
INDEX APPLIES" means an index is missing.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("school", type=Path)
    parser.add_argument("--min-rows", type=int, default=1000)
    parser.add_argument("--full", action="store_true", help="print the whole statement and plan of each flagged query")
    args = parser.parse_args()
    from sqlalchemy import event, text

    from bench_pages import cases
    from service import create_app
    from service.extensions import db
    from tests.support.signin import sign_in

    school = json.loads((args.school / "school.json").read_text())
    os.environ["INSTANCE_PATH"] = str(args.school / "instance")
    app = create_app({"DATABASE_URL": school["database_url"], "STORAGE_URL": school["storage_url"],
                      "SERVICE_ENV": "testing", "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
                      "PASSWORD_HASH_PROFILE": "fast"})
    with app.app_context():
        pg = db.engine.dialect.name == "postgresql"
        with db.engine.connect() as conn:
            if pg:
                conn.execute(text("ANALYZE"))
                conn.commit()
                sizes = dict(conn.execute(text("SELECT relname, n_live_tup FROM pg_stat_user_tables")).all())
            else:
                names = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))]
                sizes = {n: conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar() for n in names}
        big = {name for name, rows in sizes.items() if rows and rows > args.min_rows}
        print(f"tables over {args.min_rows} rows: " + ", ".join(f"{n} ({sizes[n]})" for n in sorted(big)))
        recorded: list = []
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, params, context, many: recorded.append((statement, params)))
        clients = {}
        for who in ("teacher", "admin", "student"):
            clients[who] = app.test_client()
            sign_in(clients[who], school[f"{who}_email"], school["password"])
        for label, who, path in cases(school):
            recorded.clear()
            clients[who].get(path)
            statements = [(s, p) for s, p in recorded if s.lstrip().upper().startswith("SELECT")]
            print(f"== {label}: {len(statements)} SELECTs")
            for statement, params in statements:
                with db.engine.connect() as conn:
                    raw = conn.connection.driver_connection
                    cursor = raw.cursor()
                    cursor.execute(("EXPLAIN " if pg else "EXPLAIN QUERY PLAN ") + statement, params)
                    plan = [row[0] if pg else row[-1] for row in cursor.fetchall()]
                scans = [line.strip() for line in plan
                         if (m := re.search(r"Seq Scan on (\w+)" if pg else r"^SCAN (\w+)", line.strip()))
                         and m.group(1) in big]
                if scans and pg:
                    # Is it the planner's choice (a small table: reading it whole is cheaper) or
                    # does no index apply? Ask again with sequential scans priced out.
                    with db.engine.connect() as conn:
                        cursor = conn.connection.driver_connection.cursor()
                        cursor.execute("SET enable_seqscan = off")
                        cursor.execute("EXPLAIN " + statement, params)
                        forced = [row[0] for row in cursor.fetchall()]
                        conn.rollback()
                    still = [line.strip() for line in forced
                             if (m := re.search(r"Seq Scan on (\w+)", line)) and m.group(1) in big]
                    verdict = ("NO INDEX APPLIES" if still else
                               f"planner's choice: an index plan exists (cost {_cost(forced)} vs {_cost(plan)})")
                    scans.append(verdict)
                if scans:
                    print(f"   full scan: {'; '.join(scans)}\n      in: {statement[:220]!r}")
                    if args.full:
                        print(statement, params, *plan, sep="\n")
        db.session.remove()
        db.engine.dispose()
    return 0


def _cost(plan: list[str]) -> str:
    match = re.search(r"cost=[\d.]+\.\.([\d.]+)", plan[0]) if plan else None
    return match.group(1) if match else "?"


if __name__ == "__main__":
    raise SystemExit(main())
