"""Review more than one PR: by number, by head sha, every open PR of a repo, or the long-invalid ones."""

from __future__ import annotations

import time

from app.github.models import PullRequest
from app.jobs.store import Keys
from app.review.context import Context
from app.review.evaluate import review
from config import Config

REVIEW_WAIT = 15.0  # an evaluation takes well under a second; a dead holder's lock lapses within one lease


def review_number(ctx: Context, number: int, snapshot: str | None = None) -> None:
    """Evaluate PR `number`, one evaluation of it at a time across workers and processes: a scan and a
    job for the same PR would otherwise both find no check run and both create one. The lock names its
    owner and lapses within one lease if that process dies. `snapshot`: the PR as its webhook carried it
    (Job.pr), used instead of reading it again; without one, the PR is read (conditionally: a re-read of a
    PR that did not change is a free 304)."""
    deadline = time.monotonic() + REVIEW_WAIT
    while True:
        with ctx.store.lock(Keys.review_lock(ctx.repo, number)) as mine:
            if mine:
                pr = PullRequest.model_validate_json(snapshot) if snapshot else ctx.api.pull(ctx.repo, number)
                review(ctx.with_pr(pr))
                return
        if time.monotonic() > deadline:
            ctx.queue("evaluate", number)  # come back later rather than hold a worker (reading it fresh)
            return
        time.sleep(0.05)


def review_sha(ctx: Context, sha: str) -> None:
    """A check run's Re-run on a fork PR names only the head sha: find its PR among the open ones."""
    for pr in ctx.api.open_pulls(ctx.repo):
        if pr.head_sha == sha:
            review_number(ctx, pr.number)


def scan(ctx: Context) -> None:
    """Every open PR of the repo (a new installation, a repo added to one)."""
    for pr in ctx.api.open_pulls(ctx.repo):
        review_number(ctx, pr.number)


def sweep(ctx: Context) -> None:
    """Re-evaluate the open PRs that may have been invalid too long (none unless the repo asks)."""
    config = ctx.config(ctx.api.repository(ctx.repo).default_branch)
    if not isinstance(config, Config) or config.merge.close_invalid_after_days is None:
        return
    limit = config.merge.close_invalid_after_days * 86400
    for pr in ctx.api.open_pulls(ctx.repo):
        since = ctx.store.get(Keys.invalid_since(ctx.repo, pr.number))
        if since is not None and time.time() - float(since) >= limit:
            review_number(ctx, pr.number)
