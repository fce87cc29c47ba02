"""Putting jobs on the queue's storage: shared by the queue and by the intake's feeder process, which imports
no more than it needs (no settings, no metrics) to stay small."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from app.jobs.backend import Backend
from app.jobs.job import Job
from app.jobs.keys import Keys

SEEN_TTL = 7 * 86400  # GitHub redelivers a delivery (same GUID) for up to 3 days


def backend_at(data_dir: Path, redis_url: str | None) -> Backend:
    """Redis when a URL is given, else SQLite in `data_dir`."""
    private_folder(data_dir)
    if redis_url is not None:
        from app.jobs.redis_backend import RedisBackend

        return RedisBackend(redis_url)
    from app.jobs.sqlite_backend import SqliteBackend

    path = data_dir / "queue.db"
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # SQLite gives its -wal and -shm files this mode
    for name in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm"))):
        if name.exists():  # made by an older version, readable by all
            os.chmod(name, 0o600)
    return SqliteBackend(path)


def private_folder(path: Path) -> None:
    """The data folder holds the App's private key, the queue and the intake log: this account's alone (0700)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):  # a folder another account owns (and lets us write): theirs to set
        os.chmod(path, 0o700)


@dataclass
class Pushed:
    """What writes to the queue did: jobs new on it by kind, and jobs folded into one already there."""

    enqueued: dict[str, int] = field(default_factory=dict)
    coalesced: int = 0

    def add(self, other: Pushed) -> None:
        for kind, n in other.enqueued.items():
            self.enqueued[kind] = self.enqueued.get(kind, 0) + n
        self.coalesced += other.coalesced


def push_jobs(backend: Backend, jobs: list[Job], deliveries: list[str], delay: float, *, durable: bool) -> list[bool]:
    """Queue jobs and mark deliveries seen, in one write. True per job that was not already queued."""
    by_key: dict[str, Job] = {}
    for job in jobs:  # two events for one job in one write: it reads the PR fresh (Job.pr)
        by_key[job.key] = job.without_snapshot() if job.key in by_key else job
    new = backend.push(
        [(key, job.dumps(), delay) for key, job in by_key.items()],
        [Keys.delivery(d) for d in deliveries],
        SEEN_TTL,
        durable=durable,
    )
    fresh = dict(zip(by_key, new, strict=True))
    return [fresh[job.key] for job in jobs]


def pushed(jobs: list[Job], fresh: list[bool]) -> Pushed:
    out, seen = Pushed(), set()
    for job, new in zip(jobs, fresh, strict=True):
        if new and job.key not in seen:
            out.enqueued[job.kind] = out.enqueued.get(job.kind, 0) + 1
        else:
            out.coalesced += 1
        seen.add(job.key)
    return out
