"""CPU per POST /api/v1/verify in-process (Flask's test client), optionally profiled.

    .venv/bin/python bench/profile_verify.py --school /tmp/school2000 [--case key|new|ours] [-n 2000] [--profile]
    .venv/bin/python bench/profile_verify.py --school ... --source /tmp/main   # another tree, same minute

Cases as in bench_http.py: `key` the same did:key credential each request, `new` a different one
each request (the per-process check cache never hits), `ours` one of the school's awards. Prints
CPU milliseconds per request (time.process_time after 50 warm-up requests); --profile adds cProfile's
top functions. Load hardly moves CPU per request, so A/B runs on a shared machine stay comparable.
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

BENCH = Path(__file__).resolve().parent
WARMUP = 50


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--school", required=True, help="folder written by bench/school.py")
    parser.add_argument("--case", choices=("key", "new", "ours"), default="key")
    parser.add_argument("-n", type=int, default=2000, help="requests measured")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime...)")
    parser.add_argument("--top", type=int, default=40, help="functions printed")
    parser.add_argument("--source", type=Path, default=BENCH.parent, help="the service's source tree")
    args = parser.parse_args()
    sys.path[:0] = [str(args.source.resolve()), str(BENCH)]
    school = json.loads((Path(args.school) / "school.json").read_text())
    os.environ.update({"DATABASE_URL": school["database_url"], "STORAGE_URL": school["storage_url"],
                       "SERVICE_ENV": "development", "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
                       "PASSWORD_HASH_PROFILE": "fast", "INSTANCE_PATH": str(Path(args.school) / "instance")})
    from service import create_app  # first: bench_http puts this checkout on sys.path too

    import bench_http  # this folder's: the same credentials as the HTTP bench

    app = create_app()
    if args.case == "new":
        from openbadges import keys

        key = keys.generate("EdDSA")
        bodies = [json.dumps({"credential": bench_http.did_key_credential(n, key)}) for n in range(args.n + WARMUP)]
    else:
        credential = bench_http.did_key_credential() if args.case == "key" else bench_http._one_award(school)
        bodies = [json.dumps({"credential": credential})] * (args.n + WARMUP)
    client = app.test_client()

    def post(body: str) -> None:
        response = client.post("/api/v1/verify", data=body, content_type="application/json",
                               base_url="http://127.0.0.1:8000")
        if response.status_code != 200 or not response.json["verified"]:
            raise SystemExit(f"verification failed: {response.status_code} {response.get_data(as_text=True)[:500]}")

    for body in bodies[:WARMUP]:
        post(body)
    profiler = cProfile.Profile() if args.profile else None
    start = time.process_time()
    if profiler:
        profiler.enable()
    for body in bodies[WARMUP:]:
        post(body)
    if profiler:
        profiler.disable()
    cpu = (time.process_time() - start) * 1000 / args.n
    print(f"{args.case}: {cpu:.3f} ms CPU per request ({args.n} requests, {args.source}; "
          f"load average {os.getloadavg()[0]:.1f}){' (profiled)' if profiler else ''}")
    if profiler:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
