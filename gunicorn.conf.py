"""Gunicorn settings for the production image (Dockerfile) and bench/bench_upload.py.

Gunicorn reads a request body through `gunicorn.http.body.Body.read`, which pulls
from the underlying reader 1 KiB at a time and copies each piece through three
buffers; a 1 GiB upload then runs at under half the speed werkzeug's server
reaches (bench/bench_upload.py: 195 against 480 MiB/s). Gunicorn has no setting
for this, so this file changes two things, and nothing else:

* `Body.read` keeps its logic but reads in blocks of up to 1 MiB;
* `Body.readinto` is added: for a Content-Length body with nothing buffered it
  receives straight into the caller's buffer (werkzeug's request stream calls
  it), so the bytes are copied once; anything else falls back to `read`.

After a worker has loaded the app it moves every object then alive (about
170,000: modules, schemas, templates, mappers) out of the garbage
collector's sight with `gc.freeze()`: they live for the whole process, and
each full collection otherwise walks them all again (1-3 ms of a 25 ms
heatmap page, bench/bench_pages.py).

It also makes gunicorn's own error answers (a request line or header over its
limits, a malformed request) RFC 9457 problem+json like every other error of
the service, instead of an HTML page.

Measured with bench/bench_upload.py (1 GiB, one sync worker): 195 MiB/s with
gunicorn as shipped, 422 MiB/s with this file. The command line still chooses
binding; workers and threads are set below.
tests/service/test_gunicorn_config.py uploads through gunicorn with this file.
"""
from __future__ import annotations

import gc
import io
import json
import os

from gunicorn import util as _util
from gunicorn.http import body as _body
from gunicorn.http.unreader import SocketUnreader

# Largest single read from the socket-side reader; memory per request stays bounded by it.
_BLOCK = 1024 * 1024


def _read(self, size=None):
    size = self.getsize(size)
    if size == 0:
        return b""
    if size < self.buf.tell():
        data = self.buf.getvalue()
        ret, rest = data[:size], data[size:]
        self.buf = io.BytesIO()
        self.buf.write(rest)
        return ret
    while size > self.buf.tell():
        data = self.reader.read(min(_BLOCK, size - self.buf.tell()))
        if not data:
            break
        self.buf.write(data)
    data = self.buf.getvalue()
    ret, rest = data[:size], data[size:]
    self.buf = io.BytesIO()
    self.buf.write(rest)
    return ret


def _take(holder, limit: int) -> bytes:
    """Up to `limit` bytes from the front of a gunicorn BytesIO buffer; keeps the rest."""
    held = holder.buf.getvalue()
    holder.buf = io.BytesIO()
    holder.buf.write(held[limit:])
    return held[:limit]


def _readinto(self, buffer):
    reader = self.reader
    unreader = getattr(reader, "unreader", None)
    if type(reader) is not _body.LengthReader or type(unreader) is not SocketUnreader:
        data = self.read(len(buffer))  # chunked or read-to-EOF bodies: gunicorn's own logic
        buffer[:len(data)] = data
        return len(data)
    filled = 0
    with memoryview(buffer).cast("B") as view:
        if self.buf.tell():  # bytes Body already took from the reader
            held = _take(self, len(view))
            view[:len(held)] = held
            filled = len(held)
        want = min(len(view) - filled, reader.length)
        if want > 0 and unreader.buf.tell():  # bytes received with the headers or an earlier read
            held = _take(unreader, want)
            view[filled:filled + len(held)] = held
            filled, want, reader.length = filled + len(held), want - len(held), reader.length - len(held)
        while want > 0:  # the rest straight from the socket into the caller's buffer
            got = unreader.sock.recv_into(view[filled:filled + want])
            if not got:
                break
            filled, want, reader.length = filled + got, want - got, reader.length - got
    return filled


def _write_problem(sock, status_int, reason, mesg):
    """gunicorn.util.write_error, answering application/problem+json."""
    slug = {400: "malformed-request", 413: "payload-too-large", 500: "internal-error"}.get(status_int)
    problem = {"type": f"/problems/{slug}" if slug else "about:blank", "title": reason, "status": status_int,
               "detail": mesg or reason}
    body = json.dumps(problem).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n")
    _util.write_nonblock(sock, head.encode("latin1") + body)


_body.Body.read = _read
_body.Body.readinto = _readinto
_util.write_error = _write_problem

# Uploads of a gigabyte or more take longer than gunicorn's default 30 s worker timeout.
timeout = 600

# Workers and threads (bench/README.md, "Issue 15, third pass", compares the
# alternatives under bench_load.py's mix on 2 cores). Threads make gthread
# workers: they keep connections alive and a slow upload or database round
# trip does not stall the worker. WEB_CONCURRENCY and GUNICORN_THREADS
# override them; the command line (--workers, --threads) overrides both.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))


def post_worker_init(worker):
    """The app is loaded: what is alive now lives as long as the worker (see above)."""
    gc.collect()
    gc.freeze()
    # bench/bench_load.py waits for one such line per worker before it connects its
    # clients: a gthread worker keeps the keep-alive connections it accepted, so
    # clients that connect while a worker still loads never reach that worker.
    worker.log.info("Worker ready (pid: %s)", worker.pid)
