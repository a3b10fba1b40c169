"""The production gunicorn.conf.py replaces how gunicorn reads request bodies
(for upload speed). Uploads through a real gunicorn with that file must store
exactly the bytes sent: raw Content-Length bodies (the direct path),
multipart forms and chunked bodies (the fallback path).

It also serves with FairThreadWorker and no keep-alive: a keep-alive client
is told to close and reconnects, more clients than threads are all served
(while an upload holds a thread), and a connection that sends nothing takes
no place from them."""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import free_port, stop

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def serve(app, app_config, tmp_path):
    """Starts gunicorn with gunicorn.conf.py and one worker (plus `options`); returns its port."""
    started = []

    def start(*options: str) -> int:
        port = free_port()
        env = {**os.environ, "INSTANCE_PATH": str(tmp_path / "gunicorn-instance"), "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"), "--workers", "1",
             *options, "--bind", f"127.0.0.1:{port}", f"service:create_app({app_config!r})"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started.append(proc)
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return port
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)

    yield start
    for proc in started:
        stop(proc, timeout=20)


@pytest.fixture
def gunicorn_url(serve):
    return serve()


def _text(size: int, seed: bytes) -> bytes:
    line = b"Reflection on my lab report, draft " + seed + b". " * 3 + b"\n"
    return (line * (size // len(line) + 1))[:size]


def _post(port, token, body, headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", "/api/v1/artifacts/files?filename=notes.txt&title=Notes", body=body,
                 headers={"Authorization": f"Bearer {token}", **headers},
                 encode_chunked="Transfer-Encoding" in headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read())


def test_uploads_through_gunicorn_store_exactly_the_bytes_sent(gunicorn_url, factory):
    student = factory.school()["s1"]
    token = factory.auth(student)["Authorization"].split()[1]

    raw = _text(5 * 1024 * 1024 + 17, b"raw")  # several 1 MiB reads and a ragged end
    status, body = _post(gunicorn_url, token, raw, {"Content-Type": "application/octet-stream",
                                                    "Content-Length": str(len(raw))})
    assert status == 201, body
    assert body["versions"][0]["sha256"] == hashlib.sha256(raw).hexdigest()
    assert body["versions"][0]["size"] == len(raw)

    form_file = _text(3 * 1024 * 1024 + 5, b"form")
    boundary = "----mastery-test-boundary"
    multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nForm notes\r\n"
                 f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n"
                 f"Content-Type: text/plain\r\n\r\n").encode() + form_file + f"\r\n--{boundary}--\r\n".encode()
    status, body = _post(gunicorn_url, token, multipart, {"Content-Type": f"multipart/form-data; boundary={boundary}",
                                                          "Content-Length": str(len(multipart))})
    assert status == 201, body
    assert body["title"] == "Form notes"
    assert body["versions"][0]["sha256"] == hashlib.sha256(form_file).hexdigest()

    chunked_file = _text(2 * 1024 * 1024 + 3, b"chunked")
    pieces = (chunked_file[i:i + 300_000] for i in range(0, len(chunked_file), 300_000))
    status, body = _post(gunicorn_url, token, pieces, {"Content-Type": "application/octet-stream",
                                                       "Transfer-Encoding": "chunked"})
    assert status == 201, body
    assert body["versions"][0]["sha256"] == hashlib.sha256(chunked_file).hexdigest()
    assert body["versions"][0]["size"] == len(chunked_file)


def _raw_exchange(port, request: bytes) -> tuple[int, dict, bytes]:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


# Each fits in gunicorn's first 8 KiB read, so it closes with nothing unread
# (a reset could otherwise overtake the answer).
@pytest.mark.parametrize("request_bytes", [
    b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",  # request line over its 4094 limit
    b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(150)) + b"\r\n",  # >100
    b"NOT A REQUEST\r\n\r\n",
])
def test_gunicorns_own_errors_are_problem_json(gunicorn_url, request_bytes):
    status, headers, body = _raw_exchange(gunicorn_url, request_bytes)
    assert 400 <= status < 500
    assert headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == status and problem["title"] and problem["detail"]


def test_a_keep_alive_client_is_answered_and_told_to_reconnect(gunicorn_url):
    conn = http.client.HTTPConnection("127.0.0.1", gunicorn_url, timeout=10)  # HTTP/1.1: keep-alive asked
    for _ in range(3):  # http.client opens a new connection after each "Connection: close"
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        assert response.status == 200 and response.read()
        assert response.getheader("Connection") == "close"
    conn.close()


def _healthz(port, timeout: float = 30) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", "/healthz")
    status = conn.getresponse().status
    conn.close()
    return status


def test_more_clients_than_threads_are_all_served_while_an_upload_holds_a_thread(serve, factory):
    import socket
    from concurrent.futures import ThreadPoolExecutor

    port = serve("--threads", "2")
    token = factory.auth(factory.school()["s1"])["Authorization"].split()[1]
    body = _text(256 * 1024, b"slow")
    slow = socket.create_connection(("127.0.0.1", port), timeout=30)
    slow.sendall((f"POST /api/v1/artifacts/files?filename=notes.txt&title=Slow HTTP/1.1\r\nHost: x\r\n"
                  f"Authorization: Bearer {token}\r\nContent-Type: application/octet-stream\r\n"
                  f"Content-Length: {len(body)}\r\n\r\n").encode() + body[:1000])  # and then nothing, for now
    with ThreadPoolExecutor(12) as pool:  # 12 clients, 5 requests each, on the one thread left
        assert list(pool.map(lambda _: _healthz(port), range(60))) == [200] * 60
    slow.sendall(body[1000:])
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += slow.recv(65536)
    slow.close()
    assert answer.startswith(b"HTTP/1.1 201")


def test_a_connection_that_sends_nothing_takes_no_place(serve):
    import socket

    port = serve("--threads", "2")
    idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(4)]  # more than threads
    try:
        assert _healthz(port, timeout=5) == 200  # they would hold both threads' places for 10 s
    finally:
        for sock in idle:
            sock.close()


def test_with_keep_alive_set_an_idle_server_keeps_the_connection(serve):
    port = serve("--threads", "2", "--keep-alive", "30")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/healthz")
    first = conn.getresponse()
    assert first.status == 200 and first.read()
    assert first.getheader("Connection") == "keep-alive"  # nobody waits in the accept queue
    sock = conn.sock
    conn.request("GET", "/healthz")
    second = conn.getresponse()
    assert second.status == 200 and second.read()
    assert conn.sock is sock  # the same connection answered again
    conn.close()
