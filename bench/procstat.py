"""CPU time of a gunicorn server's workers, read from Linux /proc.

Requests/s on a shared machine says how much CPU the workers were given;
CPU per request says what a request costs, whatever the load. Both
bench_http.py and bench_load.py print it."""
from __future__ import annotations

import os
from pathlib import Path


def workers_cpu_seconds(master_pid: int) -> float:
    """User + system CPU used so far by the children (workers) of a gunicorn master."""
    return sum(workers_cpu(master_pid).values())


def workers_cpu(master_pid: int) -> dict[int, float]:
    """User + system CPU seconds used so far by each child (worker) of a gunicorn master, by pid."""
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return {}
    cpu = {}
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # a worker that exited meanwhile
            continue
        cpu[int(pid)] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return cpu


def worker_states(master_pid: int) -> list[str]:
    """The scheduler state of every thread of every worker now: R runnable (running or
    waiting for a core), S sleeping (waiting for the socket, the database, a lock), D disk.
    A gthread worker's idle threads and its main (polling) thread sleep too, so the useful
    figure is how many threads are runnable, not the share of S."""
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return []
    states = []
    for pid in children:
        try:
            tasks = list(Path(f"/proc/{pid}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                states.append((task / "stat").read_text().rsplit(")", 1)[1].split()[0])
            except OSError:
                continue
    return states


class StateSampler:
    """Samples worker_states every `interval` seconds in a thread. `runnable()` is the
    mean number of worker threads running or waiting for a core: below the number of
    cores while requests wait means the workers wait on something else (the database's
    locks, the disk, the client); above it, for a core (a busy machine)."""

    def __init__(self, master_pid: int, interval: float = 0.05):
        import threading
        from collections import Counter

        self.master_pid, self.interval = master_pid, interval
        self.counts: Counter = Counter()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.counts.update(worker_states(self.master_pid))
            self.samples += 1

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def shares(self) -> dict[str, float]:
        total = sum(self.counts.values()) or 1
        return {state: n / total for state, n in self.counts.most_common()}

    def runnable(self) -> float:
        return self.counts.get("R", 0) / (self.samples or 1)
