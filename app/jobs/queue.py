"""The durable job queue, at least once: a worker leases a job and removes it only when its work is done.

A worker that dies leaves its job leased; the lease lapses after `job_lease` seconds (it is renewed every
few seconds while the worker lives) and another worker takes the job. Effects are idempotent, so a job run
twice does no harm. SQLite in DATA_DIR by default, Redis when REDIS_URL is set (see app.jobs.backend).
Huey, used before, removes a task when a worker takes it: a job running at a crash was lost.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter

from app.jobs.backend import Backend, Taken
from app.jobs.job import Job, JobDeferredError, JobGoneError
from app.jobs.lease import PROCESS, Heartbeat
from app.jobs.push import Pushed, backend_at, push_jobs, pushed
from app.jobs.quiet import OUTAGE_LOGGER, STORE_ERRORS
from app.jobs.store import Keys, Store
from app.jobs.workers import beat
from app.logs import event
from app.settings import Settings

log = logging.getLogger("undersigned.jobs")
outage = logging.getLogger(OUTAGE_LOGGER)
ENQUEUED = Counter("undersigned_jobs_enqueued_total", "Jobs put on the queue", ["kind"])
COALESCED = Counter("undersigned_jobs_coalesced_total", "Jobs folded into one already waiting")
DONE = Counter("undersigned_jobs_done_total", "Jobs finished", ["outcome"])
MAX_ATTEMPTS = 5
POLL = 0.1  # seconds an idle worker waits before looking again (enqueues in this process wake it at once)


@functools.cache
def _enqueued(kind: str) -> Any:
    return ENQUEUED.labels(kind)


def redis_url_of(settings: Settings) -> str | None:
    return settings.redis_url.get_secret_value() if settings.redis_url is not None else None


def open_backend(settings: Settings) -> Backend:
    return backend_at(settings.data_dir, redis_url_of(settings))


@dataclass(frozen=True)
class Periodic:
    """A pass run every `every` seconds by one process of those sharing the queue (and at start-up if
    `at_start`, by each)."""

    name: str
    every: float
    fn: Callable[[], None]
    at_start: bool = True


class JobQueue:
    """Enqueue jobs durably, coalescing jobs with one key; run them at least once."""

    def __init__(self, settings: Settings, run: Callable[[Job], None], periodic: list[Periodic] | None = None) -> None:
        self.backend = open_backend(settings)
        self.store = Store(self.backend)
        self.run = run
        self.periodic = periodic or []
        self.lease = settings.job_lease
        self.heartbeat = Heartbeat(max(0.05, self.lease / 3))
        self.wake = threading.Condition()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.running = 0
        self.warm = threading.Event()  # the start-up passes have run
        self.unfed: Callable[[], int] = lambda: 0  # jobs accepted at intake, not yet on the queue
        self.beating: int | None = None  # this process's beat on the workers' roster, while it runs workers
        self.woke: Callable[[], None] = lambda: None  # jobs reached the queue: wake workers in another process

    # --- intake side ----------------------------------------------------------------------------
    def seen(self, delivery: str) -> bool:
        return self.store.get(Keys.delivery(delivery)) is not None

    def enqueue(self, job: Job, delay: float = 0.0) -> bool:
        """Queue `job` unless the same job is already waiting. True when a new job was queued."""
        return self.push([job], [], delay)[0]

    def push(self, jobs: list[Job], deliveries: list[str], delay: float = 0.0, *, durable: bool = True) -> list[bool]:
        """Queue jobs and mark deliveries seen, in one write (durable unless the caller keeps its own copy
        until `checkpoint()`, as the intake log does)."""
        fresh = push_jobs(self.backend, jobs, deliveries, delay, durable=durable)
        self.fed(pushed(jobs, fresh))
        return fresh

    def fed(self, done: Pushed) -> None:
        """Jobs reached the queue (here, or in the intake's feeder process): count them, wake the workers."""
        for kind, n in done.enqueued.items():
            _enqueued(kind).inc(n)
        COALESCED.inc(done.coalesced)
        if done.enqueued or done.coalesced:
            with self.wake:
                self.wake.notify_all()
        if done.enqueued:  # a job folded into one already waiting gives another process's workers nothing new
            self.woke()

    def ping(self) -> bool:
        """Whether the queue's storage answers (readiness)."""
        return self.backend.ping()

    def pending(self) -> int:
        """Jobs not yet done: on the queue (waiting or running) and accepted at intake but not fed yet. While
        the intake's feeder reports a write, its jobs count twice for a moment: never fewer than there are."""
        return self.backend.size() + self.unfed()

    def idle(self) -> bool:
        """Nothing to do: no job waiting or running, nothing unfed, the start-up passes done."""
        started = not self.threads or self.warm.is_set()
        return started and self.running == 0 and self.pending() == 0

    # --- worker side ----------------------------------------------------------------------------
    def run_one(self, owner: str = "manual") -> bool:
        """Take the next job and run it here and now; False when none waits (tests step with it)."""
        taken = self.backend.take(f"{PROCESS}:{owner}", self.lease)
        if taken is None:
            return False
        self._execute(f"{PROCESS}:{owner}", taken)
        return True

    def _work(self, owner: str) -> None:
        while not self.stopping.is_set():
            try:
                taken = self.backend.take(owner, self.lease)
            except Exception:
                outage.exception("queue unavailable")  # one line a minute while the store is down (quiet.py)
                self.stopping.wait(1.0)
                continue
            if taken is None:
                with self.wake:
                    self.wake.wait(POLL)
                continue
            try:
                self._execute(owner, taken)
            except Exception:  # the store went down as the job ended: its lease lapses and it runs again
                outage.exception("queue unavailable")  # the thread lives on (a dead one leaves the roster short)
                self.stopping.wait(1.0)

    def _execute(self, owner: str, taken: Taken) -> None:
        try:
            job = Job.loads(taken.payload)
            if taken.gen > 1:  # another event was folded into this job: its snapshot of the PR may be stale
                job = job.without_snapshot()
        except (ValueError, TypeError):
            event(log, "job unreadable", logging.ERROR, job=taken.key)
            self.backend.finish(taken.key, owner, taken.gen)
            return
        beat = self.heartbeat.add(lambda: self.backend.extend(owner, [taken.key], self.lease))
        with self.wake:
            self.running += 1
        try:
            self._attempt(owner, taken, job)
        finally:
            self.heartbeat.remove(beat)
            with self.wake:
                self.running -= 1
                self.wake.notify_all()

    def _attempt(self, owner: str, taken: Taken, job: Job) -> None:
        try:
            self.run(job)
        except JobDeferredError as why:
            delay = max(min(0.25 * 2 ** min(taken.attempts - 1, 6), 5.0), why.retry_in)  # backoff, not a spin
            event(log, "job deferred", job=job.key, reason=str(why), retry_in=delay)
            self.backend.release(taken.key, owner, delay)
            return
        except JobGoneError as why:
            # Cannot succeed (404, 410, 422 on a target that does not exist): one line, no traceback.
            DONE.labels("dropped").inc()
            event(log, "job dropped", logging.WARNING, job=job.key, reason=str(why))
        except Exception:
            if taken.attempts < MAX_ATTEMPTS:
                delay = min(2.0 ** (taken.attempts - 1), 30.0)
                DONE.labels("retry").inc()
                log.exception("job failed", extra={"fields": {"job": job.key, "attempt": taken.attempts}})
                self.backend.release(taken.key, owner, delay)
                return
            DONE.labels("error").inc()
            log.exception("job gave up", extra={"fields": {"job": job.key, "attempts": taken.attempts}})
        else:
            DONE.labels("ok").inc()
        self.backend.finish(taken.key, owner, taken.gen)

    def _schedule(self) -> None:
        last: dict[str, float] = {}
        for item in self.periodic:
            if item.at_start:
                self._tick(item, claim=False)
            last[item.name] = time.monotonic()
        self.warm.set()
        while not self.stopping.wait(1.0):
            for item in self.periodic:
                if time.monotonic() - last[item.name] >= item.every:
                    last[item.name] = time.monotonic()
                    self._tick(item, claim=True)

    def _tick(self, item: Periodic, *, claim: bool) -> None:
        try:
            if claim and not self.store.claim(Keys.periodic(item.name), stale_after=item.every * 0.9):
                return  # another process ran this pass
            item.fn()
        except STORE_ERRORS:
            outage.exception("periodic pass waits for the store", extra={"fields": {"pass": item.name}})
        except OSError as exc:  # GitHub unreachable (requests' ConnectionError is an OSError): not a bug
            event(
                log, "periodic pass could not reach GitHub", logging.WARNING, periodic=item.name, error=str(exc)[:300]
            )
        except Exception:
            log.exception("periodic pass failed", extra={"fields": {"pass": item.name}})

    def start_consumer(self, workers: int) -> None:
        if workers <= 0:
            return
        self.stopping.clear()
        threads = [
            threading.Thread(target=self._work, args=(f"{PROCESS}:w{i}",), name=f"undersigned-worker-{i}", daemon=True)
            for i in range(workers)
        ]
        threads.append(threading.Thread(target=self._schedule, name="undersigned-periodic", daemon=True))
        for thread in threads:
            thread.start()
        self.threads += threads
        self._beat()  # on the roster at once, then every few seconds while a worker thread lives
        if self.beating is None:
            self.beating = self.heartbeat.add(self._beat)
        event(log, "consumer started", workers=workers)

    def _beat(self) -> None:
        alive = sum(1 for t in self.threads if t.name.startswith("undersigned-worker-") and t.is_alive())
        if alive:  # a process whose worker threads all died drops off the roster within one lease
            try:
                beat(self.backend, PROCESS, threads=alive, running=self.running, lease=self.lease)
            except Exception:
                outage.exception("worker heartbeat failed")  # the store is down: said once a minute (quiet.py)

    def stop_consumer(self, *, graceful: bool = True) -> None:
        self.stopping.set()
        if self.beating is not None:
            self.heartbeat.remove(self.beating)
            self.beating = None
            try:
                self.backend.unbeat(PROCESS)  # stopped on purpose: off the roster at once
            except Exception:
                outage.exception("worker heartbeat failed")
        with self.wake:
            self.wake.notify_all()
        for thread in self.threads:
            thread.join(timeout=60 if graceful else 1)
        self.threads = []

    def run_forever(self, workers: int, *, follow: int | None = None) -> None:
        """`undersigned worker`: workers as their own process, until SIGTERM or SIGINT. With `follow` (the stdin
        of `serve`'s own worker process), until that stream ends instead: `serve` says when it stops."""
        import signal

        from app.jobs.worker_process import follow_parent

        done = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN if follow is not None else lambda *_: done.set())
        if follow is not None:
            threading.Thread(target=follow_parent, args=(follow, self.wake, done), daemon=True).start()
        self.start_consumer(workers)
        done.wait()
        self.stop_consumer(graceful=True)

    def close(self) -> None:
        self.heartbeat.stop()
        self.store.heartbeat.stop()
        self.backend.close()
