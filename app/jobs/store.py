"""Small durable state in the job queue's storage (SQLite or Redis), under the keys of app.jobs.keys."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from app.jobs.backend import Backend
from app.jobs.keys import Keys
from app.jobs.lease import Heartbeat, owner_id

__all__ = ["Keys", "Store"]

LOCK_LEASE = 10.0  # seconds a lock outlives its holder's last heartbeat


class Store:
    """Key/value in the queue's backend (SQLite or Redis), so every process that shares the queue shares it."""

    durable = True  # what is put here outlives the process (an Action run's store does not)

    def __init__(self, backend: Backend, lease: float = LOCK_LEASE) -> None:
        self.backend, self.lease = backend, lease
        self.heartbeat = Heartbeat(max(0.05, lease / 3))

    def get(self, key: str) -> str | None:
        return self.backend.get(key)

    def put(self, key: str, value: str, ttl: float | None = None) -> None:
        self.backend.put(key, value, ttl)

    def delete(self, key: str) -> None:
        self.backend.delete(key)

    def claim(self, key: str, stale_after: float | None = None) -> bool:
        """Set `key` to the time now if unset (atomic). With `stale_after`, the claim lapses after that."""
        return self.backend.add(key, f"{time.time():.3f}", stale_after)

    @contextmanager
    def lock(self, key: str) -> Iterator[bool]:
        """Try to take the lock `key` (never waits). Held, it names its owner and is renewed every few
        seconds; if this process dies, it lapses after one lease. Yields whether it is ours."""
        owner = owner_id()
        if not self.backend.add(key, owner, self.lease):
            yield False
            return
        beat = self.heartbeat.add(lambda: self.backend.renew(key, owner, self.lease))
        try:
            yield True
        finally:
            self.heartbeat.remove(beat)
            self.backend.delete_if(key, owner)

    def edit_json(self, key: str, lock: str, fn: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """Apply `fn` to the JSON object under `key`, under the short lock `lock` (waits for it; a holder that
        died lapses after 10 s), and store the result: read, change and write as one step across processes."""
        while not self.claim(lock, stale_after=10):
            time.sleep(0.005)
        try:
            data: dict[str, Any] = json.loads(self.get(key) or "{}")
            fn(data)
            self.put(key, json.dumps(data))
            return data
        finally:
            self.delete(lock)

    def job_queued(self, job_key: str) -> bool:
        """Whether the job with this key is waiting or running (the queue shares this backend)."""
        return self.backend.queued(job_key)

    def jobs_waiting(self, prefix: str, limit: int) -> list[str]:
        """Keys of up to `limit` queued jobs whose key starts with `prefix` (a repo's evaluations, for reading
        them in one batch: app.review.batch); [] for a backend that cannot list them."""
        listing = getattr(self.backend, "waiting", None)
        return list(listing(prefix, limit)) if listing is not None else []

    def same(self, key: str, content: str) -> bool:
        """Whether `content` is what was last recorded under `key` (then a repeat write can be skipped)."""
        return self.get(key) == _digest(content)

    def remember(self, key: str, content: str) -> None:
        """Record `content` under `key`, after the write it stands for succeeded."""
        self.put(key, _digest(content))


def _digest(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()
