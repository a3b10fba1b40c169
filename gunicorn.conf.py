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

import contextlib
import errno
import gc
import io
import json
import os
import selectors
import socket
import struct
import time
from collections import deque
from concurrent import futures
from functools import partial

from gunicorn import util as _util
from gunicorn.http import body as _body
from gunicorn.http.unreader import SocketUnreader
from gunicorn.workers.gthread import TConn, ThreadWorker
from gunicorn.workers.sync import SyncWorker

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

# A connection that has sent nothing this long after it was accepted is closed
# (it holds one of a worker's places, below). The kernel holds a connection that
# has sent nothing for up to as long before handing it over (TCP_DEFER_ACCEPT).
FIRST_BYTES_SECONDS = 10


class FairThreadWorker(ThreadWorker):
    """gunicorn's gthread worker, taking a new connection only when it has a free thread.

    gthread accepts every connection it can (up to worker_connections, 1,000) and
    queues them in its own thread pool, so a request can wait behind a busy
    worker's queue while another worker idles; with worker_connections set to the
    thread count, gunicorn 23 stops polling its sockets when full (an accepted
    request then waits for a running one to finish) and counts connections from
    several threads without a lock (the count drifts; a worker whose count
    reached the bound spun at 100% CPU and served no one for the rest of a
    bench_load run). Here a worker listens only while it has a free thread, and
    counts under its lock; a finished request wakes its loop at once. Waiting
    requests then wait in the kernel's one accept queue, which every worker
    takes from in arrival order. With keepalive = 0 every request is such an
    accept. A keep-alive connection instead stays with its worker, and its
    next request would pass the queue: with keepalive set, a connection is
    kept only while nobody waits in the accept queue.
    """

    def __new__(cls, *args, **kwargs):
        cfg = args[5] if len(args) > 5 else kwargs["cfg"]
        if cfg.threads <= 1:  # gunicorn's own rule: one thread means sync workers (bench_upload.py)
            return SyncWorker(*args, **kwargs)
        return super().__new__(cls)

    def init_process(self):
        self.busy = 0  # connections accepted or woken and not yet answered: at most one per thread
        self.fresh: deque = deque()  # accepted connections, oldest first, until they sent their request
        self.waker, self.wakee = socket.socketpair()
        self.waker.setblocking(False)
        self.wakee.setblocking(False)
        super().init_process()

    def run(self):
        self.poller.register(self.wakee, selectors.EVENT_READ, self.woken)
        listeners = []
        for sock in self.sockets:
            sock.setblocking(False)
            with contextlib.suppress(OSError, AttributeError):  # Linux: accept once the request arrived
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, FIRST_BYTES_SECONDS)
            listeners.append((sock, partial(self.accept, sock.getsockname())))
        listening = False
        while self.alive:
            self.notify()
            with self._lock:
                free = self.busy < self.cfg.threads and self.nr_conns < self.worker_connections
                if free != listening:
                    for sock, acceptor in listeners:
                        if free:
                            self.poller.register(sock, selectors.EVENT_READ, acceptor)
                        else:
                            self.poller.unregister(sock)
                    listening = free
            for key, _ in self.poller.select(1.0):
                key.data(key.fileobj)
            self.futures = deque(f for f in self.futures if not f.done())
            if not self.is_parent_alive():
                break
            self.murder_keepalived()
        self.tpool.shutdown(False)
        self.poller.close()
        for sock in self.sockets:
            sock.close()
        futures.wait(self.futures, timeout=self.cfg.graceful_timeout)

    def handle_request(self, req, conn):
        if self.cfg.keepalive and self.others_waiting():  # answer, then close: the next request queues too
            req.must_close = True
        return super().handle_request(req, conn)

    def others_waiting(self) -> bool:
        """Whether a connection waits in the accept queue (Linux: tcp_info's tcpi_unacked of a listener)."""
        for sock in self.sockets:
            with contextlib.suppress(OSError, AttributeError, struct.error):
                if struct.unpack_from("I", sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104), 24)[0]:
                    return True
        return False

    def woken(self, sock):
        with contextlib.suppress(OSError):
            while sock.recv(4096):
                pass

    def accept(self, server, listener):
        try:
            sock, client = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        conn = TConn(self.cfg, sock, client, server)
        conn.timeout = time.time() + FIRST_BYTES_SECONDS
        with self._lock:
            self.nr_conns += 1
            self.busy += 1
            self.fresh.append(conn)
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_client_socket_readable, conn))

    def on_client_socket_readable(self, conn, client):
        with self._lock:
            self.poller.unregister(client)
            if conn.initialized:  # a keep-alive connection's next request
                try:
                    self._keep.remove(conn)
                except ValueError:
                    return
                self.busy += 1
        self.enqueue_req(conn)

    def finish_request(self, fs):
        """Runs in the thread that answered: park a keep-alive connection or close it, free the place."""
        keep = None
        with contextlib.suppress(Exception):
            if not fs.cancelled() and fs.result()[0] and self.alive:
                keep = fs.conn
        with self._lock:
            self.busy -= 1
            if keep is not None:
                keep.sock.setblocking(False)
                keep.set_timeout()
                self._keep.append(keep)
                self.poller.register(keep.sock, selectors.EVENT_READ, partial(self.on_client_socket_readable, keep))
            else:
                self.nr_conns -= 1
        if keep is None:
            fs.conn.close()
        with contextlib.suppress(OSError):  # a full buffer means the loop is already woken
            self.waker.send(b".")

    def murder_keepalived(self):
        """Close keep-alive connections idle past keepalive, and new ones silent past FIRST_BYTES_SECONDS."""
        now = time.time()
        while True:
            with self._lock:
                while self.fresh and self.fresh[0].initialized:  # sent their request: handed to a thread
                    self.fresh.popleft()
                if self.fresh and self.fresh[0].timeout <= now:
                    conn = self.fresh.popleft()
                    self.busy -= 1
                elif self._keep and self._keep[0].timeout <= now:
                    conn = self._keep.popleft()
                else:
                    return
                self.nr_conns -= 1
                with contextlib.suppress(OSError, KeyError, ValueError):
                    self.poller.unregister(conn.sock)
            conn.close()


worker_class = FairThreadWorker
# Every answer closes its connection, so every request waits in the one accept
# queue (above). A keep-alive connection stays with the worker that accepted
# it: with it, clients queued in the kernel waited up to 40 s while the workers
# served the connections they held (bench/README.md, "fair"). gunicorn's
# deployment advice puts a proxy in front, which keeps the clients' connections.
keepalive = 0

# Workers and threads (bench/README.md, "Issue 15, fourth pass", "fair",
# compares them under bench_load.py's mix on 2 cores). Threads let a slow upload
# or a database round trip leave the worker's CPU to another request. Two per
# worker, not four: the mix is CPU-bound, and each more thread splits a
# process's CPU (the GIL) further, so a transaction holding SQLite's one write
# lock ran slower while the others queued behind it. With the fair worker,
# requests beyond the threads wait in the kernel's accept queue. 3 x 2 against
# 3 x 4, same minutes, 200 clients (load 5-12): writes' median time inside a
# worker 99-282 against 361-819 ms on SQLite; PostgreSQL 58 against 37 req/s,
# p99 5.1 against 9.3 s. WEB_CONCURRENCY and GUNICORN_THREADS override them;
# the command line (--workers, --threads) overrides both.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))


def post_worker_init(worker):
    """The app is loaded: what is alive now lives as long as the worker (see above)."""
    gc.collect()
    gc.freeze()
    # bench/bench_load.py waits for one such line per worker before it connects its
    # clients: a gthread worker keeps the keep-alive connections it accepted, so
    # clients that connect while a worker still loads never reach that worker.
    worker.log.info("Worker ready (pid: %s)", worker.pid)
