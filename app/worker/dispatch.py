"""The one dispatcher: a job becomes a context, and its kind picks review or landing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from app.github.api import Api
from app.github.budget import landing
from app.github.caches import ConfigCache, TextCache
from app.jobs.job import Job
from app.jobs.ready import ReadySet
from app.jobs.store import Store
from app.landing.lander import land
from app.landing.moderate import run_command
from app.review.batch import BatchReads, batching
from app.review.config_check import config_pushed
from app.review.context import Context
from app.review.report import Reporter
from app.review.scan import review_number, review_sha, scan, sweep
from app.worker.onboard import onboard
from app.worker.reconcile import reconcile


class Apis(Protocol):
    """Where a job's API client comes from: the App's installations (GitHubApp), or an Action's one token."""

    def api(self, installation_id: int) -> Api: ...


class Dispatcher:
    """Runs jobs. The caches live as long as the process: file texts by commit never go stale, and the
    config is re-read after its TTL."""

    def __init__(
        self,
        github: Apis,
        store: Store,
        enqueue: Callable[[Job], bool],
        config_ttl: float,
        budget: float = 5.0,
        landing_gap: float = 0.0,
        *,
        graphql_reads: bool = False,
    ) -> None:
        self.github, self.store, self.enqueue, self.budget = github, store, enqueue, budget
        self.landing_gap = landing_gap
        self.batch = BatchReads() if graphql_reads else None  # evaluations of a burst read in batches
        self.texts, self.configs, self.ready = TextCache(), ConfigCache(config_ttl, store), ReadySet(store)

    def context(self, job: Job) -> Context:
        api = self.github.api(job.installation_id)
        reporter = Reporter(api, job.repo, self.store)
        return Context(
            job.installation_id,
            job.repo,
            api,
            self.store,
            self.texts,
            self.configs,
            reporter,
            self.ready,
            self.enqueue,
            budget=self.budget,
            landing_gap=self.landing_gap,
        )

    def run(self, job: Job) -> None:
        ctx = self.context(job)
        if job.kind == "evaluate" and job.number is not None:
            with batching(self.batch):
                review_number(ctx, job.number, job.pr)
        elif job.kind == "evaluate_sha" and job.sha is not None:
            review_sha(ctx, job.sha)
        elif job.kind == "scan":
            scan(ctx)
        elif job.kind == "sweep":
            sweep(ctx)
        elif job.kind == "land":
            with landing():  # its writes spend the content budget first (app.github.budget)
                land(ctx)
        elif job.kind == "config" and job.sha is not None:
            config_pushed(ctx, job.sha)
        elif job.kind == "reconcile":
            reconcile(ctx)
        elif job.kind == "onboard":
            onboard(ctx)
        elif job.kind == "command" and job.number is not None:
            run_command(ctx, job.number)
