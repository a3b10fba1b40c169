"""Mixed load through gunicorn: many concurrent clients, one machine, loopback only.

    .venv/bin/python bench/bench_load.py [--clients 200] [--seconds 60] [--think MEAN_S | --rate R[,R...]]
                                         [--workers N] [--threads T] [--database-url postgresql://...]

Builds a school in a scratch folder (SQLite, or a fresh database on the
PostgreSQL server of --database-url / DATABASE_URL, dropped afterwards): the
demo school plus --students students, each with an issued badge and scored
work waiting, and bearer tokens. Then serves it with gunicorn exactly as the
Dockerfile does (gunicorn.conf.py sets workers and threads; --workers and
--threads override them, and the output says when the config is not the
production one) on 127.0.0.1 and offers mixed traffic for --seconds:

    public pages  GET /badges/<id>, /credentials/<id>, /issuers/<slug>, /.well-known/jwks.json
    verify        POST /api/v1/verify with an issued credential (Data Integrity proof, status list)
    uploads       POST /api/v1/artifacts/files, 32 KiB of text (new bytes each time), as students
    scoring       POST /api/v1/submissions/<id>/scores, as the teacher (mastery, auto-issuance)

Three modes (bench/README.md argues the think time):
    default       --clients clients with no think time: each sends its next request as soon as
                  the last one answered (the issue's benchmark; latency = clients / throughput)
    --think S     the same clients, each pausing an exponential think time of mean S seconds
                  after every answer
    --rate R      open loop: Poisson arrivals at R/s served by a pool of --clients clients,
                  latency counted from arrival (queueing included); several rates, comma-separated,
                  run one after another against the same server

Prints requests/s, p50/p99 latency per kind and overall, and errors (5xx,
connection failures and timeouts, and open-loop arrivals never served;
expected 4xx are counted apart), the CPU per request of the workers and of
this client, connections opened, and from gunicorn's access log (written
as the Dockerfile's server writes one) each worker's requests, CPU and time
inside the worker: a client's latency minus that is time spent queued. Bounded: at most 1,000 clients, 2,000 arrivals/s and 600 s per
run, and the server only ever listens on 127.0.0.1. The client runs on the
same cores as the server, so figures are for comparing runs on one machine,
not capacity planning.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import queue
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from procstat import StateSampler, workers_cpu  # noqa: E402

HOST = "127.0.0.1"  # loopback only, always
MAX_CLIENTS, MAX_SECONDS, MAX_RATE = 1000, 600, 2000
# What a request sent on an idle keep-alive connection meets when the server has closed it.
STALE_CONNECTION = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)
# kind -> share of requests
MIX = {"public": 0.45, "verify": 0.25, "upload": 0.15, "score": 0.15}


def build_school(url: str, scratch: Path, students: int, submissions_each: int) -> dict:
    """Migrate and fill the database through the real services; returns what the clients need."""
    os.environ["PASSWORD_HASH_PROFILE"] = "fast"
    import flask_migrate

    from service import create_app
    from service.extensions import db

    app = create_app({"DATABASE_URL": url, "STORAGE_URL": str(scratch / "blobs"), "SERVICE_ENV": "development",
                      "PUBLIC_BASE_URL": f"http://{HOST}", "PASSWORD_HASH_PROFILE": "fast",
                      "LOGIN_MAX_FAILURES_PER_ADDRESS": 10**6})
    with app.app_context():
        flask_migrate.upgrade()
        from service.assessment.models import Rubric
        from service.assessment.scoring import submit
        from service.auth.passwords import hash_password
        from service.auth.tokens import issue_token
        from service.badges import classes, issuance
        from service.demo import load_demo
        from service.models import Enrolment, Organization, Person, Section
        from service.portfolio.models import Artifact, ArtifactVersion

        load_demo()
        org = db.session.scalar(db.select(Organization).where(Organization.slug == "riverside-high"))
        teacher = db.session.scalar(db.select(Person).where(Person.email == "teacher@riverside.example"))
        section = db.session.scalar(db.select(Section).where(Section.organization_id == org.id))
        rubric = db.session.scalar(db.select(Rubric).where(Rubric.organization_id == org.id,
                                                           Rubric.title == "Argument essay"))
        badge = classes.create(org, {"name": "Load Test Finisher", "description": "Finished the load test.",
                                     "criteria_narrative": "Was part of the benchmark.", "issue_mode": "auto"},
                               actor=teacher)
        db.session.commit()
        password_hash = hash_password("bench password 2026")
        people, awards, submissions, student_tokens = [], [], [], []
        competency_id = rubric.criteria[0].alignments[0].competency_id
        for n in range(students):
            person = Person(organization_id=org.id, role="student", email=f"load{n}@riverside.example",
                            display_name=f"Load Student {n}", password_hash=password_hash)
            db.session.add(person)
            db.session.flush()
            db.session.add(Enrolment(section_id=section.id, person_id=person.id, role="student"))
            people.append(person)
        db.session.commit()
        for person in people:
            awards.append(str(issuance.issue(badge, issuance.Unit(person), actor=teacher).award.id))
            for k in range(submissions_each):
                artifact = Artifact(owner_id=person.id, organization_id=org.id, kind="file", title=f"Essay {k}")
                db.session.add(artifact)
                db.session.flush()
                version = ArtifactVersion(artifact_id=artifact.id, number=1, blob_digest="0" * 64, size=10,
                                          mime_type="text/plain", filename="essay.txt", created_by_id=person.id)
                db.session.add(version)
                db.session.flush()
                submissions.append(str(submit(person, section_id=section.id, rubric_id=rubric.id,
                                              artifact_version_ids=[version.id], title=f"Essay {k}",
                                              competency_id=competency_id).id))
            _, secret = issue_token(person, name="load", scopes=["read", "write"], days=1)
            student_tokens.append(secret)
            db.session.commit()
        _, teacher_token = issue_token(teacher, name="load", scopes=["read", "write", "issue"], days=1)
        db.session.commit()
        # As in a school whose heatmaps have been opened: stored mastery is built, so every
        # score refreshes its student's stored mastery at commit.
        from service.assessment import mastery_store

        mastery_store.ensure_built(org.id)
        db.session.commit()
        from service.badges.models import Award

        import uuid

        credentials = [db.session.get(Award, uuid.UUID(a)).credential for a in awards[:20]]
        scores = [{"criterion_id": str(c.id), "level_id": str(level.id)}
                  for c in rubric.criteria for level in rubric.levels if level.proficiency_value == 3]
        db.engine.dispose()
    return {"awards": awards, "credentials": credentials, "submissions": submissions, "scores": scores,
            "student_tokens": student_tokens, "teacher_token": teacher_token, "slug": "riverside-high"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(url: str, scratch: Path, workers: int | None = None, threads: int | None = None, expect: int = 1,
             options: tuple[str, ...] = ()):
    """gunicorn.conf.py as in production; `workers`/`threads` override its settings when given.
    Yields once all `expect` workers have loaded the app (their "Worker ready" log lines):
    a gthread worker keeps the connections it accepts, so clients connecting while a worker
    still loads would leave that worker idle for the whole run."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "STORAGE_URL": str(scratch / "blobs"), "SERVICE_ENV": "development",
           "PUBLIC_BASE_URL": f"http://{HOST}", "PASSWORD_HASH_PROFILE": "fast",
           "INSTANCE_PATH": str(scratch / "instance"), "PYTHONPATH": str(ROOT)}
    log = open(scratch / "gunicorn.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
                             *(["--workers", str(workers)] if workers else []),
                             *(["--threads", str(threads)] if threads else []), *options,
                             "--bind", f"{HOST}:{port}", "--backlog", "2048",
                             # as the Dockerfile logs every request; here the worker's pid and the time
                             # the request spent in the worker, so the run can say who served what
                             "--access-logfile", str(scratch / "access.log"), "--access-logformat", "%(p)s %(M)s %(m)s %(U)s",
                             "service:create_app()"],
                            cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {scratch / 'gunicorn.log'}")
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200 and \
                        (scratch / "gunicorn.log").read_bytes().count(b"Worker ready") >= expect:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.2)
        yield port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


class Load:
    """The mix, and three ways of offering it (each client reuses its connection while the server
    keeps it open; the production config answers every request with "Connection: close", so each
    request is a new connection, as from a proxy in front; `connections` counts them):

    * closed loop, no think time (`think=0`, the issue's benchmark): each client sends its next
      request as soon as the last one answered, so latency is clients / throughput;
    * closed loop with think time (`think>0`): each client waits an exponentially distributed
      pause (mean `think` s) after each answer, like a person reading and typing;
    * open loop (`rate`): requests arrive at `rate`/s (Poisson) whatever the server does, and
      the clients are a pool that serves them; a request's latency counts from its arrival, so
      time spent queued behind busy clients is included (no coordinated omission).
    """

    def __init__(self, port: int, data: dict, seconds: float):
        self.port, self.data, self.seconds = port, data, seconds
        self.lock = threading.Lock()
        self.submissions = list(data["submissions"])
        random.Random(7).shuffle(self.submissions)
        self.uploads = 0
        self.reset()

    def reset(self) -> None:
        self.results: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.client_errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []
        self.unserved = 0
        self.reconnects = 0
        self.connections = 0
        self.connect_times: list[float] = []
        self.started, self.scored_all_at = time.perf_counter(), None

    def upload_body(self) -> bytes:
        """32 KiB of text, different every time: real uploads are new files, not one blob deduplicated."""
        with self.lock:
            self.uploads += 1
            n = self.uploads
        return (f"Reflection {n} on my lab report. ".encode() + b"A reflection on my lab report. " * 1100)[:32 * 1024]

    def request(self, rng: random.Random) -> tuple[str, str, str, bytes | None, dict]:
        kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
        data = self.data
        if kind == "public":
            award = rng.choice(data["awards"])
            path = rng.choice([f"/badges/{award}", f"/credentials/{award}", f"/issuers/{data['slug']}",
                               "/.well-known/jwks.json"])
            return kind, "GET", path, None, {"Accept": "text/html" if path.startswith("/badges") else
                                                        "application/json"}
        if kind == "verify":
            body = json.dumps({"credential": rng.choice(data["credentials"])}).encode()
            return kind, "POST", "/api/v1/verify", body, {"Content-Type": "application/json"}
        if kind == "upload":
            token = rng.choice(data["student_tokens"])
            return kind, "POST", "/api/v1/artifacts/files?filename=reflection.txt&title=Reflection", \
                self.upload_body(), {"Content-Type": "application/octet-stream", "Authorization": f"Bearer {token}"}
        with self.lock:
            submission = self.submissions.pop() if self.submissions else None
            if submission is not None and not self.submissions:
                self.scored_all_at = time.perf_counter()
        auth = {"Authorization": f"Bearer {data['teacher_token']}"}
        if submission is None:  # all scored: read the review queue instead
            return kind, "GET", "/api/v1/submissions?status=submitted", None, auth
        body = json.dumps({"scores": data["scores"]}).encode()
        return kind, "POST", f"/api/v1/submissions/{submission}/scores", body, {**auth,
                                                                                 "Content-Type": "application/json"}

    def send(self, conn: http.client.HTTPConnection | None, rng: random.Random, since: float | None = None
             ) -> http.client.HTTPConnection | None:
        """One request of the mix on `conn` (a new one when None); records its latency from
        `since` (its arrival; default: now). Returns the connection to reuse, or None."""
        kind, method, path, body, headers = self.request(rng)
        start = time.perf_counter() if since is None else since
        for attempt in (1, 2):
            reused = conn is not None
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
                    began = time.perf_counter()
                    conn.connect()
                    with self.lock:
                        self.connections += 1
                        self.connect_times.append(time.perf_counter() - began)
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status: int | str = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
                break
            except (OSError, http.client.HTTPException) as exc:
                status = f"{type(exc).__name__}"
                if conn is not None:
                    conn.close()
                conn = None
                # The server closed an idle keep-alive connection (gunicorn's keepalive, 2 s)
                # before this request reached it: send it again on a new connection, once, as
                # browsers and urllib3 do. Counted, and never done for a fresh connection.
                if not (reused and attempt == 1 and isinstance(exc, STALE_CONNECTION)):
                    break
                with self.lock:
                    self.reconnects += 1
        elapsed = time.perf_counter() - start
        with self.lock:
            self.results[kind].append(elapsed)
            if not isinstance(status, int) or status >= 500:
                self.errors[kind] += 1
                if len(self.error_samples) < 5:
                    self.error_samples.append(f"{method} {path} -> {status}")
            elif status >= 400:
                self.client_errors[f"{kind} {status}"] += 1
        return conn

    def client(self, seed: int, stop_at: float, think: float) -> None:
        rng = random.Random(seed)
        conn = None
        if think:  # clients start spread over one think time, not all at once
            time.sleep(rng.expovariate(1 / think))
        while time.monotonic() < stop_at:
            conn = self.send(conn, rng)
            if think:
                time.sleep(min(rng.expovariate(1 / think), max(0.0, stop_at - time.monotonic())))
        if conn is not None:
            conn.close()

    def run(self, clients: int, think: float = 0.0) -> float:
        """Closed loop: `clients` clients for `seconds`, each pausing `think` s on average between requests."""
        stop_at = time.monotonic() + self.seconds
        threads = [threading.Thread(target=self.client, args=(n, stop_at, think), daemon=True)
                   for n in range(clients)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=self.seconds + 120)
        return time.perf_counter() - start

    def run_open(self, rate: float, clients: int, seed: int = 11) -> float:
        """Open loop: Poisson arrivals at `rate`/s for `seconds`, served by a pool of `clients`.
        Arrivals still queued 60 s after the window are counted as unserved (never silently dropped)."""
        arrivals: queue.Queue = queue.Queue()
        done = threading.Event()

        def worker(n: int) -> None:
            rng, conn = random.Random(seed * 1000 + n), None
            while True:
                try:
                    arrived = arrivals.get(timeout=0.2)
                except queue.Empty:
                    if done.is_set():
                        break
                    continue
                if arrived is None:
                    break
                conn = self.send(conn, rng, since=arrived)
            if conn is not None:
                conn.close()

        pool = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
        for t in pool:
            t.start()
        rng = random.Random(seed)
        start = time.perf_counter()
        due = start
        while due < start + self.seconds:
            due += rng.expovariate(rate)
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            arrivals.put(due)
        deadline = time.perf_counter() + 60
        while not arrivals.empty() and time.perf_counter() < deadline:
            time.sleep(0.05)
        while True:  # whatever is still queued now will not be served
            try:
                if arrivals.get_nowait() is not None:
                    self.unserved += 1
            except queue.Empty:
                break
        done.set()
        for t in pool:
            t.join(timeout=70)
        return time.perf_counter() - start


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]


def report(load: Load, elapsed: float, label: str) -> None:
    every = [v for values in load.results.values() for v in values]
    errors = sum(load.errors.values()) + load.unserved
    print(f"\n{label}: {len(every)} requests in {elapsed:.1f} s = {len(every) / elapsed:.1f} req/s; "
          f"p50 {quantile(every, .5) * 1000:.0f} ms, p99 {quantile(every, .99) * 1000:.0f} ms; errors {errors}"
          + (f" (of which {load.unserved} arrivals never served)" if load.unserved else ""))
    print(f"{'kind':8} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for kind in MIX:
        values = load.results.get(kind, [])
        print(f"{kind:8} {len(values):9d} {len(values) / elapsed:7.1f} {quantile(values, .5) * 1000:8.0f} "
              f"{quantile(values, .99) * 1000:8.0f} {load.errors.get(kind, 0):7d}")
    if load.client_errors:
        print("4xx answers (not errors):", dict(sorted(load.client_errors.items())))
    print(f"connections opened: {load.connections} ({load.connections / max(1, len(every)):.2f} per request); "
          f"connecting took p50 {quantile(load.connect_times, .5) * 1000:.1f} ms, "
          f"p99 {quantile(load.connect_times, .99) * 1000:.1f} ms, max {max(load.connect_times, default=0) * 1000:.0f} ms")
    if load.scored_all_at:
        print(f"every submission was scored {load.scored_all_at - load.started:.0f} s into the run; "
              "after that the 'score' clients read the review queue (GET) instead")
    if load.reconnects:
        print(f"{load.reconnects} requests met a keep-alive connection the server had closed while idle "
              "and were sent again on a new one (their latency includes both tries)")
    for sample in load.error_samples:
        print("  error:", sample)


def production_config() -> tuple[int, int]:
    """(workers, threads) as gunicorn.conf.py sets them (the Dockerfile's command adds none)."""
    import runpy

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return int(conf.get("workers", 1)), int(conf.get("threads", 1))


def server_errors(scratch: Path, limit: int = 3) -> str:
    """The last `limit` tracebacks in the server's log (to say what a 5xx was)."""
    try:
        text = (scratch / "gunicorn.log").read_text(errors="replace")
    except OSError:
        return ""
    blocks = text.split("Traceback (most recent call last):")[1:]
    return "\n".join("Traceback (most recent call last):" + b[-2500:] for b in blocks[-limit:])


def per_worker(access_log: Path, offset: int, cpu_before: dict, cpu_after: dict, served: int) -> None:
    """Who served what: requests, CPU and time inside the worker per worker, from the access
    log lines written since `offset` ("<pid> ms" each). The time inside a worker starts when
    a thread took the request; a client's latency minus it is time queued (kernel backlog,
    a busy worker's poller and thread pool)."""
    times: dict[int, list[float]] = defaultdict(list)
    kinds: dict[str, list[float]] = defaultdict(list)
    with open(access_log, "rb") as log:
        log.seek(offset)
        for line in log:
            with contextlib.suppress(ValueError):
                pid, ms, method, path = line.decode(errors="replace").split()
                times[int(pid.strip("<>"))].append(float(ms) / 1000)
                kind = "public" if method == "GET" and not path.startswith("/api/") else \
                    "verify" if path == "/api/v1/verify" else "upload" if path.startswith("/api/v1/artifacts") \
                    else "score"
                kinds[kind].append(float(ms) / 1000)
    every = [t for values in times.values() for t in values]
    print(f"inside the workers (access log, {len(every)} of {served} requests): p50 "
          f"{quantile(every, .5) * 1000:.0f} ms, p99 {quantile(every, .99) * 1000:.0f} ms; " +
          ", ".join(f"{kind} p50 {quantile(kinds[kind], .5) * 1000:.0f} / p99 {quantile(kinds[kind], .99) * 1000:.0f}"
                    for kind in MIX))
    for pid in sorted(set(times) | set(cpu_after)):
        values = times.get(pid, [])
        cpu = cpu_after.get(pid, 0.0) - cpu_before.get(pid, 0.0)
        print(f"  worker {pid}: {len(values):6d} requests ({len(values) / max(1, len(every)):4.0%}), "
              f"p50 {quantile(values, .5) * 1000:5.0f} ms, p99 {quantile(values, .99) * 1000:5.0f} ms inside, "
              f"CPU {cpu:5.1f} s = {cpu * 1000 / max(1, len(values)):.1f} ms/request")


def measured(load: Load, master: int, label: str, drive, access_log: Path) -> None:
    """Run `drive()` (returns elapsed s) and print latency, errors and CPU per request."""
    load.reset()
    load_before = os.getloadavg()[0]
    offset = access_log.stat().st_size if access_log.exists() else 0
    server_before, client_before = workers_cpu(master), time.process_time()
    with StateSampler(master) as states:
        elapsed = drive()
    server_after, client_cpu = workers_cpu(master), time.process_time() - client_before
    server_cpu = sum(server_after.values()) - sum(server_before.values())
    report(load, elapsed, label)
    served = max(1, sum(len(v) for v in load.results.values()))
    # Throughput is bounded by (cores given to us) / (server + client CPU per request).
    print(f"CPU per request: server workers {server_cpu * 1000 / served:.1f} ms, this client "
          f"{client_cpu * 1000 / served:.1f} ms; the workers used {server_cpu / elapsed:.2f} of "
          f"{os.cpu_count()} cores, the client {client_cpu / elapsed:.2f}")
    print(f"worker threads running or waiting for a core: {states.runnable():.2f} on average "
          f"({os.cpu_count()} cores; fewer while requests queue = waiting on locks, disk or the client)")
    time.sleep(0.5)  # the access log's last lines
    per_worker(access_log, offset, server_before, server_after, served)
    print(f"load average: {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200,
                        help="concurrent clients (closed loop), or the client pool serving --rate arrivals")
    parser.add_argument("--seconds", type=float, default=60, help="length of each run")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean think time per client in seconds, exponential (default 0: none)")
    parser.add_argument("--rate", default=None,
                        help="open loop instead: arrivals per second (Poisson), or several comma-separated, "
                             "each run for --seconds against the same server")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn --workers (default: gunicorn.conf.py)")
    parser.add_argument("--threads", type=int, default=None,
                        help="gunicorn --threads, 1 = sync workers (default: gunicorn.conf.py)")
    parser.add_argument("--server-option", action="append", default=[], metavar="OPTION",
                        help="one more gunicorn command-line option (repeatable; quote it with its value, "
                             "e.g. '--keep-alive=0'); the output then says it is not the production config")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--submissions-each", type=int, default=25)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="a PostgreSQL server URL (a fresh database is created on it); default SQLite")
    args = parser.parse_args()
    rates = [float(r) for r in args.rate.split(",")] if args.rate else []
    if not 1 <= args.clients <= MAX_CLIENTS or not 1 <= args.seconds <= MAX_SECONDS:
        raise SystemExit(f"--clients must be 1..{MAX_CLIENTS} and --seconds 1..{MAX_SECONDS}")
    if any(not 0 < r <= MAX_RATE for r in rates) or not 0 <= args.think <= 60 or len(rates) > 10:
        raise SystemExit(f"--rate must be 1-10 values in (0, {MAX_RATE}] and --think 0..60")
    prod_workers, prod_threads = production_config()
    workers, threads = args.workers or prod_workers, args.threads or prod_threads
    config = "production config" if (workers, threads) == (prod_workers, prod_threads) and not args.server_option \
        else f"NOT the production config: {' '.join(args.server_option)}"
    scratch = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        with contextlib.ExitStack() as stack:
            from service.config import normalise_database_url

            url = normalise_database_url(args.database_url) if args.database_url else None
            if url and url.startswith("postgresql"):
                from tests.support.database import fresh_postgres_database

                url = stack.enter_context(fresh_postgres_database(url))
                label = "PostgreSQL"
            else:
                url, label = f"sqlite:///{scratch / 'load.db'}", "SQLite"
            started = time.perf_counter()
            data = build_school(url, scratch, args.students, args.submissions_each)
            print(f"{label}: school built in {time.perf_counter() - started:.0f} s ({len(data['awards'])} students "
                  f"with a badge, {len(data['submissions'])} submissions to score)")
            port, master = stack.enter_context(gunicorn(url, scratch, args.workers, args.threads, expect=workers,
                                                             options=tuple(args.server_option)))
            load = Load(port, data, args.seconds)
            kind = f"gthread, {threads} threads each" if threads > 1 else "sync"
            print(f"gunicorn: {workers} workers, {kind} ({config}); {os.cpu_count()} cores shared by client and "
                  f"server; {args.seconds:.0f} s per run")
            if not rates:
                mode = f"think time exponential, mean {args.think:g} s" if args.think else "no think time"
                measured(load, master, f"{label}, {args.clients} clients, {mode}",
                         lambda: load.run(args.clients, args.think), scratch / "access.log")
            for rate in rates:
                measured(load, master, f"{label}, open loop: {rate:g} arrivals/s (Poisson), pool of {args.clients} "
                                       "clients, latency from arrival",
                         lambda rate=rate: load.run_open(rate, args.clients), scratch / "access.log")
            if "Traceback" in (tracebacks := server_errors(scratch)):
                print("\nserver tracebacks (gunicorn.log):\n" + tracebacks)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
