"""One Action run: the event's jobs, then what waits (the catch-up), then the landing, all in this process.

The jobs are the App's (handlers/), run by the App's dispatcher over the same review and landing layers;
only the queue differs: a list in memory that lives as long as the run. Landing jobs wait until every other
job is done, so each run lands everything valid in one commit, as the App's batches do.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from dataclasses import replace
from typing import Any

from github import GithubException, RateLimitExceededException

from app.action import watermark
from app.action.catch_up import Survey, catch_up, in_flight, survey
from app.action.checks import POINTS_RESERVE
from app.action.env import INSTALLATION
from app.action.hourly import RESERVE as HOURLY_RESERVE
from app.action.hourly import TokenApi
from app.action.state import GitHubStore
from app.action.tally import Tally, made
from app.action.tip import read_tip
from app.action.watermark import Watermark
from app.affiliations.recheck import next_key as recheck_key
from app.github.api import Api
from app.github.budget import RESERVE, BudgetShortError, spending
from app.github.models import PullRequest
from app.jobs.job import Job, JobDeferredError
from app.logs import event
from app.worker.dispatch import Dispatcher
from config import CONFIG_PATH

log = logging.getLogger("undersigned.action")
CONFIG_TTL = 24 * 3600.0  # a run reads the config once; a push that changes it drops it (config_pushed)
MAX_JOBS = 5000  # a run that would do more is stuck in a loop: stop, and say so
LAND_AT = 40  # requests kept for a landing (its reads, 3 writes, thank-yous, the watermark): see _next
EVALUATION = 4  # requests one evaluation may take (the PR, the compare, a check run and a comment)
ORDER = {"reconcile": 1, "land": 2}  # other jobs: 0
GONE = {404, 410, 422}  # the PR or commit is gone: nothing to do (the App drops such jobs too)
TALLY_AT = 25  # a run that read this much writes the tally, even with nothing else to record
ADVANCE_AT = 3  # a watermark is written when the next run would otherwise read this many PRs' checks again


class OneToken:
    """The dispatcher's source of API clients: the run's one token, for its one repository."""

    def __init__(self, api: Api) -> None:
        self._api = api

    def api(self, installation_id: int) -> Api:
        return self._api


class ActionRun:
    """Runs jobs to completion. `failures` says, in plain words, what could not be done."""

    def __init__(
        self, api: Api, repo: str, branch: str | None = None, *, graphql: bool = False, gap: float = 0.0
    ) -> None:
        """`branch`: the default branch, as the event's payload names it (else it is read); `graphql`: our
        check runs are learnt in bulk over GraphQL (app.action.checks); `gap`: seconds between two landings."""
        self.api, self.repo, self.branch, self.gap = api, repo, branch, gap
        self.tip_at: float | None = None  # when the tip was committed (the last landing), if the run read it
        left = api.graphql_left if isinstance(api, TokenApi) else None
        graphql = graphql and (left is None or left >= POINTS_RESERVE)  # GraphQL's hour nearly spent: REST only
        self.store = GitHubStore(api, bulk=graphql)
        # A run keeps nothing for the next: the weekly re-check of affiliation marks (app.affiliations.recheck)
        # would run on every scheduled run, so it is the App's alone. Marked done for this run's lifetime.
        self.store.put(recheck_key(repo), "inf")
        # With `graphql`, evaluations read their diffs and letters in GraphQL batches too (app.review.batch, as
        # the App's UNDERSIGNED_GRAPHQL_READS): GraphQL's budget is its own, the hour's requests are kept.
        self.dispatcher = Dispatcher(OneToken(api), self.store, self.enqueue, CONFIG_TTL, graphql_reads=graphql)
        self.pending: dict[str, Job] = {}
        self.store.memory.queue = self.pending  # a batch reads the queued evaluations of this run at once
        self.reviewed: dict[int, str | None] = {}  # PRs this run evaluated: the head, when the event named it
        self.caught_up = False
        self.failures: list[str] = []
        self.deferred: list[int] = []  # jobs the content budget left to the next run (their PR, or 0)
        self.listed: dict[int, float] = {}  # the catch-up's PRs, by number: when each was last updated
        self.count = 0
        self.quick = False  # the catch-up follows an event (not the schedule): see catch_up
        self.mark: Watermark | None = None  # how far a complete catch-up got: see record()
        self.state: tuple[str, Watermark | None, dict[str, Any] | None] | None = None  # branch, as read, its run
        self.window = (0, 0)  # the token's window's reset and used requests, at load
        self.landed = False
        self.decided: set[str] = set()  # the event's own jobs that a verdict on their head already answers
        self.counts = (False, 0, 0)  # the catch-up: whether it read every open PR, PRs listed, checks read
        self.survey: Survey | None = None  # what the catch-up looks at, listed before the first job
        self.event_heads: list[str] = []  # the heads the event's jobs name: their checks are learnt in bulk

    def enqueue(self, job: Job) -> bool:
        if job.key in self.pending:
            return False  # coalesced: the job reads fresh state, so one run of it serves both
        self.pending[job.key] = job
        return True

    def run(self, jobs: list[Job], *, catch_up: bool, new_head: bool = False) -> list[str]:
        """`new_head`: the event says only that the PR (or its head) is new (opened, synchronize, reopened),
        so a verdict already on that head, from another run, stands: the job is not run again."""
        for job in jobs:
            self.enqueue(job)
        self.decided = {job.key for job in jobs if new_head}
        self.event_heads = [head for job in jobs if job.kind == "evaluate" and (head := _head(job))]
        if catch_up:
            self.quick = True
            self.enqueue(Job("reconcile", INSTALLATION, self.repo))
        if catch_up or any(job.kind == "reconcile" for job in jobs):
            self.load()
        self.drain()
        self.record()
        return self.failures

    def load(self) -> None:
        """Read the watermark before any job (a read the catch-up makes anyway): its tally sets what the
        content budget starts from (app.action.tally). Then list what the catch-up looks at, and
        learn our check runs on those heads and on the event's in bulk (app.action.catch_up.survey)."""
        tip = read_tip(self.api.req, self.repo, CONFIG_PATH) if self.store.bulk else None  # GraphQL: see its module
        self.tip_at = tip.committed_at if tip is not None else None
        if tip is not None and tip.config_known and isinstance(self.api, TokenApi):
            self.api.prime(self.repo, CONFIG_PATH, tip.branch, tip.config)
        try:
            self.guard()
            branch = tip.branch if tip is not None else self.branch or self.api.repository(self.repo).default_branch
            if tip is not None and tip.mark_known:
                mark, held_by = tip.mark, tip.held_by
            else:
                mark, held_by = watermark.read(self.api, self.repo, branch)
        except GithubException:
            return  # the catch-up reads them again, and says what failed
        self.state = (branch, mark, held_by)
        remaining, limit = self.api.req.rate_limiting
        self.window = (self.api.req.rate_limiting_resettime, limit - remaining if limit > 0 else 0)
        budget = self.api.budget
        if budget is not None:  # asked at the first write, after the survey has learnt the stamps on its heads
            budget.start = lambda: self.store.newest_tally(mark).writes(time.time(), *self.window, budget.hour)
        if isinstance(self.api, TokenApi):
            self.api.stamp = self.tally
        with contextlib.suppress(GithubException):  # else the catch-up lists again, and says what failed
            self.survey = survey(self)
        if self.survey is None or self._short():
            return  # the reconcile job catches up (or is left for later, as a whole)
        try:
            # What the catch-up finds is queued now, after the event's own jobs: the first evaluation's GraphQL
            # batch (app.review.batch) then reads every evaluation of this run at once.
            catch_up(self)
        except GithubException:
            self.caught_up, self.mark = False, None  # the reconcile job tries again, and says what failed

    def record(self) -> None:
        """Write how far this run caught up (app.action.watermark), and the content-creating requests this
        window holds. Nothing is written after a failure; a run that could not account for what it left for
        later (a landing, a PR it did not list) leaves the watermark where it was, and writes only the tally."""
        if self.state is None or self.failures:
            return
        branch, old, held_by = self.state
        full, listed, read = self.counts
        # What the content budget left for later keeps the watermark before it (the oldest such PR's update):
        # what came before was decided, and on launch day the next run does not read the whole wave again.
        left = [self.listed.get(number) for number in self.deferred]
        complete = self.mark is not None and None not in left
        if complete and self.mark is not None and left:
            self.mark = replace(self.mark, since=min(self.mark.since, *[t for t in left if t is not None]))
        # Worth a write when it saves the next run more than it costs: these PRs' checks, or every open PR's
        # when the tip moved (a landing: the watermark is on the tip), or this run's reads counted as writes.
        worth = complete and (listed >= ADVANCE_AT if full else self.landed or read >= ADVANCE_AT)
        untallied = isinstance(self.api, TokenApi) and self.api.writes > self.api.covered  # after its last stamp
        if not worth and not untallied and self.api.reads < TALLY_AT:
            return
        mark = self.mark if complete and self.mark is not None else old or Watermark(0.0, 0.0, "")
        mark = replace(mark, tally=self.tally(ahead=1))  # ahead: this write
        try:
            with spending("landing"):  # one write that gives the next run its budget back: first in line
                watermark.write(self.api, self.repo, branch, mark, held_by, moved=self.landed)
        except BudgetShortError:
            return  # the next run reads a little more: nothing is lost
        except GithubException as exc:
            event(log, "watermark not written", repo=self.repo, status=exc.status)

    def tally(self, ahead: int = 0) -> Tally:
        """This run's tally now: the content writes its budget holds (the earlier runs' it started from, and its
        own), and `ahead` more about to be made; with the token's requests, this one's included."""
        remaining, limit = self.api.req.rate_limiting
        reset, used = self.api.req.rate_limiting_resettime, (limit - remaining if limit > 0 else 0) + 1
        budget = self.api.budget
        writes, hour = (budget.times(), budget.hour) if budget is not None else ([], 3600.0)
        return made(reset, used, math.ceil(time.time()), writes, hour, ahead)

    def guard(self) -> None:
        if isinstance(self.api, TokenApi):
            self.api.guard()  # the hour's requests nearly used up: stop here, and say so

    def _next(self) -> Job | None:
        """The event's own jobs first, then the catch-up (skipped if a scan already looked at every PR), then
        the landing: so what the whole run found valid lands in one commit. But when the hour's requests left
        would not last for one more evaluation and a landing, what is found valid lands first: valid signers
        do not wait for the next hour behind a spam wave's evaluations (and those wait: see run_one)."""
        if not self.pending:
            return None
        land = next((k for k, job in self.pending.items() if job.kind == "land"), None)
        if land is not None and self._left() < LAND_AT + EVALUATION:
            return self.pending.pop(land)
        key = min(self.pending, key=lambda k: ORDER.get(self.pending[k].kind, 0))  # min keeps queue order on ties
        return self.pending.pop(key)

    def drain(self) -> None:
        while (job := self._next()) is not None:
            self.count += 1
            if self.count > MAX_JOBS:
                self.failures.append(f"stopped after {MAX_JOBS} jobs in one run; the next run goes on")
                self.pending.clear()
                return
            self.run_one(job)

    def run_one(self, job: Job) -> None:
        try:
            self.guard()
            if job.kind == "evaluate" and self._left() < LAND_AT + EVALUATION:
                # The rest of the hour is kept for landing what is valid (_next): this waits for the next hour,
                # found again from GitHub's state (no verdict of ours on its head). The watermark stays before it.
                self.deferred.append(job.number or 0)
                return
            if job.kind in ("evaluate", "reconcile") and self._short():
                # Whatever it decides, its report could not be written now: reading for it would be spent
                # twice, as the next run reads it again. Left as a whole (the watermark stays where it was).
                self.deferred.append(job.number or 0)
                return
            if job.kind == "reconcile":
                if not self.caught_up:
                    catch_up(self)
                return
            if job.kind == "scan":
                self.caught_up = True  # every open PR is evaluated: nothing left to find
            if job.kind == "evaluate" and job.number is not None:
                head = self.reviewed[job.number] = _head(job)
                if head is not None and job.key in self.decided and self._final(head):
                    return  # an earlier run's catch-up decided this head (its own run was pending meanwhile)
            if job.kind == "land":
                self.wait_for_gap()
            self.landed = self.landed or job.kind in ("land", "command")  # the tip may move: see record()
            self.dispatcher.run(job)
        except JobDeferredError as exc:
            # The content budget is short (app.github.budget): a run never waits for it. What the job owes is
            # left undone as a whole, and the next run finds it from GitHub's state (no check run of ours on
            # the head, or a valid one not landed): nothing is lost, nothing is half-written.
            self.deferred.append(job.number or 0)
            event(log, "left for the next run", job=job.key, reason=str(exc))
        except RateLimitExceededException as exc:
            self.failures.append(
                f"GitHub's rate limit for this repository's token is used up ({_reset(exc)}); "
                "the first run after that goes on where this one stopped."
            )
            self.pending.clear()
        except GithubException as exc:
            message = exc.data.get("message") if isinstance(exc.data, dict) else None
            if exc.status in GONE:
                event(log, "job gone", job=job.key, status=exc.status, message=message)
                return
            self.failures.append(f"{_what(job)}: GitHub answered {exc.status} ({message or 'no message'}).")
        except Exception as exc:  # one job's failure must not stop the others; the run reports it
            log.exception("job failed", extra={"fields": {"job": job.key}})
            self.failures.append(f"{_what(job)} failed: {type(exc).__name__}: {exc}")

    def wait_for_gap(self) -> None:
        """Land no sooner than `gap` seconds after the tip's commit (the last landing): a landing is three
        content-creating writes whatever its size, so on launch day the signatures found valid meanwhile land
        together. Runs of one concurrency group go one at a time, so the events that come while this one waits
        gather in the one pending run, whose catch-up finds them all. The gap stretches as the App's does
        when the hour is short of room (app.github.budget.landing_gap); the wait is never longer than it."""
        if self.gap <= 0 or self.tip_at is None or not self.dispatcher.ready.items(self.repo):
            return
        budget = self.api.budget
        gap = budget.landing_gap(self.gap) if budget is not None else self.gap
        wait = min(gap, self.tip_at + gap - time.time())  # (a tip committed "in the future" waits one gap)
        if wait > 0:
            event(log, "landing waits for the gap", repo=self.repo, seconds=round(wait, 1))
            time.sleep(wait)

    def _left(self) -> int:
        """The hour's requests left beyond the reserve (app.action.hourly), as the last response said."""
        remaining, limit = self.api.req.rate_limiting
        return remaining - HOURLY_RESERVE if limit > 0 and remaining >= 0 else 1 << 30

    def _short(self) -> bool:
        """Whether the content budget has no room for a report (a check run and a comment) now."""
        budget = self.api.budget
        if budget is None or budget.per_hour <= 0:
            return False
        return budget.level() < RESERVE["check"] * budget.burst + 2

    def _final(self, head: str) -> bool:
        """Whether `head` shows a verdict of ours that is the end (learnt in bulk with the catch-up's heads, else
        one read, which evaluating it would make; a success is not: valid, it may still have to land)."""
        run = self.store.our_run(self.repo, head)
        return run is not None and not in_flight(run, landing=True)


def _head(job: Job) -> str | None:
    """The head an evaluate job's event named (its PR snapshot), if any."""
    if job.pr is None:
        return None
    try:
        return PullRequest.model_validate_json(job.pr).head_sha
    except ValueError:
        return None


def _what(job: Job) -> str:
    if job.number is not None:
        return f"checking pull request #{job.number}"
    names = {"land": "landing", "config": "checking the configuration", "scan": "checking every open pull request"}
    return names.get(job.kind, job.kind)


def _reset(exc: GithubException) -> str:
    reset = (exc.headers or {}).get("x-ratelimit-reset")
    if reset and reset.isdigit():
        return "it resets at " + time.strftime("%H:%M UTC", time.gmtime(int(reset)))
    return "it resets within the hour"
