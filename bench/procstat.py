"""CPU time of a gunicorn server's workers, read from Linux /proc.

Requests/s on a shared machine says how much CPU the workers were given;
CPU per request says what a request costs, whatever the load. Both
bench_http.py and bench_load.py print it."""
from __future__ import annotations

import os
from pathlib import Path


def workers_cpu_seconds(master_pid: int) -> float:
    """User + system CPU used so far by the children (workers) of a gunicorn master."""
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return 0.0
    total = 0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # a worker that exited meanwhile
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks
