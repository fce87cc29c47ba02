"""Write pacing: GitHub asks integrators to make mutating requests serially, at least 1 s apart.

https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#avoid-concurrent-requests
"""

from __future__ import annotations

import threading
import time

from app.jobs.store import Keys, Store


class Pacer:
    """Keeps mutating requests of one installation at least `interval` seconds apart, across threads."""

    def __init__(self, interval: float) -> None:
        self.interval, self.lock, self.last = interval, threading.Lock(), 0.0

    def wait(self) -> None:
        if self.interval <= 0:
            return
        with self.lock:
            delay = self.last + self.interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.last = time.monotonic()


class SharedPacer(Pacer):
    """A Pacer whose last-write time lives in the shared store (Redis), so several processes keep the
    pace together. The local lock orders this process's threads; the store's claim orders processes."""

    def __init__(self, interval: float, store: Store, installation_id: int) -> None:
        super().__init__(interval)
        self.store, self.installation_id = store, installation_id

    def wait(self) -> None:
        if self.interval <= 0:
            return
        key, lock = Keys.pace(self.installation_id), Keys.pace_lock(self.installation_id)
        with self.lock:
            while not self.store.claim(lock, stale_after=30):
                time.sleep(0.002)
            try:
                delay = float(self.store.get(key) or 0) + self.interval - time.time()
                if delay > 0:
                    time.sleep(delay)
                self.store.put(key, f"{time.time():.6f}")
            finally:
                self.store.delete(lock)
