"""A Backend in this process's memory, for one Action run: locks, claims and the run's own notes."""

from __future__ import annotations

import threading
import time
from typing import Any

from app.jobs.backend import Taken


class MemoryBackend:
    """Key/value with expiry, for one process that lives for one run. It holds no jobs: the Action's queue is
    a list in the run (app.action.run), so the job half of the Backend protocol is inert."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[str, float | None]] = {}
        self.lock = threading.Lock()
        self.queue: dict[str, Any] = {}  # the run's queue, by job key (app.action.run sets it): see waiting

    def _live(self, key: str) -> str | None:
        found = self.items.get(key)
        if found is None:
            return None
        if found[1] is not None and found[1] <= time.monotonic():
            del self.items[key]
            return None
        return found[0]

    def get(self, key: str) -> str | None:
        with self.lock:
            return self._live(key)

    def present(self, keys: list[str]) -> set[str]:
        with self.lock:
            return {k for k in keys if self._live(k) is not None}

    def put(self, key: str, value: str, ttl: float | None = None) -> None:
        with self.lock:
            self.items[key] = (value, None if ttl is None else time.monotonic() + ttl)

    def delete(self, key: str) -> None:
        with self.lock:
            self.items.pop(key, None)

    def add(self, key: str, value: str, ttl: float | None = None) -> bool:
        with self.lock:
            if self._live(key) is not None:
                return False
            self.items[key] = (value, None if ttl is None else time.monotonic() + ttl)
            return True

    def renew(self, key: str, value: str, ttl: float) -> bool:
        with self.lock:
            if self._live(key) != value:
                return False
            self.items[key] = (value, time.monotonic() + ttl)
            return True

    def delete_if(self, key: str, value: str) -> bool:
        with self.lock:
            if self._live(key) != value:
                return False
            del self.items[key]
            return True

    # --- jobs: none here -------------------------------------------------------------------------
    def push(
        self, jobs: list[tuple[str, str, float]], seen: list[str], seen_ttl: float, *, durable: bool = True
    ) -> list[bool]:
        raise NotImplementedError("the Action's jobs live in its run, not in a backend")

    def checkpoint(self) -> None:
        return None

    def take(self, owner: str, lease: float) -> Taken | None:
        return None

    def finish(self, key: str, owner: str, gen: int) -> None:
        return None

    def release(self, key: str, owner: str, delay: float) -> None:
        return None

    def extend(self, owner: str, keys: list[str], lease: float) -> None:
        return None

    def queued(self, key: str) -> bool:
        return False

    def waiting(self, prefix: str, limit: int) -> list[str]:
        """Keys of the run's queued jobs that start with `prefix`, in queue order: a catch-up's evaluations are
        read in one GraphQL batch (app.review.batch), as the App's queue gives them."""
        return [key for key in list(self.queue) if key.startswith(prefix)][:limit]

    def size(self) -> int:
        return 0

    def purge(self) -> int:
        return 0

    # --- the workers' roster: one run is its own only worker, and nobody reads its beats ----------------
    def beat(self, member: str, value: str, ttl: float) -> None:
        return None

    def beats(self) -> dict[str, str]:
        return {}

    def unbeat(self, member: str) -> None:
        return None

    def ping(self) -> bool:
        return True

    def close(self) -> None:
        return None
