"""Landing: valid signatures reach the default branch exactly once, one repo at a time, in batches."""

from __future__ import annotations

import logging
import time

from github import GithubException
from prometheus_client import Counter

from app.affiliations.verify import kept_notes
from app.github.config_source import load_config
from app.github.models import PullRequest
from app.jobs.job import JobDeferredError
from app.jobs.ready import Ready, config_fingerprint
from app.jobs.store import Keys
from app.landing.hold import on_hold
from app.landing.merge import BlockedError, cannot_apply, merge_commit
from app.landing.thanks import Owed, Thanks
from app.logs import event
from app.review.context import Context
from app.review.render import MARKER, CheckReport, comment_body
from app.rules import Verdict
from config import Config, ConfigError

log = logging.getLogger("undersigned.land")
LANDED = Counter("undersigned_landed_total", "Pull requests landed", ["how"])
MAX_BATCH = 50  # PR heads per merge commit


def land(ctx: Context) -> None:
    """Land everything waiting for the repo, then post the comments landed PRs are owed (app.landing.thanks)
    as far as the content budget allows; the job comes back for the rest, and for PRs that wait for the gap."""
    wait = _gap_left(ctx)
    if wait <= 0:
        land_waiting(ctx)
    later = Thanks(ctx.store).pay(ctx.repo, ctx.reporter)
    if wait > 0 and ctx.ready.items(ctx.repo):
        later = wait if later is None else min(later, wait)
    if later is not None:
        # Back within one gap at most: a PR validated meanwhile, whose own "land" joined this job, must not
        # wait for the thank-yous' turn in the budget.
        why = f"{ctx.repo}: signatures wait for the landing gap, or comments for the content budget"
        raise JobDeferredError(why, min(later, max(ctx.landing_gap, 1.0)))


def _gap_left(ctx: Context) -> float:
    """Seconds until the repo may land again. A landing is three content-creating writes, whatever its size:
    on launch day, signatures that arrive within the gap land together (GitHub allows 500 such writes an hour).
    The gap is `landing_gap` while the hour has room, longer when it is short (app.github.budget), so that
    batches grow instead of landings failing or taking the invalid signers' reports' room."""
    last = ctx.store.get(Keys.landed_at(ctx.repo)) if ctx.landing_gap > 0 else None
    if last is None:
        return 0.0
    budget = ctx.api.budget
    gap = budget.landing_gap(ctx.landing_gap) if budget is not None else ctx.landing_gap
    # Never more than the gap: the stamp is rounded to the millisecond, and another worker's clock may run ahead.
    return min(gap, float(last) + gap - _now(ctx))


def _now(ctx: Context) -> float:
    """The time the gap is counted in: the content budget's (the same as its log's), else the wall clock."""
    budget = ctx.api.budget
    return budget.clock() if budget is not None else time.time()


def _gap_kept(ctx: Context) -> float:
    """Seconds the time of the last landing is kept: past the longest gap the budget may ask."""
    budget = ctx.api.budget
    return max(60.0, 2 * (budget.longest_gap(ctx.landing_gap) if budget is not None else ctx.landing_gap))


def land_waiting(ctx: Context) -> None:
    """One landing per repo at a time, across processes: the lock names its owner and lapses within seconds
    if that process dies. A landing that finds the lock busy does not spin: it is deferred, with backoff, and
    finds the holder's work done or its own to do."""
    with ctx.store.lock(Keys.landing_lock(ctx.repo)) as mine:
        if not mine:
            raise JobDeferredError(f"another landing on {ctx.repo} holds the lock")
        if ctx.ready.items(ctx.repo) and on_hold(ctx.api, ctx.repo):
            event(log, "on hold", repo=ctx.repo)  # they wait, validated; `/undersigned resume` lands them
            return
        while waiting := ctx.ready.items(ctx.repo):
            land_batch(ctx, waiting[:MAX_BATCH])
            if ctx.landing_gap > 0:
                ctx.store.put(Keys.landed_at(ctx.repo), f"{_now(ctx):.3f}", ttl=_gap_kept(ctx))


def land_batch(ctx: Context, waiting: list[Ready]) -> None:
    """Land one batch. A PR it does not land still gets the check its evaluation held back."""
    try:
        _land_batch(ctx, waiting)
    except JobDeferredError:
        raise  # not now (the content budget, a lock): the PRs wait, ready, and are owed nothing yet
    except Exception:
        # GitHub kept failing (the job is retried, the PRs stay ready): until then, show what is owed.
        still = {(r.number, r.sha) for r in ctx.ready.items(ctx.repo)}
        for item in waiting:
            if (item.number, item.sha) in still:
                settle(ctx, item)
        raise


def _land_batch(ctx: Context, waiting: list[Ready]) -> None:
    batch: list[tuple[Ready, PullRequest]] = []
    gone: list[Ready] = []
    now = fresh_pulls(ctx, {item.number for item in waiting})
    for item in waiting:
        pr = now.get(item.number)
        if pr is None or pr.state != "open" or pr.head_sha != item.sha:
            gone.append(item)  # merged, closed, or pushed to since validation (that push re-evaluates)
        else:
            batch.append((item, pr))
    for item in gone:
        ctx.reporter.forget_check(item.sha)  # merged is its own outcome; a closed or old head needs none
    ctx.ready.drop(ctx.repo, gone)
    if not batch:
        return
    # The present, read just before writing: the config as it is on the default branch now (not the cached
    # copy), and each PR's base. A PR judged under another config, frozen or blocked since, or retargeted
    # since, is judged again instead (its fresh verdict says why, and withdraws it unless still valid).
    config = load_config(ctx.api, ctx.repo, batch[0][1].default_branch, ctx.configs.parsed)
    stale = [item for item, pr in batch if not _still_valid(config, item, pr)]
    if stale:
        ctx.configs.forget(ctx.repo)  # the fresh evaluations read the config we just read, not a cached one
    for item in stale:
        ctx.reporter.forget_check(item.sha)
        ctx.queue("evaluate", item.number)
        ctx.ready.drop(ctx.repo, [item])  # at once after the queueing, as in cannot_apply
    batch = [(item, pr) for item, pr in batch if item not in stale]
    if not batch or not isinstance(config, Config):
        return
    rejected: list[tuple[Ready, str]] = []  # handed back after the attempt, so their fresh evaluation
    try:  # reads the letter this batch made
        landed = merge_commit(ctx, config, batch, rejected)
    except BlockedError as exc:
        hand_back(ctx, rejected)
        blocked = [(item, pr) for item, pr in batch if item not in [r for r, _ in rejected]]
        for _, pr in blocked:
            report_blocked(ctx, pr, str(exc))
        ctx.ready.drop(ctx.repo, [item for item, _ in blocked])
        return
    except Exception:
        hand_back(ctx, rejected)
        raise
    hand_back(ctx, rejected)
    # What each landed PR is owed is recorded before the PRs leave the ready set: a crash between the two
    # posts it twice at worst (a no-op), never not at all.
    Thanks(ctx.store).owe(ctx.repo, [o for _, pr in landed.prs if (o := owed(ctx, config, pr, landed.sha))])
    ctx.ready.drop(ctx.repo, [item for item, _ in landed.prs])
    LANDED.labels(landed.how).inc(len(landed.prs))
    for _, pr in landed.prs:
        after_landing(ctx, config, pr)
    event(log, "landed", repo=ctx.repo, prs=[i.number for i, _ in landed.prs], how=landed.how, sha=landed.sha)


def fresh_pulls(ctx: Context, numbers: set[int]) -> dict[int, PullRequest]:
    """The waiting PRs as they are now, read just before landing: the listing of open PRs, newest first, names
    them a page of 100 at a time (Api.open_pulls_among); any it does not show is read by number (closed, or
    older than paging pays for). A PR that is gone is absent from the answer."""
    found = ctx.api.open_pulls_among(ctx.repo, numbers)
    for number in sorted(numbers - set(found)):
        try:
            found[number] = ctx.api.pull(ctx.repo, number)
        except GithubException as exc:
            if exc.status not in (404, 410):
                raise
    return found


def _still_valid(config: Config | ConfigError | None, item: Ready, pr: PullRequest) -> bool:
    """Whether what the PR was validated under still holds: the same config, on the default branch. A PR is
    ready only when valid under a config that lets it land, so the same fingerprint (all of the config:
    `frozen`, `signers.blocked`, `merge.enabled`) means the same verdict; any change, and it is judged again."""
    if not isinstance(config, Config) or pr.base.ref != pr.default_branch:
        return False  # retargeted after validation: signatures land on the default branch only
    return item.config == config_fingerprint(config)


def hand_back(ctx: Context, rejected: list[tuple[Ready, str]]) -> None:
    for item, why in rejected:
        cannot_apply(ctx, item, why)


def settle(ctx: Context, item: Ready) -> None:
    try:
        ctx.reporter.settle_check(item.sha)
    except Exception:
        log.exception("could not post an owed check", extra={"fields": {"repo": ctx.repo, "pr": item.number}})


def owed(ctx: Context, config: Config, pr: PullRequest, sha: str) -> Owed | None:
    """The comment a landed PR is owed: the thank-you, with the commit and the letter's link
    (`report.thank_you`, one write per signer); with it off, only a comment of ours that exists is edited."""
    if not config.report.comment:
        return None
    notes = kept_notes(ctx.store, ctx.repo, pr)  # what its evaluation said of the affiliation, said again
    site = pr.html_url.rsplit("/pull/", 1)[0]
    where = config.letter.directory or config.letter.file
    letter = f"{site}/blob/{pr.default_branch}/{where}" if site else ""
    body = comment_body(Verdict("sign", notes=notes), pr.author, landed=sha, letter=letter)
    return Owed(pr.number, body, create=config.report.thank_you, comments=pr.comments)


def after_landing(ctx: Context, config: Config, pr: PullRequest) -> None:
    """GitHub now shows the PR merged: that is the signer's outcome, so the held-back check is dropped."""
    ctx.reporter.forget_check(pr.head_sha)
    ctx.reporter.labels(pr, config, "landed")


def report_blocked(ctx: Context, pr: PullRequest, reason: str) -> None:
    summary = (
        f"The signature is valid, but undersigned cannot land it: {reason}. "
        "A maintainer can merge it, or let the App push to the default branch and comment `/recheck`."
    )
    ctx.reporter.check(pr.head_sha, CheckReport("action_required", "Valid, but blocked from landing", summary))
    ctx.reporter.comment(pr, f"{MARKER}\n{summary}\n", only_if_exists=False)
    event(log, "landing blocked", repo=ctx.repo, pr=pr.number, reason=reason)
