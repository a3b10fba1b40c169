"""Mixed load through gunicorn: many concurrent clients, one machine, loopback only.

    .venv/bin/python bench/bench_load.py [--clients 200] [--seconds 60] [--workers 5]
                                         [--database-url postgresql://...]

Builds a school in a scratch folder (SQLite, or a fresh database on the
PostgreSQL server of --database-url / DATABASE_URL, dropped afterwards): the
demo school plus --students students, each with an issued badge and scored
work waiting, and bearer tokens. Then serves it with gunicorn (the production
gunicorn.conf.py, sync workers) on 127.0.0.1 and drives it with --clients
threads for --seconds seconds of mixed traffic:

    public pages  GET /badges/<id>, /credentials/<id>, /issuers/<slug>, /.well-known/jwks.json
    verify        POST /api/v1/verify with an issued credential (Data Integrity proof, status list)
    uploads       POST /api/v1/artifacts/files, 32 KiB text, as students
    scoring       POST /api/v1/submissions/<id>/scores, as the teacher (mastery, auto-issuance)

Prints requests/s, p50/p99 latency per kind and overall, and errors (5xx,
connection failures and timeouts; expected 4xx are counted apart). Bounded:
at most 1,000 clients and 600 s, and the server only ever listens on 127.0.0.1.
The client runs on the same cores as the server, so figures are for comparing
runs on one machine, not capacity planning.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
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
from procstat import StateSampler, workers_cpu_seconds  # noqa: E402

HOST = "127.0.0.1"  # loopback only, always
MAX_CLIENTS, MAX_SECONDS = 1000, 600
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
def gunicorn(url: str, scratch: Path, workers: int, threads: int = 1):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "STORAGE_URL": str(scratch / "blobs"), "SERVICE_ENV": "development",
           "PUBLIC_BASE_URL": f"http://{HOST}", "PASSWORD_HASH_PROFILE": "fast",
           "INSTANCE_PATH": str(scratch / "instance"), "PYTHONPATH": str(ROOT)}
    log = open(scratch / "gunicorn.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
                             "--workers", str(workers), "--threads", str(threads), "--bind", f"{HOST}:{port}",
                             "--backlog", "2048",
                             "service:create_app()"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {scratch / 'gunicorn.log'}")
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
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
    def __init__(self, port: int, data: dict, seconds: float):
        self.port, self.data, self.seconds = port, data, seconds
        self.results: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.client_errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []
        self.lock = threading.Lock()
        self.submissions = list(data["submissions"])
        random.Random(7).shuffle(self.submissions)
        self.upload_body = (b"A reflection on my lab report. " * 1100)[:32 * 1024]

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
                self.upload_body, {"Content-Type": "application/octet-stream", "Authorization": f"Bearer {token}"}
        with self.lock:
            submission = self.submissions.pop() if self.submissions else None
        auth = {"Authorization": f"Bearer {data['teacher_token']}"}
        if submission is None:  # all scored: read the review queue instead
            return kind, "GET", "/api/v1/submissions?status=submitted", None, auth
        body = json.dumps({"scores": data["scores"]}).encode()
        return kind, "POST", f"/api/v1/submissions/{submission}/scores", body, {**auth,
                                                                                 "Content-Type": "application/json"}

    def client(self, seed: int, stop_at: float) -> None:
        rng = random.Random(seed)
        conn = None
        while time.monotonic() < stop_at:
            kind, method, path, body, headers = self.request(rng)
            start = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as exc:
                status = f"{type(exc).__name__}"
                if conn is not None:
                    conn.close()
                conn = None
            elapsed = time.perf_counter() - start
            with self.lock:
                self.results[kind].append(elapsed)
                if not isinstance(status, int) or status >= 500:
                    self.errors[kind] += 1
                    if len(self.error_samples) < 5:
                        self.error_samples.append(f"{method} {path} -> {status}")
                elif status >= 400:
                    self.client_errors[f"{kind} {status}"] += 1

    def run(self, clients: int) -> float:
        stop_at = time.monotonic() + self.seconds
        threads = [threading.Thread(target=self.client, args=(n, stop_at), daemon=True) for n in range(clients)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=self.seconds + 120)
        return time.perf_counter() - start


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]


def report(load: Load, elapsed: float, label: str) -> None:
    every = [v for values in load.results.values() for v in values]
    errors = sum(load.errors.values())
    print(f"\n{label}: {len(every)} requests in {elapsed:.1f} s = {len(every) / elapsed:.1f} req/s; "
          f"p50 {quantile(every, .5) * 1000:.0f} ms, p99 {quantile(every, .99) * 1000:.0f} ms; errors {errors}")
    print(f"{'kind':8} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for kind in MIX:
        values = load.results.get(kind, [])
        print(f"{kind:8} {len(values):9d} {len(values) / elapsed:7.1f} {quantile(values, .5) * 1000:8.0f} "
              f"{quantile(values, .99) * 1000:8.0f} {load.errors.get(kind, 0):7d}")
    if load.client_errors:
        print("4xx answers (not errors):", dict(sorted(load.client_errors.items())))
    for sample in load.error_samples:
        print("  error:", sample)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn --threads (above 1: gthread workers)")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--submissions-each", type=int, default=25)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="a PostgreSQL server URL (a fresh database is created on it); default SQLite")
    args = parser.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS or not 1 <= args.seconds <= MAX_SECONDS:
        raise SystemExit(f"--clients must be 1..{MAX_CLIENTS} and --seconds 1..{MAX_SECONDS}")
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
            port, master = stack.enter_context(gunicorn(url, scratch, args.workers, args.threads))
            load = Load(port, data, args.seconds)
            kind = f"{args.threads} threads each" if args.threads > 1 else "sync"
            print(f"driving gunicorn ({args.workers} workers, {kind}) with {args.clients} clients for "
                  f"{args.seconds:.0f} s on {os.cpu_count()} cores (client and server share them); "
                  f"load average {os.getloadavg()[0]:.1f}...")
            server_before, client_before = workers_cpu_seconds(master), time.process_time()
            with StateSampler(master) as states:
                elapsed = load.run(args.clients)
            server_cpu, client_cpu = workers_cpu_seconds(master) - server_before, time.process_time() - client_before
            report(load, elapsed, f"{label}, {args.clients} clients")
            served = max(1, sum(len(v) for v in load.results.values()))
            # Throughput is bounded by (cores given to us) / (server + client CPU per request).
            print(f"CPU per request: server workers {server_cpu * 1000 / served:.1f} ms, this client "
                  f"{client_cpu * 1000 / served:.1f} ms; the workers used {server_cpu / elapsed:.2f} of "
                  f"{os.cpu_count()} cores, the client {client_cpu / elapsed:.2f}")
            print("worker states sampled: " + ", ".join(f"{state} {share:.0%}" for state, share in states.shares().items())
                  + " (R: running or waiting for a core; S: waiting for the client, the database or a lock)")
            print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
