"""CPU per light request inside the WSGI app, against the bare Flask app, in one run.

    .venv/bin/python bench/bench_request.py --school /tmp/speed-school2000 [--source TREE] [--profile me]

Calls each app as gunicorn does (`app(environ, start_response)`, a prebuilt
environ, no HTTP and no test client), so it measures only what the service
adds per request: hooks, identity, the view, error and JSON plumbing. The best
of several rounds is printed (the machine is shared; the minimum is what the
code costs). gunicorn and the kernel add about 0.15 ms per request to both apps
on this VM, so for bench_http.py's 0.5x target a light request must stay
within about 2x bare + 0.15 ms here. `--profile CASE` prints cProfile's top
functions for one case.

Cases: me (GET /api/v1/me, bearer token), me-session (the same with a session
cookie), healthz, 404 (anonymous), 404-token, login (the anonymous sign-in
page), home (the teacher's /home), the public pages of bench_load.py's mix
(badge, credential, issuer, jwks), bare (bench/bare_app.py).
"""
from __future__ import annotations

import argparse
import gc
import io
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--school", required=True, help="folder written by bench/school.py (its database is read, "
                                                        "and one API token and one sign-in are added)")
    parser.add_argument("--source", type=Path, default=ROOT, help="the service's source tree (default: this one)")
    parser.add_argument("-n", type=int, default=1000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", help="comma-separated cases")
    parser.add_argument("--profile", help="cProfile one case")
    args = parser.parse_args()
    school = json.loads((Path(args.school) / "school.json").read_text())
    os.environ.update(DATABASE_URL=school["database_url"], STORAGE_URL=school["storage_url"],
                      SERVICE_ENV="development", PUBLIC_BASE_URL="http://127.0.0.1:8000", PASSWORD_HASH_PROFILE="fast",
                      INSTANCE_PATH=str(Path(args.school) / "instance"))
    sys.path[:0] = [str(args.source.resolve()), str(ROOT / "bench")]
    import bare_app
    from service import create_app

    service, bare = create_app(), bare_app.create_app()
    token, cookie = _credentials(service, school)
    award = _an_award(service)
    gc.collect()
    gc.freeze()  # as gunicorn.conf.py does in each worker
    cases = {
        "me": (service, "/api/v1/me", {"HTTP_AUTHORIZATION": f"Bearer {token}"}),
        "me-session": (service, "/api/v1/me", {"HTTP_COOKIE": cookie}),
        "healthz": (service, "/healthz", {}),
        "404": (service, "/api/v1/no-such-thing", {}),
        "404-token": (service, "/api/v1/no-such-thing", {"HTTP_AUTHORIZATION": f"Bearer {token}"}),
        "login": (service, "/login", {}),
        "home": (service, "/home", {"HTTP_COOKIE": cookie}),
        # The public pages of bench_load.py's mix, as it asks for them.
        "badge": (service, f"/badges/{award}", {"HTTP_ACCEPT": "text/html"}),
        "credential": (service, f"/credentials/{award}", {"HTTP_ACCEPT": "application/json"}),
        "issuer": (service, f"/issuers/{school['slug']}", {"HTTP_ACCEPT": "application/json"}),
        "jwks": (service, "/.well-known/jwks.json", {"HTTP_ACCEPT": "application/json"}),
        "bare": (bare, "/api/v1/me", {}),
    }
    only = args.only.split(",") if args.only else list(cases)
    print(f"load average {os.getloadavg()[0]:.1f}; best of {args.rounds} rounds of {args.n}")
    for name in only:
        app, path, headers = cases[name]
        status = _call(app, path, headers)
        for _ in range(200):
            _call(app, path, headers)
        best = float("inf")
        for _ in range(args.rounds):
            environs = [_environ(path, headers) for _ in range(args.n)]
            started = time.process_time()
            for environ in environs:
                b"".join(app(environ, _start_response))
            best = min(best, (time.process_time() - started) / args.n)
        print(f"{name:<11} {best * 1e6:7.0f} us CPU/request  ({status})", flush=True)
    if args.profile:
        import cProfile
        import pstats

        app, path, headers = cases[args.profile]
        environs = [_environ(path, headers) for _ in range(args.n)]
        profiler = cProfile.Profile()
        profiler.enable()
        for environ in environs:
            b"".join(app(environ, _start_response))
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(50)
    return 0


def _credentials(app, school: dict) -> tuple[str, str]:
    """A read-scoped API token and a signed-in session cookie for the school's teacher."""
    from service.auth.tokens import issue_token
    from service.extensions import db
    from service.models import Person

    with app.app_context():
        teacher = db.session.scalar(db.select(Person).where(Person.email == school["teacher_email"]))
        _, token = issue_token(teacher, name="bench_request", scopes=["read"], days=1)
        db.session.commit()
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        csrf = session.get("csrf")
    client.post("/login", data={"email": school["teacher_email"], "password": school["password"], "csrf_token": csrf})
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    if cookie is None:
        raise SystemExit("sign-in failed")
    return token, f"{cookie.key}={cookie.value}"


def _an_award(app) -> str:
    """An issued award whose credential anyone may fetch (no hidden evidence), else any issued one."""
    from service.badges.models import Award
    from service.extensions import db

    with app.app_context():
        awards = db.session.scalars(db.select(Award).where(Award.status == "issued").limit(50)).all()
        chosen = next((a for a in awards if not a.evidence), awards[0])
        return str(chosen.id)


def _environ(path: str, headers: dict) -> dict:
    return {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
            "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
            "wsgi.input_terminated": True, "HTTP_HOST": "127.0.0.1:8000", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": "bench", "HTTP_ACCEPT": "*/*", **headers}


_statuses: list = []


def _start_response(status, headers, exc_info=None):
    _statuses.append(status)


def _call(app, path: str, headers: dict) -> str:
    b"".join(app(_environ(path, headers), _start_response))
    return _statuses[-1]


if __name__ == "__main__":
    raise SystemExit(main())
