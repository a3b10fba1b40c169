"""A real S3-compatible HTTP endpoint for tests: moto's standalone server.

The server runs as a separate process (``python -m moto.server``) on a free
127.0.0.1 port, so boto3 speaks real HTTP to it and the server's memory use
does not pollute tracemalloc measurements taken in the test process.

    with moto_s3_server() as endpoint_url:
        boto3.client("s3", endpoint_url=endpoint_url).create_bucket(Bucket="b")
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from typing import Iterator

from tests.support.processes import free_port, stop

__all__ = ["DUMMY_CREDENTIALS", "moto_s3_server", "free_port"]

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
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_PORT": str(port)},
    )
    try:
        _wait_ready(url, proc, timeout)
        yield url
    finally:
        stop(proc)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
