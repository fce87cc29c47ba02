"""The Action's catch-up: the open PRs no run of ours decided, found among those updated since the watermark.

A run lists them once, before its first job (`survey`), and learns our check run on every listed head and
on its event's heads in one GraphQL query (app.action.checks): neither the event's evaluation nor the
catch-up then reads a check run before deciding or reporting. `catch_up` queues what is undecided, known
valid first (see `order`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

from app.action import watermark
from app.action.env import INSTALLATION
from app.action.state import GitHubStore
from app.action.watermark import Watermark
from app.github.api import Api
from app.github.models import PullRequest
from app.jobs.job import Job
from app.jobs.ready import config_fingerprint
from app.logs import event
from app.review.config_check import WAITING_TITLE
from app.worker.dispatch import Dispatcher
from config import Config

log = logging.getLogger("undersigned.action")


@dataclass(frozen=True)
class Survey:
    """The open PRs a catch-up looks at: updated since `since` (everything when `full`), newest first."""

    config: Config
    fingerprint: str
    full: bool
    since: float
    listed: list[tuple[PullRequest, float]]
    newest: float
    now: float


class RunState(Protocol):
    """What of a run (app.action.run) the catch-up reads and sets."""

    api: Api
    repo: str
    store: GitHubStore
    dispatcher: Dispatcher
    quick: bool
    caught_up: bool
    state: tuple[str, Watermark | None, dict[str, Any] | None] | None
    survey: Survey | None
    event_heads: list[str]
    reviewed: dict[int, str | None]
    listed: dict[int, float]
    mark: Watermark | None
    counts: tuple[bool, int, int]


def survey(run: RunState) -> Survey | None:
    """List what the catch-up will look at (the config and the listing: reads it makes anyway), and learn our
    check runs on those heads and the event's in bulk. None: not a letter, or a broken config."""
    assert run.state is not None
    branch, mark, _ = run.state
    ctx = run.dispatcher.context(Job("reconcile", INSTALLATION, run.repo))
    config = ctx.config(branch)
    if not isinstance(config, Config):
        return None  # not a letter, or a broken config (its PRs' checks and the commit's check say so)
    fingerprint, now = config_fingerprint(config), time.time()
    stale = mark is None or mark.config != fingerprint
    full = mark is None or stale or (not run.quick and now - mark.full_at >= watermark.FULL_EVERY)
    since = 0.0 if full or mark is None else mark.since
    listed, newest = watermark.updated_since(run.api, run.repo, since)
    heads = [pr.head_sha for pr, _ in listed] + [h for h in run.event_heads if h]
    run.store.learn(run.repo, heads, [pr.number for pr, _ in listed])
    return Survey(config, fingerprint, full, since, listed, newest, now)


def catch_up(run: RunState) -> None:
    """Find what no run of ours decided (its run was cancelled while pending, or died): open PRs whose head
    has no check run of ours, still shows "waiting for the configuration", or shows valid but unlanded.
    Level-triggered, as the App's reconciliation: it reads GitHub, nothing remembered. A run reads only the
    PRs updated since the watermark a complete catch-up left on GitHub (app.action.watermark); without one,
    under another config, or on a scheduled run once in FULL_EVERY, it reads every open PR. An event's run
    also skips PRs labelled as needing changes when the maintainers configured that label (the listing shows
    labels for free; a push to such a PR starts its own run), and then keeps the watermark before them, so
    the schedule's run still reads them."""
    run.caught_up = True
    if run.state is None:
        branch = run.api.repository(run.repo).default_branch
        run.state = (branch, *watermark.read(run.api, run.repo, branch))
    found = run.survey if run.survey is not None else survey(run)
    if found is None:
        return
    skipped: list[float] = []
    needs_changes = found.config.report.labels.get("invalid") if run.quick else None
    run.listed = {pr.number: updated for pr, updated in found.listed}
    undecided: list[tuple[int, int]] = []
    read = 0
    for pr, updated in found.listed:
        if run.reviewed.get(pr.number) == pr.head_sha:
            continue  # evaluated in this run, at this head (a push since is read like any other)
        if needs_changes and needs_changes in pr.label_names:
            skipped.append(updated)
            continue
        read += 1
        ours = run.store.our_run(run.repo, pr.head_sha)
        if ours is None or in_flight(ours, landing=found.config.merge.enabled):
            undecided.append((order(ours), pr.number))
    # Queued by `order`, and within it as listed (newest first, as before: the event's run took its own PR).
    queued = [number for _, number in sorted(undecided, key=lambda u: u[0])]
    ctx = run.dispatcher.context(Job("reconcile", INSTALLATION, run.repo))
    prs = {pr.number: pr for pr, _ in found.listed}
    for number in queued:
        # The PR as listed a moment ago, as a webhook would carry it, once its comment count is known (the
        # listing leaves it out); else it is read (GET /pulls/N), as before.
        count = run.store.comment_count(run.repo, number)
        snapshot = None if count is None else prs[number].model_copy(update={"comments": count}).model_dump_json()
        ctx.enqueue(Job("evaluate", INSTALLATION, run.repo, number, pr=snapshot))
    if queued:
        event(log, "caught up", repo=run.repo, evaluate=queued)
    upto = max(found.since, found.newest - watermark.MARGIN)
    if skipped:  # read by the schedule's run: the watermark stays before the oldest of them
        upto = min(upto, *skipped)
    full_at = found.now if found.full or run.state[1] is None else run.state[1].full_at
    run.mark = Watermark(upto, full_at, found.fingerprint)
    run.counts = (found.full, len(found.listed), read)


def order(ours: dict[str, Any] | None) -> int:
    """Which undecided PR goes first when the hour's requests may not last: a head our check shows valid (it
    only has to land), then one waiting for the config, then one never decided (spam and signers alike)."""
    if ours is None:
        return 2
    return 0 if ours.get("conclusion") == "success" else 1


def in_flight(run: dict[str, Any], *, landing: bool) -> bool:
    """A verdict that is not the end: waiting on the config, or valid and not yet landed."""
    if run.get("conclusion") == "neutral":
        return (run.get("output") or {}).get("title") == WAITING_TITLE  # not "not a signature": that one is final
    return landing and run.get("conclusion") == "success"
