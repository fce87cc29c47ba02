"""One context per job, as probot's: the repo, its API client, the store, the caches and the reporter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from app.github.api import Api
from app.github.caches import ConfigCache, TextCache
from app.github.models import PullRequest
from app.jobs.job import Job, JobKind
from app.jobs.ready import ReadySet
from app.jobs.store import Store
from app.review.report import Reporter
from config import Config, ConfigError


@dataclass(frozen=True)
class Context:
    """What review and landing work with. Built by the worker's dispatcher for each job; `pr` is the
    typed pull request once the job is about one (a scan or a landing goes over several)."""

    installation_id: int
    repo: str
    api: Api
    store: Store
    texts: TextCache
    configs: ConfigCache
    reporter: Reporter
    ready: ReadySet
    enqueue: Callable[[Job], bool]
    pr: PullRequest | None = None
    budget: float = 5.0  # seconds of work one PR's evaluation may take (UNDERSIGNED_EVAL_BUDGET)
    landing_gap: float = 0.0  # seconds between two landings on one repo (UNDERSIGNED_LANDING_GAP)

    @property
    def pull(self) -> PullRequest:
        if self.pr is None:
            raise LookupError(f"this job on {self.repo} is not about one pull request")
        return self.pr

    def with_pr(self, pr: PullRequest) -> Context:
        return replace(self, pr=pr)

    def config(self, default_branch: str) -> Config | ConfigError | None:
        """The repo's `.github/undersigned.yml`, read from the default branch only (never from a PR)."""
        return self.configs.get(self.api, self.repo, default_branch)

    def queue(self, kind: JobKind, number: int | None = None) -> bool:
        """Ask for another job on this repo (a landing, a fresh evaluation)."""
        return self.enqueue(Job(kind, self.installation_id, self.repo, number))
