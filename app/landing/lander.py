"""Landing: valid signatures reach the default branch exactly once, one repo at a time, in batches."""

from __future__ import annotations

import logging

from prometheus_client import Counter

from app.github.models import PullRequest
from app.jobs.job import JobDeferredError
from app.jobs.ready import Ready
from app.jobs.store import Keys
from app.landing.merge import BlockedError, HeadMovedError, Landed, merge_commit, merge_endpoint
from app.logs import event
from app.review.context import Context
from app.review.render import MARKER, CheckReport, comment_body
from app.rules import Verdict
from config import Config

log = logging.getLogger("undersigned.land")
LANDED = Counter("undersigned_landed_total", "Pull requests landed", ["how"])
MAX_BATCH = 50  # PR heads per merge commit


def land(ctx: Context) -> None:
    """Land everything waiting for the repo. One landing per repo at a time, across processes: the lock
    names its owner and lapses within seconds if that process dies. A landing that finds the lock busy
    does not spin: it is deferred, with backoff, and finds the holder's work done or its own to do."""
    with ctx.store.lock(Keys.landing_lock(ctx.repo)) as mine:
        if not mine:
            raise JobDeferredError(f"another landing on {ctx.repo} holds the lock")
        while waiting := ctx.ready.items(ctx.repo):
            land_batch(ctx, waiting[:MAX_BATCH])


def land_batch(ctx: Context, waiting: list[Ready]) -> None:
    batch: list[tuple[Ready, PullRequest]] = []
    gone: list[Ready] = []
    for item in waiting:
        pr = ctx.api.pull(ctx.repo, item.number)
        if pr.state != "open" or pr.head_sha != item.sha:
            gone.append(item)  # merged, closed, or pushed to since validation (that push re-evaluates)
        else:
            batch.append((item, pr))
    ctx.ready.drop(ctx.repo, gone)
    if not batch:
        return
    items = [item for item, _ in batch]
    config = ctx.config(batch[0][1].default_branch)
    if not isinstance(config, Config) or not config.merge.enabled:
        ctx.ready.drop(ctx.repo, items)
        return
    try:
        merged = merge_endpoint(ctx, config, *batch[0]) if len(batch) == 1 else None
        landed = Landed([batch[0]], "merge-endpoint", merged) if merged else merge_commit(ctx, config, batch)
    except BlockedError as exc:
        for _, pr in batch:
            report_blocked(ctx, pr, str(exc))
        ctx.ready.drop(ctx.repo, items)
        return
    except HeadMovedError:
        ctx.ready.drop(ctx.repo, items)  # never merge an unvalidated head
        return
    ctx.ready.drop(ctx.repo, items)
    LANDED.labels(landed.how).inc(len(landed.prs))
    for _, pr in landed.prs:
        after_landing(ctx, config, pr, landed.sha)
    event(log, "landed", repo=ctx.repo, prs=[i.number for i, _ in landed.prs], how=landed.how, sha=landed.sha)


def after_landing(ctx: Context, config: Config, pr: PullRequest, sha: str) -> None:
    """Thank the signer in the comment, if there is one (no new comment: it would cost a write per
    signer on launch day), and set the labels."""
    body = comment_body(Verdict("sign"), pr.author, landed=sha)
    ctx.reporter.comment(pr, body, only_if_exists=True, enabled=config.report.comment)
    ctx.reporter.labels(pr, config, "landed")


def report_blocked(ctx: Context, pr: PullRequest, reason: str) -> None:
    summary = (
        f"The signature is valid, but undersigned cannot land it: {reason}. "
        "A maintainer can merge it, or let the App push to the default branch and comment `/recheck`."
    )
    ctx.reporter.check(pr.head_sha, CheckReport("action_required", "Valid, but blocked from landing", summary))
    ctx.reporter.comment(pr, f"{MARKER}\n{summary}\n", only_if_exists=False)
    event(log, "landing blocked", repo=ctx.repo, pr=pr.number, reason=reason)
