"""Leases kept alive: a lock or a running job is renewed every few seconds while its holder lives, so a
holder that dies (kill -9, a lost machine) lets go within one lease, not minutes."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

log = logging.getLogger("undersigned.lease")

# Who holds a lease: this process (host, pid, and a random part, since pids are reused after a restart).
PROCESS = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_id() -> str:
    """This thread of this process: the value a lock holds while it is ours."""
    return f"{PROCESS}:{threading.get_ident()}"


class Heartbeat:
    """One thread that calls every registered renewal every `period` seconds."""

    def __init__(self, period: float) -> None:
        self.period = period
        self.renewals: dict[int, Callable[[], object]] = {}
        self.lock = threading.Lock()
        self.ids = 0
        self.thread: threading.Thread | None = None
        self.stopped = threading.Event()

    def add(self, renew: Callable[[], object]) -> int:
        with self.lock:
            self.ids += 1
            self.renewals[self.ids] = renew
            if self.thread is None or not self.thread.is_alive():
                self.stopped.clear()
                self.thread = threading.Thread(target=self._run, name="undersigned-heartbeat", daemon=True)
                self.thread.start()
            return self.ids

    def remove(self, ident: int) -> None:
        with self.lock:
            self.renewals.pop(ident, None)

    def stop(self) -> None:
        self.stopped.set()

    def _run(self) -> None:
        while not self.stopped.wait(self.period):
            with self.lock:
                renewals = list(self.renewals.values())
            for renew in renewals:
                try:
                    renew()
                except Exception:  # a renewal that fails is retried at the next beat; the lease may lapse
                    log.warning("lease renewal failed", exc_info=True)
