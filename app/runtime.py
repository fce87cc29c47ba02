"""Wiring: the one place settings become a queue, GitHub clients and a dispatcher."""

from __future__ import annotations

import logging

from app.github.client import GitHubApp
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
        self.settings = settings
        for secret in (settings.webhook_secret, settings.private_key, settings.redis_url, settings.client_secret):
            register_secret(secret.get_secret_value() if secret is not None else None)
        self.router = build_router()
        self.queue = JobQueue(settings, self.run_job, self.sweep_all)
        shared = self.queue.store if settings.redis_url is not None else None  # pace across processes
        self.github: GitHubApp | None = GitHubApp(settings, shared) if settings.has_app_credentials else None
        self.dispatcher: Dispatcher | None = None
        if self.github is not None:
            self.dispatcher = Dispatcher(self.github, self.queue.store, self.queue.enqueue, settings.config_ttl)

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
        if self.dispatcher is not None:
            self.queue.start_consumer(self.settings.workers)
        event(log, "started", app_id=self.settings.app_id, github=self.settings.github_api_url, queue=self.queue_kind)

    def stop(self) -> None:
        self.queue.stop_consumer(graceful=True)

    @property
    def queue_kind(self) -> str:
        return "redis" if self.settings.redis_url is not None else f"sqlite:{self.settings.data_dir / 'queue.db'}"

    def not_ready(self) -> list[str]:
        problems = []
        if not self.settings.has_app_credentials:
            problems.append("the App's ID and private key are not set")
        if not self.queue.ping():
            problems.append("the job queue does not answer")
        return problems
