"""Mutation pacing: writes at least `interval` apart, across threads and across processes sharing a store."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

from app.github.pacing import Pacer, SharedPacer
from app.jobs.sqlite_backend import SqliteBackend
from app.jobs.store import Store


def _gaps(pacers: list[Pacer], writes_each: int) -> list[float]:
    stamps: list[float] = []
    lock = threading.Lock()

    def writer(pacer: Pacer) -> None:
        for _ in range(writes_each):
            # The time the pacer let this write go, not a clock read after: this thread may be preempted
            # in between, which made the next gap look short (on a loaded machine) though the pace was kept.
            went = pacer.wait()
            with lock:
                stamps.append(went)

    threads = [threading.Thread(target=writer, args=(p,)) for p in pacers for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stamps.sort()
    return [b - a for a, b in itertools.pairwise(stamps)]


def test_one_process_keeps_writes_apart_across_threads() -> None:
    gaps = _gaps([Pacer(0.05)], 4)
    assert len(gaps) == 7 and min(gaps) >= 0.045


def test_two_processes_sharing_a_store_keep_the_pace_together(tmp_path: Path) -> None:
    # Two "processes": two pacers with their own local locks, one shared store (SQLite here, Redis in production).
    store_a = Store(SqliteBackend(tmp_path / "q.db"))
    store_b = Store(SqliteBackend(tmp_path / "q.db"))
    gaps = _gaps([SharedPacer(0.05, store_a, 7), SharedPacer(0.05, store_b, 7)], 3)
    assert len(gaps) == 11 and min(gaps) >= 0.045
    unshared = _gaps([Pacer(0.05), Pacer(0.05)], 3)
    assert min(unshared) < 0.045  # without the shared store, two processes would write together
