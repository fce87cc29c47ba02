"""Write pacing: GitHub asks integrators to make mutating requests serially, at least 1 s apart.

https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#avoid-concurrent-requests
"""

from __future__ import annotations

import queue
import threading
import time
import uuid

from app.jobs.store import Keys, Store

LOCK_LEASE = 10.0  # a process that dies holding the pace lock lets go after this


class Pacer:
    """Keeps mutating requests of one installation at least `interval` seconds apart, across threads."""

    def __init__(self, interval: float) -> None:
        self.interval, self.lock, self.last = interval, threading.Lock(), 0.0

    def wait(self) -> float:
        """Block until this thread may write; return the time (time.monotonic()) it was let go at."""
        if self.interval <= 0:
            return time.monotonic()
        with self.lock:
            delay = self.last + self.interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.last = time.monotonic()
            return self.last


class SharedPacer(Pacer):
    """A Pacer whose last write time lives in the shared store (Redis), so several processes keep the pace
    together. The local lock orders this process's threads; a lock in the store orders processes.

    Why two processes could both go too early (the flaky test): the holder used to read the clock, then
    write that time to the store and release the store's lock (two durable writes, milliseconds each under
    load), and only then go. The next process measured its interval from the time read *before* those
    writes, so it could go up to their duration too early. Now the holder reads the clock when it goes, and
    the writes that record it and release the lock happen after, on a helper thread: the next process still
    waits for them (it needs the lock), and measures from when the holder really went.
    """

    def __init__(self, interval: float, store: Store, installation_id: int) -> None:
        super().__init__(interval)
        self.store, self.installation_id = store, installation_id
        self.owner = f"pacer:{uuid.uuid4().hex}"
        self.handoff: queue.Queue[float] = queue.Queue()
        threading.Thread(target=self._record, name="undersigned-pacer", daemon=True).start()

    def wait(self) -> float:
        """Block until this process may write; return the time (time.time(), as in the store) it went at."""
        if self.interval <= 0:
            return time.time()
        key, lock = Keys.pace(self.installation_id), Keys.pace_lock(self.installation_id)
        with self.lock:
            while not self.store.backend.add(lock, self.owner, LOCK_LEASE):
                time.sleep(0.001)
            try:
                while (delay := float(self.store.get(key) or 0) + self.interval - time.time()) > 0:
                    time.sleep(delay)
            except BaseException:
                self.store.backend.delete_if(lock, self.owner)
                raise
            went = time.time()
            self.handoff.put(went)  # the helper records it and releases the lock; we go now
            return went

    def _record(self) -> None:
        key, lock = Keys.pace(self.installation_id), Keys.pace_lock(self.installation_id)
        while True:
            went = self.handoff.get()
            try:
                self.store.put(key, f"{went:.6f}")
            finally:
                self.store.backend.delete_if(lock, self.owner)
