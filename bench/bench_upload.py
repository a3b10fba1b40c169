"""Upload throughput and server memory: a big file through the real HTTP API.

    .venv/bin/python bench/bench_upload.py [--size-mib 1024] [--server gunicorn|werkzeug] [--repeat 3]

Starts the app under gunicorn (one sync worker, the production gunicorn.conf.py)
or werkzeug's threaded server, in a subprocess on
127.0.0.1 with local blob storage and SQLite in a scratch folder on the same
disk, uploads a generated MP4 of --size-mib MiB with a streaming client
(http.client, Content-Length, 1 MiB blocks), and compares with a plain copy
of the same file on the same disk (read + write + fsync, as the store does),
interleaved: copy, upload, copy, upload, ... copy. Ratios compare medians.

Prints throughput, the ratio to the plain copy (target >= 0.80) and the
worker's peak RSS growth during the upload (VmHWM, target <= 64 MiB).
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MiB = 1024 * 1024
PASSWORD = "bench password 2026"


def make_mp4(path: Path, size: int) -> str:
    """A structurally valid MP4 (ftyp, moov, one big mdat) of exactly `size` bytes; returns its sha256."""
    ftyp = struct.pack(">I4s4sI4s4s", 24, b"ftyp", b"isom", 0x200, b"isom", b"mp41")
    moov = struct.pack(">I4s", 8 + 8 + 100, b"moov") + struct.pack(">I4s", 108, b"mvhd") + b"\x00" * 100
    header = 16  # 64-bit mdat size: works for any --size-mib
    payload = size - len(ftyp) - len(moov) - header
    if payload < 0:
        raise SystemExit("--size-mib is too small")
    block = bytearray(os.urandom(MiB))
    h = hashlib.sha256()
    with open(path, "wb") as f:
        for part in (ftyp, struct.pack(">I4sQ", 1, b"mdat", payload + header)):
            f.write(part)
            h.update(part)
        left, n = payload, 0
        while left:
            block[:8] = n.to_bytes(8, "big")  # every MiB differs
            chunk = memoryview(block)[:min(MiB, left)]
            f.write(chunk)
            h.update(chunk)
            left -= len(chunk)
            n += 1
        f.write(moov)
        h.update(moov)
    return h.hexdigest()


def settle() -> None:
    """Start each timed run with no dirty pages of an earlier one being written back."""
    os.sync()
    time.sleep(1)


def plain_copy(src: Path, dst: Path) -> float:
    settle()
    start = time.perf_counter()
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while chunk := fin.read(MiB):
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    elapsed = time.perf_counter() - start
    dst.unlink()
    return elapsed


def setup_database(env: dict) -> str:
    """Migrate, then add one student and return a bearer token (through the real models)."""
    subprocess.run([sys.executable, "-m", "flask", "--app", "service", "db", "upgrade"], env=env, check=True,
                   cwd=ROOT, capture_output=True)
    script = f"""
import json
from service import create_app
from service.auth.passwords import hash_password
from service.auth.tokens import issue_token
from service.extensions import db
from service.models import Organization, Person
app = create_app()
with app.app_context():
    org = Organization(slug="bench", name="Bench School", kind="school")
    db.session.add(org); db.session.flush()
    student = Person(organization_id=org.id, role="student", email="bench@example.test", display_name="Bench",
                     password_hash=hash_password({PASSWORD!r}))
    db.session.add(student); db.session.flush()
    _, secret = issue_token(student, name="bench", scopes=["read", "write"], days=1)
    db.session.commit()
    print(json.dumps({{"token": secret}}))
"""
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=ROOT, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["token"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server not ready")


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if len(children) != 1:
        raise SystemExit(f"expected one gunicorn worker, found {children}")
    return int(children[0])


def vm_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def upload(port: int, token: str, path: Path, filename: str) -> tuple[float, dict]:
    settle()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600, blocksize=MiB)
    start = time.perf_counter()
    with open(path, "rb") as body:
        conn.request("POST", f"/api/v1/artifacts/files?filename={filename}&title=bench", body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream",
            "Content-Length": str(path.stat().st_size)})
        response = conn.getresponse()
        data = json.loads(response.read())
    elapsed = time.perf_counter() - start
    if response.status != 201:
        raise SystemExit(f"upload failed: {response.status} {data}")
    return elapsed, data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--server", choices=["gunicorn", "werkzeug"], default="gunicorn",
                        help="gunicorn (as in the Dockerfile, with gunicorn.conf.py) or werkzeug's threaded server")
    parser.add_argument("--repeat", type=int, default=3, help="uploads to time, each between two plain copies")
    parser.add_argument("--workdir", default=None, help="scratch folder (default: a temp folder in the repo)")
    args = parser.parse_args()
    size = args.size_mib * MiB
    work = Path(tempfile.mkdtemp(prefix=".bench-upload-", dir=args.workdir or ROOT))
    server = None
    try:
        source = work / "video.mp4"
        digest = make_mp4(source, size)
        env = {**os.environ, "INSTANCE_PATH": str(work / "instance"), "DATABASE_URL": f"sqlite:///{work}/db.sqlite",
               "STORAGE_URL": str(work / "instance" / "blobs"), "MAX_UPLOAD_BYTES": str(size + MiB),
               "PASSWORD_HASH_PROFILE": "fast", "SERVICE_ENV": "development", "PYTHONPATH": str(ROOT)}
        token = setup_database(env)
        port = free_port()
        if args.server == "gunicorn":
            command = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
                       "--workers", "1", "--threads", "1",  # one sync worker, as in earlier figures
                       "--timeout", "3600", "--bind", f"127.0.0.1:{port}", "service:create_app()"]
        else:  # werkzeug's threaded WSGI server, no reloader: the process itself serves
            command = [sys.executable, "-c", "from werkzeug.serving import run_simple; from service import "
                       f"create_app; run_simple('127.0.0.1', {port}, create_app(), threaded=True)"]
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_ready(port, server)
        worker = worker_pid(server.pid) if args.server == "gunicorn" else server.pid
        # Warm up: the first upload imports and caches everything a request needs.
        warm = work / "warm.mp4"
        make_mp4(warm, 2 * MiB)
        upload(port, token, warm, "warm.mp4")
        hwm_before, rss_before = vm_kib(worker, "VmHWM"), vm_kib(worker, "VmRSS")

        # Interleave copies and uploads, and compare medians: this machine's disk
        # and page allocation vary by a factor of three from one second to the next.
        copies, uploads = [], []
        for _ in range(args.repeat):
            copies.append(plain_copy(source, work / "copy.bin"))
            elapsed, result = upload(port, token, source, "video.mp4")
            uploads.append(elapsed)
            stored = result["versions"][0]
            assert stored["sha256"] == digest and stored["size"] == size, "stored bytes differ from the source"
        copies.append(plain_copy(source, work / "copy.bin"))
        hwm_after = vm_kib(worker, "VmHWM")

        copy_time, elapsed = statistics.median(copies), statistics.median(uploads)
        growth_mib = (hwm_after - max(hwm_before, rss_before)) / 1024
        mib = size / MiB
        ratio = copy_time / elapsed
        print(f"server:               {args.server}, one process, local storage and SQLite under {work.parent}")
        print(f"file:                 {mib:.0f} MiB MP4 (sha256 {digest[:16]}...), stored and verified")
        print(f"upload via HTTP API:  {elapsed:.2f} s  = {mib / elapsed:.0f} MiB/s "
              f"(median of {', '.join(f'{t:.2f}' for t in uploads)} s)")
        print(f"plain copy (+fsync):  {copy_time:.2f} s  = {mib / copy_time:.0f} MiB/s "
              f"(median of {', '.join(f'{t:.2f}' for t in copies)} s, interleaved with the uploads)")
        print(f"throughput ratio:     {ratio:.2f} of plain copy  (target >= 0.80: {'PASS' if ratio >= 0.8 else 'FAIL'})")
        print(f"worker peak RSS:      {hwm_before / 1024:.1f} MiB before, {hwm_after / 1024:.1f} MiB after; "
              f"growth {growth_mib:.1f} MiB  (target <= 64: {'PASS' if growth_mib <= 64 else 'FAIL'})")
        return 0 if ratio >= 0.8 and growth_mib <= 64 else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
