"""CPU, statements and round trips per request kind of bench_load.py's mix, in-process.

    .venv/bin/python bench/profile_mix.py [--database-url postgresql://...] [-n 60] [--profile KIND]

Builds bench_load.py's school (SQLite in a scratch folder, or a fresh database on the
PostgreSQL server of --database-url, dropped afterwards), then sends each kind of the mix
through the app (Flask's test client, one thread) and prints per request: the app's CPU
(`time.process_time`), SQL statements (SQLAlchemy's `before_cursor_execute`), pool
checkouts, and on PostgreSQL the libpq round trips (Query and Sync messages the driver
sent, from libpq's protocol trace) and the CPU of the PostgreSQL backends serving the
app's connections (/proc). `--profile KIND` prints cProfile's top functions for one kind.

Kinds: public (the four public pages in turn), verify, upload (32 KiB), score, me
(GET /api/v1/me with a student's token), queue (the review queue bench_load's score
clients read once every submission is scored).
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu(pids: set[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


class Counters:
    def __init__(self, *engines):
        from sqlalchemy import event

        self.statements = self.checkouts = 0
        self.pids: set[int] = set()
        self.trace_files: list = []
        self.postgres = engines[0].dialect.name == "postgresql"
        self.started = 0.0
        self.by_statement: dict[str, list[float]] = {}
        for engine in dict.fromkeys(engines):  # the app's engine and the identity lookups' (extensions._readers)
            event.listen(engine, "before_cursor_execute", self._statement)
            event.listen(engine, "after_cursor_execute", self._statement_done)
            event.listen(engine.pool, "checkout", self._checkout)
            event.listen(engine.pool, "connect", self._connect)

    def _statement(self, *args):
        self.statements += 1
        self.started = time.perf_counter()

    def _statement_done(self, conn, cursor, statement, *args):
        entry = self.by_statement.setdefault(" ".join(statement.split())[:150], [0, 0.0])
        entry[0] += 1
        entry[1] += time.perf_counter() - self.started

    def _checkout(self, *args):
        self.checkouts += 1

    def _connect(self, dbapi_connection, record):
        if not self.postgres:
            return
        self.pids.add(dbapi_connection.info.backend_pid)
        trace = tempfile.TemporaryFile("w+")
        dbapi_connection.pgconn.trace(trace.fileno())
        # Suppress timestamps: one line per protocol message.
        from psycopg.pq import Trace

        dbapi_connection.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS)
        self.trace_files.append((dbapi_connection.pgconn, trace))

    def round_trips(self) -> int:
        """Frontend Query ('Q') and Sync ('S') messages: each waits for the server's answer."""
        total = 0
        from psycopg.pq import Trace

        for pgconn, trace in self.trace_files:
            if not pgconn.status:  # still open: untrace flushes libpq's buffered trace
                pgconn.untrace()
                pgconn.trace(trace.fileno())
                pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS)
            with open(trace.fileno(), closefd=False) as f:
                f.seek(0)
                for line in f:
                    parts = line.split("\t")
                    if len(parts) > 2 and parts[0] == "F" and parts[2].strip() in ("Query", "Sync"):
                        total += 1
        return total


def sequence(engine, request) -> str:
    """One request's pool checkouts, transactions and statements, in order."""
    from sqlalchemy import event

    lines: list[str] = []
    hooks = [(engine.pool, "checkout", lambda *a: lines.append("-- checkout")),
             (engine, "begin", lambda c: lines.append("BEGIN")),
             (engine, "commit", lambda c: lines.append("COMMIT")),
             (engine, "rollback", lambda c: lines.append("ROLLBACK (or COMMIT if read-only)")),
             (engine, "before_cursor_execute", lambda c, cur, st, *a: lines.append("   " + " ".join(st.split())[:110]))]
    for target, hook, fn in hooks:
        event.listen(target, hook, fn)
    try:
        request()
    finally:
        for target, hook, fn in hooks:
            event.remove(target, hook, fn)
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("-n", type=int, default=60, help="requests per kind")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--profile", default=None)
    parser.add_argument("--only", default=None)
    parser.add_argument("--sort", default="tottime", help="cProfile order (tottime, cumulative)")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--filter", default=None, help="cProfile: only functions whose path matches this regex")
    parser.add_argument("--sequence", default=None, help="print one request's checkouts, transactions, statements")
    parser.add_argument("--statements", default=None, help="list one kind's statements by time spent")
    parser.add_argument("--trace", default=None, help="print the protocol trace of one request of this kind")
    args = parser.parse_args()
    import bench_load

    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="profile-mix-")))
        if args.database_url:
            from service.config import normalise_database_url
            from tests.support.database import fresh_postgres_database

            url = stack.enter_context(fresh_postgres_database(normalise_database_url(args.database_url)))
        else:
            url = f"sqlite:///{scratch / 'load.db'}"
        t0 = time.monotonic()
        data = bench_load.build_school(url, scratch, args.students, 25)
        print(f"school built in {time.monotonic() - t0:.0f} s", file=sys.stderr)
        run(url, scratch, data, args)
    return 0


def run(url: str, scratch: Path, data: dict, args) -> None:
    import random

    from service import create_app
    from service.extensions import db

    app = create_app({"DATABASE_URL": url, "STORAGE_URL": str(scratch / "blobs"), "SERVICE_ENV": "development",
                      "PUBLIC_BASE_URL": "http://127.0.0.1", "PASSWORD_HASH_PROFILE": "fast",
                      "INSTANCE_PATH": str(scratch / "instance")})
    with app.app_context():
        engine = db.engine
    try:
        from service.extensions import _readers
    except ImportError:  # an older tree
        readers = engine
    else:
        readers = _readers(engine)
    counters = Counters(engine, readers)
    client = app.test_client()
    rng = random.Random(3)
    submissions = list(data["submissions"])
    uploads = [0]

    def public(i):
        award = data["awards"][i % len(data["awards"])]
        path = [f"/badges/{award}", f"/credentials/{award}", f"/issuers/{data['slug']}", "/.well-known/jwks.json"][i % 4]
        return client.get(path, headers={"Accept": "text/html" if path.startswith("/badges") else "application/json"})

    def verify(i):
        return client.post("/api/v1/verify", json={"credential": data["credentials"][i % len(data["credentials"])]})

    def upload(i):
        uploads[0] += 1
        body = (f"Reflection {uploads[0]} on my lab report. ".encode()
                + b"A reflection on my lab report. " * 1100)[:32 * 1024]
        token = data["student_tokens"][i % len(data["student_tokens"])]
        return client.post("/api/v1/artifacts/files?filename=reflection.txt&title=Reflection", data=body,
                           headers={"Content-Type": "application/octet-stream", "Authorization": f"Bearer {token}"})

    def score(i):
        submission = submissions.pop(rng.randrange(len(submissions)))
        return client.post(f"/api/v1/submissions/{submission}/scores", json={"scores": data["scores"]},
                           headers={"Authorization": f"Bearer {data['teacher_token']}"})

    def me(i):
        return client.get("/api/v1/me", headers={"Authorization": f"Bearer {data['student_tokens'][i % 40]}"})

    def queue(i):  # what bench_load's score clients read once every submission is scored
        return client.get("/api/v1/submissions?status=submitted",
                          headers={"Authorization": f"Bearer {data['teacher_token']}"})

    kinds = {"public": public, "verify": verify, "upload": upload, "score": score, "me": me, "queue": queue}
    if args.only:
        kinds = {k: v for k, v in kinds.items() if k in args.only.split(",")}
    print(f"{'kind':8} {'app CPU ms':>10} {'wall ms':>8} {'stmts':>6} {'checkouts':>9} {'round trips':>11} "
          f"{'PG CPU ms':>9}")
    for name, send in kinds.items():
        for i in range(8):  # warm: caches, pool, prepared plans
            response = send(i)
            assert response.status_code < 400, (name, response.status_code, response.get_data(as_text=True)[:300])
        if args.sequence == name:  # one request: checkouts, transactions and statements in order
            print(sequence(engine, functools.partial(send, 7)))
        if args.trace == name:
            counters.round_trips()
            marks = [t.tell() for _, t in counters.trace_files]
            send(7)
            counters.round_trips()
            for (_, trace), mark in zip(counters.trace_files, marks):
                with open(trace.fileno(), closefd=False) as f:
                    f.seek(mark)
                    print("".join(line for line in f if line.startswith("F")))
        n = args.n
        counters.by_statement.clear()
        s0, c0, r0 = counters.statements, counters.checkouts, counters.round_trips()
        b0 = backend_cpu(counters.pids)
        profiler = cProfile.Profile(time.process_time) if args.profile == name else None  # CPU, not wall
        w0, p0 = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for i in range(8, 8 + n):
            response = send(i)
            assert response.status_code < 400, (name, response.status_code)
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - p0, time.perf_counter() - w0
        time.sleep(0.05)
        pg = backend_cpu(counters.pids) - b0
        print(f"{name:8} {cpu / n * 1000:10.2f} {wall / n * 1000:8.2f} {(counters.statements - s0) / n:6.1f} "
              f"{(counters.checkouts - c0) / n:9.1f} {(counters.round_trips() - r0) / n:11.1f} {pg / n * 1000:9.2f}")
        if args.statements == name:
            print("  count  wall ms  statement (wall from send to answer, summed over the run)")
            for text, (count, spent) in sorted(counters.by_statement.items(), key=lambda kv: -kv[1][1])[:args.top]:
                print(f"  {count / n:5.1f} {spent / n * 1000:8.3f}  {text}")
        if profiler:
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(*([args.filter] if args.filter else []), args.top)
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
