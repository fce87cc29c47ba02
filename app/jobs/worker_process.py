"""`serve`'s job workers in a process of their own, so no evaluation ever holds the GIL the webhook intake needs.

The child is `undersigned worker --of-serve`, on the same settings and the same queue (SQLite in the data folder,
or Redis). Its stdin is a pipe from `serve`: a line wakes its workers at once (jobs were queued), and the end of
the stream stops it gracefully (running jobs finish), whether `serve` stopped or died (kill -9 included): no
orphan keeps running. A child that exits while `serve` runs is replaced. Its counters reach `serve`'s /metrics
through prometheus_client's multiprocess files (one folder, emptied at each start).
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import REGISTRY
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from prometheus_client.samples import Sample

from app.logs import event

log = logging.getLogger("undersigned.jobs")
STOP_WAIT = 90.0  # seconds the child may take to finish its running jobs when `serve` stops; then it is killed
LIVED = 60.0  # a child that ran this long before it exited is replaced at once; sooner, after a growing pause


class WorkerProcess:
    """One child process running `threads` job workers, started, woken, replaced and stopped by `serve`."""

    def __init__(self, threads: int, metrics: Path) -> None:
        self.threads, self.metrics = threads, metrics
        self.lock = threading.Lock()
        self.proc: subprocess.Popen[bytes] | None = None
        self.stopping = False

    def start(self) -> None:
        with self.lock:
            if self.proc is not None:
                return
            self.stopping = False
            self.metrics.mkdir(mode=0o700, exist_ok=True)
            for stale in self.metrics.glob("*.db"):  # a previous run's: its figures start again from zero
                stale.unlink(missing_ok=True)
            self._spawn()
        threading.Thread(target=self._watch, name="undersigned-worker-process", daemon=True).start()

    def _spawn(self) -> None:
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(self.metrics)}
        args = [sys.executable, "-m", "app.cli", "worker", "--threads", str(self.threads), "--of-serve"]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, env=env)
        assert self.proc.stdin is not None
        os.set_blocking(self.proc.stdin.fileno(), False)  # a wake never blocks the event loop
        self.born = time.monotonic()

    def _watch(self) -> None:
        pause = 0.5  # doubled before its first use: a child that dies young is replaced after 1 s, then 2, 4...
        while True:
            with self.lock:
                proc = self.proc
            if proc is None:
                return
            code = proc.wait()
            lived = time.monotonic() - self.born
            pause = 0.0 if lived >= LIVED else min(max(pause * 2, 1.0), 30.0)
            with self.lock:
                if self.stopping or self.proc is not proc:
                    return
            event(log, "worker process exited; starting another", logging.WARNING, code=code, pause=pause)
            time.sleep(pause)
            with self.lock:
                if self.stopping or self.proc is not proc:
                    return
                _close(proc)
                self._spawn()

    def wake(self) -> None:
        """Jobs were queued: the child's idle workers look now rather than at their next poll (best effort: the
        event loop never waits here, not even while another child is being started)."""
        if not self.lock.acquire(blocking=False):
            return
        try:
            if self.proc is not None and self.proc.stdin is not None:
                with contextlib.suppress(OSError):  # the pipe is full (it will look anyway) or the child died
                    os.write(self.proc.stdin.fileno(), b"\n")
        finally:
            self.lock.release()

    def stop(self) -> None:
        """Close the child's stdin and wait while it finishes its running jobs (STOP_WAIT at most)."""
        with self.lock:
            self.stopping, proc, self.proc = True, self.proc, None
        if proc is None:
            return
        _close(proc)
        try:
            proc.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            event(log, "worker process killed: its jobs did not finish in time", logging.WARNING, seconds=STOP_WAIT)
            proc.kill()
            proc.wait()


def _close(proc: subprocess.Popen[bytes]) -> None:
    if proc.stdin is not None and not proc.stdin.closed:
        with contextlib.suppress(OSError):
            proc.stdin.close()


def follow_parent(fd: int, woken: threading.Condition, done: threading.Event) -> None:
    """In the child: each line from `serve` wakes the workers; the end of the stream (serve stopped or died)
    sets `done`."""
    while True:
        try:
            data = os.read(fd, 4096)
        except InterruptedError:
            continue
        except OSError:
            data = b""
        if not data:
            done.set()
            return
        with woken:
            woken.notify_all()


class WithChildCounters(Collector):
    """This process's metrics, with the counters of `serve`'s worker processes (live and exited) added in."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def collect(self) -> Iterator[Metric]:
        theirs: dict[str, Metric] = {}
        if self.folder.is_dir():
            found = MultiProcessCollector(None, str(self.folder)).collect()  # type: ignore[no-untyped-call]
            theirs = {m.name: m for m in found if m.type == "counter"}  # gauges are read here, at each scrape
        for family in REGISTRY.collect():
            child = theirs.pop(family.name, None)
            yield _added(family, child) if child is not None and family.type == "counter" else family
        yield from theirs.values()


def _added(ours: Metric, theirs: Metric) -> Metric:
    values: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for s in theirs.samples:
        key = (s.name, tuple(sorted(s.labels.items())))
        values[key] = values.get(key, 0.0) + s.value
    out = Metric(ours.name, ours.documentation, ours.type, ours.unit)
    for s in ours.samples:
        out.samples.append(s._replace(value=s.value + values.pop((s.name, tuple(sorted(s.labels.items()))), 0.0)))
    out.samples += [Sample(name, dict(labels), value) for (name, labels), value in values.items()]
    return out
