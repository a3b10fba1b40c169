"""Gunicorn settings for the production image (Dockerfile) and bench/bench_upload.py.

Gunicorn reads a request body through `gunicorn.http.body.Body.read`, which pulls
from the underlying reader 1 KiB at a time and re-buffers each piece; a 1 GiB
upload then costs about a million Python-level round trips and runs at about
half the speed of a plain file copy (bench/bench_upload.py measured 0.52).
Gunicorn offers no setting for that block size, so this file replaces that one
method with the same logic reading in blocks of up to 1 MiB. Nothing else in
gunicorn changes; the command line still chooses binding, workers and threads.
"""
from __future__ import annotations

import io

from gunicorn.http import body as _body

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


_body.Body.read = _read

# Uploads of a gigabyte or more take longer than gunicorn's default 30 s worker timeout.
timeout = 600
