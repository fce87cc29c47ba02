"""The durable job queue (Huey): SQLite in DATA_DIR by default, Redis when REDIS_URL is set."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from prometheus_client import Counter

from app.jobs.job import Job
from app.jobs.store import Keys, Store
from app.logs import event
from app.settings import Settings

log = logging.getLogger("undersigned.jobs")
ENQUEUED = Counter("undersigned_jobs_enqueued_total", "Jobs put on the queue", ["kind"])
COALESCED = Counter("undersigned_jobs_coalesced_total", "Jobs folded into one already waiting")
DONE = Counter("undersigned_jobs_done_total", "Jobs finished", ["outcome"])
PENDING_STALE_AFTER = 15 * 60  # a "pending" mark older than this belongs to a job that was lost


def build_huey(settings: Settings) -> Huey:
    if settings.redis_url is not None:
        return RedisHuey("undersigned", url=settings.redis_url.get_secret_value(), results=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("undersigned", filename=str(settings.data_dir / "queue.db"), results=False)


class EmbeddedConsumer(Consumer):  # type: ignore[misc]
    """Huey's consumer, without the signal handlers: inside `serve`, uvicorn owns the signals."""

    def _set_signal_handlers(self) -> None:
        return None


class JobQueue:
    """Enqueue jobs durably (before the webhook is answered), coalescing jobs for the same PR."""

    def __init__(self, settings: Settings, run: Callable[[Job], None], sweep: Callable[[], None] | None = None) -> None:
        self.huey = build_huey(settings)
        self.store = Store(self.huey.storage)
        self.run = run
        self.task = self.huey.task(retries=3, retry_delay=2, name="undersigned.run_job")(self._execute)
        if sweep is not None and settings.sweep_hours:
            every = crontab(minute="17", hour=f"*/{settings.sweep_hours}")
            self.huey.periodic_task(every, name="undersigned.sweep")(sweep)
        self.consumer: EmbeddedConsumer | None = None
        self.idle = threading.Condition()
        self.running = 0

    # --- intake side ----------------------------------------------------------------------------
    def seen(self, delivery: str) -> bool:
        return self.store.get(Keys.delivery(delivery)) is not None

    def mark_seen(self, delivery: str) -> None:
        self.store.put(Keys.delivery(delivery), "1")

    def enqueue(self, job: Job) -> bool:
        """Queue `job` unless the same job is already waiting. True when a new job was queued."""
        if not self.store.claim(Keys.pending(job.key), stale_after=PENDING_STALE_AFTER):
            COALESCED.inc()
            return False
        try:
            self.task(job.kind, job.installation_id, job.repo, job.number, job.sha)
        except Exception:
            self.store.delete(Keys.pending(job.key))
            raise
        ENQUEUED.labels(job.kind).inc()
        return True

    def ping(self) -> bool:
        """Whether the queue's storage answers (readiness)."""
        try:
            self.huey.storage.queue_size()
            return True
        except Exception:
            return False

    def pending(self) -> int:
        return int(self.huey.storage.queue_size())

    # --- worker side ----------------------------------------------------------------------------
    def _execute(self, kind: str, installation_id: int, repo: str, number: int | None, sha: str | None) -> None:
        job = Job(kind, installation_id, repo, number, sha)  # type: ignore[arg-type]
        # Clear the mark first: an event arriving while we work queues a fresh run after this one.
        self.store.delete(Keys.pending(job.key))
        with self.idle:
            self.running += 1
        try:
            self.run(job)
            DONE.labels("ok").inc()
        except Exception:
            DONE.labels("error").inc()
            log.exception("job failed", extra={"fields": {"job": job.key}})
            raise
        finally:
            with self.idle:
                self.running -= 1
                self.idle.notify_all()

    def start_consumer(self, workers: int) -> None:
        if workers <= 0:
            return
        self.consumer = EmbeddedConsumer(self.huey, workers=workers, worker_type="thread", periodic=True)
        self.consumer.start()
        event(log, "consumer started", workers=workers)

    def stop_consumer(self, graceful: bool = True) -> None:
        if self.consumer is not None:
            self.consumer.stop(graceful=graceful)
            self.consumer = None

    def run_forever(self, workers: int) -> None:
        """`undersigned worker`: a consumer as its own process (signals handled by Huey)."""
        consumer: Any = self.huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
        consumer.run()
