"""Wiring: the one place settings become a queue, GitHub clients and a dispatcher."""

from __future__ import annotations

import gc
import logging
import threading
import time

from github import GithubException
from prometheus_client import REGISTRY, CollectorRegistry, Gauge

from app.github.api import AppApi
from app.github.client import GitHubApp
from app.github.keys import key_problem
from app.jobs.intake_log import IntakeLog
from app.jobs.job import Job, JobGoneError
from app.jobs.queue import JobQueue, Periodic, redis_url_of
from app.jobs.worker_process import WithChildCounters, WorkerProcess
from app.jobs.workers import Beat, roster
from app.logs import event, register_secret
from app.settings import Settings
from app.worker.dispatch import Dispatcher
from app.worker.redeliver import redeliver_failed
from handlers import build_router

log = logging.getLogger("undersigned")
GONE = {404, 410, 422}  # the target does not exist (or GitHub refuses the request for good): retrying cannot help
# Read at each scrape of /metrics (Runtime.gauges). The first two are the same from every process sharing the queue.
WORKERS_ALIVE = Gauge("undersigned_workers_alive", "Worker processes whose heartbeat has not lapsed")
QUEUE_DEPTH = Gauge("undersigned_queue_depth", "Jobs on the queue, waiting or running")
INTAKE_UNFED = Gauge("undersigned_intake_unfed", "Jobs this process accepted (answered 2xx), not yet on the queue")
NO_WORKER = "no worker process is alive: deliveries are still accepted, their jobs wait (start `undersigned worker`)"


class Runtime:
    """Everything the service runs on. The GitHub side exists only once the App's credentials are set. With
    `apart` (`serve`, unless UNDERSIGNED_WORKER_PROCESS is false), the job workers run in a child process."""

    def __init__(self, settings: Settings, *, apart: bool = False) -> None:
        self.router = build_router()
        every = settings.reconcile_minutes * 60
        periodic = [Periodic("reconcile", every, self.reconcile_all), Periodic("redeliver", every, self.redeliver)]
        periodic.append(Periodic("purge", 3600, self.purge, at_start=False))
        if settings.sweep_hours:
            periodic.append(Periodic("sweep", settings.sweep_hours * 3600, self.sweep_all, at_start=False))
        self.queue = JobQueue(settings, self.run_job, periodic)
        self.started, self.lock = False, threading.Lock()
        self.github: GitHubApp | None = None
        intake = settings.data_dir / "intake"
        self.intake = IntakeLog(intake, settings.data_dir, redis_url_of(settings), self.queue.fed)
        self.queue.unfed = lambda: self.intake.unfed
        self.apart: WorkerProcess | None = None
        self.metrics: CollectorRegistry = REGISTRY  # what /metrics shows
        if apart and settings.workers > 0:
            self.apart = WorkerProcess(settings.workers, settings.data_dir / "metrics")
            self.queue.woke = self.apart.wake
            self.metrics = CollectorRegistry(auto_describe=False)
            self.metrics.register(WithChildCounters(self.apart.metrics))
        self.dispatcher: Dispatcher | None = None
        self.reload(settings)

    def reload(self, settings: Settings) -> None:
        """Start using these settings' App credentials (as the setup page stores them), without a restart."""
        with self.lock:
            for secret in (settings.webhook_secret, settings.private_key, settings.redis_url, settings.client_secret):
                register_secret(secret.get_secret_value() if secret is not None else None)
            self.settings = settings
            shared = self.queue.store if settings.redis_url is not None else None  # pace across processes
            usable = settings.has_app_credentials and key_problem(settings.private_key) is None
            self.github = GitHubApp(settings, shared) if usable else None
            self.dispatcher = None
            if self.github is not None:
                queue, ttl = self.queue, settings.config_ttl
                self.dispatcher = Dispatcher(
                    self.github, queue.store, queue.enqueue, ttl, settings.eval_budget, settings.landing_gap,
                    graphql_reads=settings.graphql_reads,
                )  # fmt: skip
            if self.started and self.dispatcher is not None:
                self._start_workers()

    def run_job(self, job: Job) -> None:
        if self.dispatcher is None:
            raise RuntimeError("the App's credentials are not set; the job stays queued for a retry")
        try:
            self.dispatcher.run(job)
        except GithubException as exc:
            if exc.status in GONE:
                message = exc.data.get("message") if isinstance(exc.data, dict) else None
                raise JobGoneError(f"GitHub answered {exc.status}: {message or 'no message'}") from None
            raise

    def _each_repo(self, kind: str) -> None:
        if self.github is None:
            return
        for installation_id in self.github.installation_ids():
            for repo in self.github.api(installation_id).installation_repos():
                self.queue.enqueue(Job(kind, installation_id, repo))  # type: ignore[arg-type]

    def sweep_all(self) -> None:
        """Queue a sweep of every repo of every installation (periodic; cheap for repos that opt out)."""
        self._each_repo("sweep")

    def reconcile_all(self) -> None:
        """Queue a reconciliation of every repo of every installation (at start-up, then periodically)."""
        self._each_repo("reconcile")

    def purge(self) -> None:
        """Expired keys (deliveries seen over a week ago, lapsed locks) leave the SQLite file."""
        self.queue.backend.purge()

    def redeliver(self) -> None:
        if self.github is not None:
            redeliver_failed(AppApi(self.github.integration.requester), self.queue.store)

    def start(self) -> None:
        """Start serving: the intake log (replaying what a crash left), then the workers."""
        self.intake.start()
        gc.freeze()  # what start-up made lives on: keep it out of every collection
        with self.lock:
            self.started = True
            if self.dispatcher is not None:
                self._start_workers()
        event(log, "started", app_id=self.settings.app_id, github=self.settings.github_api_url, queue=self.queue_kind)

    def stop(self) -> None:
        self.intake.stop()
        with self.lock:
            self.started = False
        self.queue.stop_consumer(graceful=True)
        if self.apart is not None:
            self.apart.stop()

    def _start_workers(self) -> None:
        if self.apart is not None:
            self.apart.start()  # none when it runs already
        elif not self.queue.threads:
            self.queue.start_consumer(self.settings.workers)

    @property
    def queue_kind(self) -> str:
        return "redis" if self.settings.redis_url is not None else f"sqlite:{self.settings.data_dir / 'queue.db'}"

    def workers(self) -> list[Beat] | None:
        """The worker processes alive on the shared queue (this one included); None when the queue does not answer."""
        try:
            return roster(self.queue.backend)
        except Exception:
            return None

    def workers_report(self) -> dict[str, object]:
        """What /readyz says about the workers: they are not this process's readiness (a serve replica takes
        deliveries whether or not any worker runs), but an operator sees there whether jobs are being run."""
        found = self.workers()
        if found is None:
            return {"workers": None}
        now = time.time()
        report: dict[str, object] = {"workers": {"alive": len(found), "processes": [b.view(now) for b in found]}}
        if not found and self.github is not None:
            report["warnings"] = [NO_WORKER]
        return report

    def gauges(self) -> None:
        """The gauges /metrics shows read this runtime at each scrape (in `serve` and in `worker`)."""
        WORKERS_ALIVE.set_function(lambda: len(self.workers() or []))
        QUEUE_DEPTH.set_function(self._depth)
        INTAKE_UNFED.set_function(lambda: self.intake.unfed)

    def _depth(self) -> float:
        try:
            return float(self.queue.backend.size())
        except Exception:
            return float("nan")  # the store is down: no figure rather than a wrong one

    def not_ready(self) -> list[str]:
        problems = []
        if not self.settings.has_app_credentials:
            problems.append("the App's ID and private key are not set")
        elif (bad_key := key_problem(self.settings.private_key)) is not None:
            problems.append(bad_key)
        if self.github is not None and (unreached := self.github.reach.problem) is not None:
            problems.append(unreached)  # the last call's outcome: a probe makes no call of its own
        if not self.queue.ping():
            problems.append("the job queue does not answer")
        if self.started and (down := self.intake.down()):
            problems.append(f"the intake's {' and '.join(down)} process is not running (see the log)")
        return problems
