"""A real S3-compatible HTTP endpoint for tests: moto's standalone server.

The server runs as a separate process (moto's server) on a free 127.0.0.1
port, so boto3 speaks real HTTP to it and the server's memory use does not
pollute tracemalloc measurements taken in the test process.

    with moto_s3_server() as endpoint_url:
        boto3.client("s3", endpoint_url=endpoint_url).create_bucket(Bucket="b")

Its clock can be set back (`set_clock_offset`): objects written meanwhile get a
LastModified that many seconds in the past, so a test of age-based cleanup needs
no wall-clock wait for S3's one-second timestamps.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Iterator

from tests.support.processes import free_port, stop

__all__ = ["DUMMY_CREDENTIALS", "moto_s3_server", "free_port", "set_clock_offset"]

# moto's S3 stamps objects with moto.s3.models.utcnow(); this shifts it by the
# seconds written in the file named by MOTO_CLOCK_OFFSET_FILE (read on every call).
_BOOT = """
import datetime, os, sys
import moto.s3.models as s3_models
from moto.server import main

_real = s3_models.utcnow
_offset_file = os.environ["MOTO_CLOCK_OFFSET_FILE"]

def _shifted():
    try:
        with open(_offset_file) as f:
            offset = float(f.read() or 0)
    except OSError:
        offset = 0.0
    return _real() + datetime.timedelta(seconds=offset)

s3_models.utcnow = _shifted
main(sys.argv[1:])
"""
_CLOCK_FILES: dict[str, str] = {}


def set_clock_offset(endpoint_url: str, seconds: float) -> None:
    """From now on the server at ``endpoint_url`` stamps new objects ``seconds`` from real time."""
    path = _CLOCK_FILES[endpoint_url]
    with open(path + ".new", "w") as f:
        f.write(repr(float(seconds)))
    os.replace(path + ".new", path)  # the server never reads half a number

# boto3 reads these through its normal credential chain; moto accepts anything.
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}



def _wait_ready(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto server exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto server at {url} not ready after {timeout}s")


@contextlib.contextmanager
def moto_s3_server(timeout: float = 30.0) -> Iterator[str]:
    """Start moto's server, set dummy AWS credentials, yield the endpoint URL.

    The environment is restored and the process stopped on exit.
    """
    saved = {k: os.environ.get(k) for k in DUMMY_CREDENTIALS}
    os.environ.update(DUMMY_CREDENTIALS)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    clock = tempfile.NamedTemporaryFile("w", prefix="moto-clock-", suffix=".txt", delete=False)
    clock.close()
    _CLOCK_FILES[url] = clock.name
    proc = subprocess.Popen(
        [sys.executable, "-c", _BOOT, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_PORT": str(port), "MOTO_CLOCK_OFFSET_FILE": clock.name},
    )
    try:
        _wait_ready(url, proc, timeout)
        yield url
    finally:
        stop(proc)
        _CLOCK_FILES.pop(url, None)
        os.unlink(clock.name)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
