"""Waiting for inline jobs without sleeping: join the thread the runner
started for the job (service/jobs.py names it job-<id>)."""
from __future__ import annotations

import threading


def join_job_thread(job_id, timeout: float = 240) -> None:
    """Wait until the job's inline thread has ended (at once if it already has)."""
    for thread in threading.enumerate():
        if thread.name == f"job-{job_id}":
            thread.join(timeout)
            assert not thread.is_alive(), f"job {job_id} still running after {timeout} s"
