"""A real, private redis-server for tests (Debian's `redis-server` binary).

Each use starts its own server on a free 127.0.0.1 port, with its files in a
temporary directory and persistence off, and stops it afterwards; no system
service is used or touched.

    with redis_server(tmp_path) as url:   # "redis://127.0.0.1:PORT/0"
        ...

`require_redis_server()` skips the calling test, with the reason, when the
binary is absent (`sh .ci/system-deps` installs it).
"""
from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

from tests.support.processes import free_port, stop

__all__ = ["redis_server", "require_redis_server", "redis_server_binary"]


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")


def require_redis_server() -> str:
    import pytest

    binary = redis_server_binary()
    if binary is None:
        pytest.skip("the redis-server binary is not installed (apt-get install redis-server; .ci/system-deps)")
    return binary



def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def redis_server(directory: Path, *, timeout: float = 10.0) -> Iterator[str]:
    """Start redis-server with its files in `directory`; yield its URL (db 0)."""
    binary = redis_server_binary()
    if binary is None:
        raise RuntimeError("redis-server is not installed")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for _attempt in range(5):  # the free port may be taken between probe and bind
        port = free_port()
        log = directory / f"redis-{port}.log"
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory), "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--logfile", str(log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None and not _ping(port):
            time.sleep(0.05)
        if proc.poll() is None and _ping(port):
            break
        proc.kill()
        proc.wait()
    else:
        raise RuntimeError(f"redis-server did not start; see {directory}")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(proc)
