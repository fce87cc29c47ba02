"""Wiring: the one place settings become a queue, GitHub clients and a dispatcher."""

from __future__ import annotations

import logging
import threading

from app.github.client import GitHubApp
from app.github.keys import key_problem
from app.jobs.job import Job
from app.jobs.queue import JobQueue
from app.logs import event, register_secret
from app.settings import Settings
from app.worker.dispatch import Dispatcher
from handlers import build_router

log = logging.getLogger("undersigned")


class Runtime:
    """Everything the service runs on. The GitHub side exists only once the App's credentials are set."""

    def __init__(self, settings: Settings) -> None:
        self.router = build_router()
        self.queue = JobQueue(settings, self.run_job, self.sweep_all)
        self.started, self.lock = False, threading.Lock()
        self.github: GitHubApp | None = None
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
                self.dispatcher = Dispatcher(self.github, self.queue.store, self.queue.enqueue, settings.config_ttl)
            if self.started and self.dispatcher is not None and self.queue.consumer is None:
                self.queue.start_consumer(settings.workers)

    def run_job(self, job: Job) -> None:
        if self.dispatcher is None:
            raise RuntimeError("the App's credentials are not set; the job stays queued for a retry")
        self.dispatcher.run(job)

    def sweep_all(self) -> None:
        """Queue a sweep of every repo of every installation (periodic; cheap for repos that opt out)."""
        if self.github is None:
            return
        for installation_id in self.github.installation_ids():
            for repo in self.github.api(installation_id).installation_repos():
                self.queue.enqueue(Job("sweep", installation_id, repo))

    def start(self) -> None:
        with self.lock:
            self.started = True
            if self.dispatcher is not None:
                self.queue.start_consumer(self.settings.workers)
        event(log, "started", app_id=self.settings.app_id, github=self.settings.github_api_url, queue=self.queue_kind)

    def stop(self) -> None:
        with self.lock:
            self.started = False
        self.queue.stop_consumer(graceful=True)

    @property
    def queue_kind(self) -> str:
        return "redis" if self.settings.redis_url is not None else f"sqlite:{self.settings.data_dir / 'queue.db'}"

    def not_ready(self) -> list[str]:
        problems = []
        if not self.settings.has_app_credentials:
            problems.append("the App's ID and private key are not set")
        elif (bad_key := key_problem(self.settings.private_key)) is not None:
            problems.append(bad_key)
        if not self.queue.ping():
            problems.append("the job queue does not answer")
        return problems
