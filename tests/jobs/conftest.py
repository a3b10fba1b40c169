"""Fixtures for the job runner tests: a private redis-server, and real
`flask --app service jobs-worker` processes configured like the test app."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.redis_server import redis_server, require_redis_server

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3


@pytest.fixture
def redis_url(tmp_path):
    require_redis_server()
    with redis_server(tmp_path / "redis") as url:
        yield url


def _sqlite_wal(app):
    """Put a SQLite test database in WAL mode (it persists in the file, so the
    workers use it too). In the default rollback-journal mode a batch's writer
    holds an exclusive lock for most of the batch, and readers (the progress
    API) miss the short gaps between batches; production on SQLite with
    separate workers needs WAL for the same reason."""
    from service.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode=WAL").scalar() == "wal"


class Workers:
    """Starts RQ worker processes with the test app's settings in their environment."""

    def __init__(self, env: dict, log_dir: Path):
        self.env, self.log_dir, self.procs = env, log_dir, []

    def start(self, sweep_seconds: int = 1) -> subprocess.Popen:
        log = open(self.log_dir / f"worker-{len(self.procs)}.log", "wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "service", "jobs-worker", "--sweep-seconds", str(sweep_seconds)],
            env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        proc.log_path = log.name
        log.close()
        self.procs.append(proc)
        return proc

    @staticmethod
    def children(pid: int) -> list[int]:
        """Processes whose parent is `pid` (RQ's work horses), from /proc."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                # "pid (comm) state ppid ...": comm may hold spaces, so split after ')'.
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
        return found

    @staticmethod
    def log_tail(proc) -> str:
        return Path(proc.log_path).read_text(errors="replace")[-3000:]

    def stop_all(self):
        for proc in self.procs:
            horses = self.children(proc.pid) if proc.poll() is None else []
            for pid in [proc.pid, *horses]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            proc.wait()


@pytest.fixture
def rq_workers(app, app_config, tmp_path):
    """Depends on `app` so that workers stop before the app's teardown empties the database."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INSTANCE_PATH": str(tmp_path / "worker-instance"),
           "JOB_LEASE_SECONDS": str(LEASE_SECONDS)}
    for key in ("SERVICE_ENV", "DATABASE_URL", "STORAGE_URL", "PUBLIC_BASE_URL", "PASSWORD_HASH_PROFILE",
                "SECRET_KEY", "JOB_QUEUE_URL"):
        env[key] = str(app_config[key])
    _sqlite_wal(app)
    workers = Workers(env, tmp_path)
    try:
        yield workers
    finally:
        workers.stop_all()

