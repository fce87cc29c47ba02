"""The workers' roster: every process that runs jobs beats in the queue's storage, so any process can say
which workers are alive (/readyz, /metrics, `undersigned worker --alive` as a container health check)."""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass

from app.jobs.backend import Backend


@dataclass(frozen=True)
class Beat:
    """One worker process's last heartbeat: it lapses after the job lease unless renewed."""

    process: str  # host:pid:random, as it names itself when it leases jobs
    host: str
    threads: int  # worker threads alive in it
    running: int  # jobs it was running
    at: float  # when it beat (its own clock, epoch seconds)

    def view(self, now: float) -> dict[str, object]:
        return {
            "process": self.process,
            "host": self.host,
            "threads": self.threads,
            "running": self.running,
            "seconds_ago": round(max(0.0, now - self.at), 1),
        }


def beat(backend: Backend, process: str, *, threads: int, running: int, lease: float) -> None:
    """Say this process is alive, with `threads` worker threads; it drops off the roster after `lease` seconds."""
    value = json.dumps({"host": socket.gethostname(), "pid": os.getpid(), "threads": threads, "running": running,
                        "at": time.time()})  # fmt: skip
    backend.beat(process, value, lease)


def roster(backend: Backend) -> list[Beat]:
    """The worker processes alive now (their beat has not lapsed), by process name."""
    out = []
    for process, value in sorted(backend.beats().items()):
        try:
            data = json.loads(value)
            out.append(Beat(process, str(data["host"]), int(data["threads"]), int(data["running"]), float(data["at"])))
        except (ValueError, KeyError, TypeError):
            continue  # written by another version: not ours to judge
    return out


def alive_here(backend: Backend) -> list[Beat]:
    """The live worker processes on this host (a container's health check: its own worker still beats)."""
    here = socket.gethostname()
    return [b for b in roster(backend) if b.host == here and b.threads > 0]
