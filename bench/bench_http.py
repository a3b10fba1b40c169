"""The service against a bare Flask app under the same gunicorn, in one run.

    .venv/bin/python bench/school.py --students 2000 --out /tmp/school2000     # once (a few minutes)
    .venv/bin/python bench/bench_http.py --school /tmp/school2000 [--seconds 10] [--connections 64]

Starts two gunicorn servers with the same command line (gunicorn.conf.py,
`--workers 2`, sync workers, as in production on this 2-core machine): the
service on the school's database and bench/bare_app.py. Then, with wrk (same
host, 2 threads), alternates bare and service for each case:

- verify:      POST /api/v1/verify, a did:key Data Integrity credential (the same one each time)
- verify-new:  the same with a different credential each request (6,000 in turn, so the
               per-process check cache never hits: the cost of a first verification)
- verify-ours: POST /api/v1/verify, one of the school's awards (did:web issuer, status list)
- me:          GET /api/v1/me with a bearer token (read scope)
- healthz:     GET /healthz (anonymous, no database)
- 404:         GET of an unknown /api/v1 path (anonymous; problem+json answer; the bare app answers 200)
- page:        GET /home with a session cookie
- heatmap:     GET /assessment/sections/<id> (a 30-student section), teacher's session,
               at --connections and at 16 connections

Prints requests/s, the service/bare ratio and p99 latency. Targets (issue 15):
verify and token reads >= 0.5x bare with p99 < 50 ms at 64 connections;
heatmap p99 < 100 ms at 16 clients. Needs `wrk` (apt-get install wrk).
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.processes import free_port  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from procstat import workers_cpu_seconds  # noqa: E402


def start_gunicorn(app: str, port: int, env: dict, workers: int, log: Path, source: Path,
                   threads: int = 1) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "--config", str(source / "gunicorn.conf.py"), "--bind",
           f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads), "--log-level", "warning", app]
    return subprocess.Popen(cmd, cwd=source, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def cpu_seconds(master: subprocess.Popen) -> float:
    return workers_cpu_seconds(master.pid)


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not start")


def wrk(url: str, *, seconds: int, connections: int, headers: dict, body: str | None, workdir: Path) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    if isinstance(body, list):  # a different body per request, in turn (each wrk thread from its own offset)
        lines = workdir / "bodies.txt"
        lines.write_text("\n".join(body) + "\n")
        script = workdir / "post_each.lua"
        script.write_text(f'''bodies = {{}}
for line in io.lines("{lines}") do bodies[#bodies + 1] = line end
local started = 0
function setup(thread) thread:set("offset", started * math.floor(#bodies / 2)); started = started + 1 end
counter = 0
function request()
  counter = counter + 1
  return wrk.format("POST", nil, {{["Content-Type"] = "application/json"}}, bodies[(counter + offset) % #bodies + 1])
end
''')
        cmd += ["-s", str(script)]
    elif body is not None:
        script = workdir / "post.lua"
        script.write_text(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
                          'wrk.headers["Content-Type"] = "application/json"\n')
        cmd += ["-s", str(script)]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rate": rate, "p99": p99, "requests": requests, "non2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def login_cookie(base: str, email: str, password: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/login", timeout=30).read().decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    fields = {"email": email, "password": password, **({"csrf_token": csrf.group(1)} if csrf else {})}
    data = urllib.parse.urlencode(fields).encode()
    opener.open(f"{base}/login", data=data, timeout=30).read()
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "session" not in cookies:
        raise SystemExit(f"login as {email} failed")
    return cookies


def post_json(url: str, body: dict, headers: dict | None = None) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", **(headers or {})})
    return json.loads(urllib.request.urlopen(req, timeout=30).read())


def did_key_credential(n: int = 0, key=None) -> dict:
    from openbadges import data_integrity, did, keys

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_verify import credential

    key = key or keys.generate("EdDSA")
    issuer = did.did_key(key.public_key)
    return data_integrity.sign(credential(issuer, n), key, f"{issuer}#{key.public_key.multikey}")


DISTINCT = 6000  # more than service/badges/check_cache.MAX_ENTRIES per worker: every request a miss


def distinct_bodies() -> list[str]:
    """DISTINCT different did:key credentials (one key), as request bodies."""
    from openbadges import keys

    key = keys.generate("EdDSA")
    return [json.dumps({"credential": did_key_credential(n, key)}) for n in range(DISTINCT)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--school", required=True, help="folder written by bench/school.py")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn --threads (above 1: gthread workers)")
    parser.add_argument("--only", help="comma-separated cases to run")
    parser.add_argument("--source", type=Path, default=ROOT,
                        help="serve the service from this source tree (e.g. `git archive main` unpacked, "
                             "for before/after figures); default: this checkout")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    school = json.loads((Path(args.school) / "school.json").read_text())
    work = Path(tempfile.mkdtemp(prefix="bench-http-"))
    env = {**os.environ, "DATABASE_URL": school["database_url"], "STORAGE_URL": school["storage_url"],
           "SERVICE_ENV": "development", "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
           "PASSWORD_HASH_PROFILE": "fast", "INSTANCE_PATH": str(Path(args.school) / "instance"),
           "PYTHONPATH": f"{args.source.resolve()}:{ROOT / 'bench'}"}
    service_port, bare_port = free_port(), free_port()
    source = args.source.resolve()
    servers = [start_gunicorn("service:create_app()", service_port, env, args.workers, work / "service.log", source,
                              args.threads),
               start_gunicorn("bare_app:create_app()", bare_port, env, args.workers, work / "bare.log", source,
                              args.threads)]
    try:
        service, bare = f"http://127.0.0.1:{service_port}", f"http://127.0.0.1:{bare_port}"
        wait_up(f"{service}/healthz")
        wait_up(f"{bare}/healthz")
        token = post_json(f"{service}/api/v1/tokens", {"email": school["teacher_email"], "password": school["password"],
                                                       "name": "bench", "scopes": ["read"],
                                                       "expires_in_days": 1})["token"]
        teacher = login_cookie(service, school["teacher_email"], school["password"])
        ours = _one_award(school)
        foreign = did_key_credential()
        for name, cred in (("did:key", foreign), ("ours", ours)):
            report = post_json(f"{service}/api/v1/verify", {"credential": cred})
            if not report["verified"]:
                raise SystemExit(f"{name} credential does not verify: {report['checks']}")
        heatmap = f"/assessment/sections/{school['section_id']}"
        cases = [
            ("verify", "/api/v1/verify", {}, json.dumps({"credential": foreign}), args.connections),
            ("verify-new", "/api/v1/verify", {}, "distinct", args.connections),
            ("verify-ours", "/api/v1/verify", {}, json.dumps({"credential": ours}), args.connections),
            ("me", "/api/v1/me", {"Authorization": f"Bearer {token}"}, None, args.connections),
            ("healthz", "/healthz", {}, None, args.connections),
            ("404", "/api/v1/no-such-thing", {}, None, args.connections),
            ("page", "/home", {"Cookie": teacher}, None, args.connections),
            ("heatmap", heatmap, {"Cookie": teacher}, None, args.connections),
            ("heatmap@16", heatmap, {"Cookie": teacher}, None, 16),
        ]
        only = set(args.only.split(",")) if args.only else None
        print(f"school: {school['students']} students, {school['criterion_scores']} criterion scores, "
              f"{school['awards']} awards; {school['database_url'].split(':')[0]}; gunicorn --workers {args.workers} "
              f"--threads {args.threads}; wrk -t2 -d{args.seconds}s; load average {os.getloadavg()[0]:.1f}")
        print(f"{'case':<12} {'conns':>5} {'service r/s':>12} {'bare r/s':>10} {'ratio':>7} "
              f"{'p99 service':>12} {'p99 bare':>9} {'CPU ms/req':>11} {'bare':>5}  errors")
        for name, path, headers, body, conns in cases:
            if only and name not in only:
                continue
            if body == "distinct":
                body = distinct_bodies()
            # Worker CPU per request: what a request costs, whatever share of the cores the workers got.
            before = cpu_seconds(servers[1])
            b = wrk(bare + path, seconds=args.seconds, connections=conns, headers=headers, body=body, workdir=work)
            b_cpu = (cpu_seconds(servers[1]) - before) * 1000 / max(1, b["requests"])
            before = cpu_seconds(servers[0])
            s = wrk(service + path, seconds=args.seconds, connections=conns, headers=headers, body=body, workdir=work)
            s_cpu = (cpu_seconds(servers[0]) - before) * 1000 / max(1, s["requests"])
            errors = f"{s['non2xx']} non-2xx {s['socket_errors']}".strip()
            print(f"{name:<12} {conns:>5} {s['rate']:>12.0f} {b['rate']:>10.0f} {s['rate'] / b['rate']:>6.2f}x "
                  f"{s['p99']:>10.1f}ms {b['p99']:>7.1f}ms {s_cpu:>11.2f} {b_cpu:>5.2f}  {errors}", flush=True)
    finally:
        for proc in servers:
            proc.terminate()
        for proc in servers:
            proc.wait(timeout=30)
    return 0


def _one_award(school: dict) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(school["database_url"])
    with engine.connect() as conn:
        value = conn.execute(text("SELECT credential FROM awards WHERE status = 'issued' "
                                  "ORDER BY id LIMIT 1")).scalar_one()
    engine.dispose()
    return value if isinstance(value, dict) else json.loads(value)


if __name__ == "__main__":
    raise SystemExit(main())
