"""The content budget: a token bucket per installation for GitHub's content-creating requests, in priority order.

GitHub allows 80 content-creating requests a minute and 500 an hour; past that it answers 403, and repeated
violations can get an integration banned.
https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
The bucket holds `burst` tokens (70) and refills `per_hour` (400), so no sliding hour sees more than
burst + per_hour (470 < 500) and no minute more than 70 + 400/60 < 80, paced or not. Tokens go by priority:
landing may take the last one, a failure check run leaves a reserve for landing, a comment a larger one,
labels the largest. What cannot take a token now is not dropped: BudgetShortError (a JobDeferredError) sends
the job back with the time the bucket needs; the App runs it again then, and an Action run leaves it to the
next run, which finds it from GitHub's state. The App's bucket lives in the shared store, so every worker
and process spends from one; an Action run starts from what GITHUB_TOKEN's headers say this hour used.

How a write spends (every mutation through app.github.api.Api does, by itself):
    with spending("comment"):           # the use, when the endpoint does not say it (see use_of)
        api.create_comment(...)
    with spending("check", writes=2):   # pay for two writes at the first, all or nothing (an Action run's
        reporter.check(...)             # report: its catch-up takes a head with our check as decided)
        reporter.comment(...)
Uses: "landing" (commits, refs, merges; inside a landing job, every write), "check", "comment", "labels".
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from typing import Literal

from app.jobs.job import JobDeferredError
from app.jobs.keys import Keys
from app.jobs.store import Store

Use = Literal["landing", "check", "comment", "labels"]
# The share of the bucket each use leaves for the uses before it.
RESERVE: dict[Use, float] = {"landing": 0.0, "check": 0.1, "comment": 0.35, "labels": 0.6}


@dataclass
class _Plan:
    use: Use
    writes: int
    paid: int = 0  # tokens bought for this block and not used yet
    bought: bool = False


_PLAN: ContextVar[_Plan | None] = ContextVar("undersigned_spending", default=None)


@contextmanager
def spending(use: Use, writes: int = 1) -> Iterator[None]:
    """Every write inside spends as `use`. With `writes` > 1, the first write buys that many tokens at once
    (or none, and raises BudgetShortError before anything is sent); the next ones spend what it bought."""
    token = _PLAN.set(_Plan(use, max(1, writes)))
    try:
        yield
    finally:
        _PLAN.reset(token)


@contextmanager
def landing() -> Iterator[None]:
    """Every write made inside (a landing job: commits, refs, its comments) spends as landing, first."""
    with spending("landing"):
        yield


class BudgetShortError(JobDeferredError):
    """No token for this use now: run the job again later (nothing it owes is lost)."""


@dataclass
class Level:
    tokens: float
    at: float
    turns: dict[str, float] = field(default_factory=dict)  # per use: the last comeback time handed out


class ContentBudget:
    """One installation's bucket (an Action run's: its repository's). `charge(url)` is what Api calls before
    each mutation; `take(use, n)` spends n tokens, all or nothing. Landing waits up to `landing_wait` seconds
    for its token; any other use (and landing past that) raises BudgetShortError with the time to come back."""

    STORE_WAIT = 2.0  # seconds to wait for another worker's hold on the shared bucket

    def __init__(
        self,
        installation_id: int,
        per_hour: float,
        burst: float,
        hour: float = 3600.0,
        store: Store | None = None,
        *,
        landing_wait: float = 60.0,
    ) -> None:
        """`hour`: seconds in the budget's hour (shorter only when a simulation scales time)."""
        self.installation_id, self.per_hour, self.burst, self.hour = installation_id, per_hour, burst, hour
        self.store, self.landing_wait, self.lock = store, landing_wait, threading.Lock()
        self.local = Level(burst, time.time())
        self.deferred = 0  # writes sent back to wait, for the status page
        self.start: Callable[[], float] | None = None  # an Action run: the tokens it starts with, asked lazily

    def charge(self, url: str) -> None:
        """Spend for one mutation of `url`, as the current `spending` block says, else by its endpoint."""
        plan = _PLAN.get()
        if plan is None:
            self.take(use_of(url))
            return
        if plan.paid > 0:
            plan.paid -= 1
            return
        if not plan.bought and plan.writes > 1:
            self.take(plan.use, plan.writes)
            plan.bought, plan.paid = True, plan.writes - 1
            return
        self.take(plan.use)

    def take(self, use: Use, n: int = 1) -> None:
        if self.per_hour <= 0:
            return  # no budget: unlimited (tests that run unpaced)
        deadline = time.monotonic() + self.landing_wait
        while (short := self._try(use, n)) > 0:
            if use != "landing" or time.monotonic() + min(short, 1.0) > deadline:
                with self.lock:
                    self.deferred += n
                raise BudgetShortError(f"the content budget is short: the {use} waits", short)
            time.sleep(min(short, 1.0))  # landing comes first: it waits for its token, briefly

    def level(self) -> float:
        """Tokens in the bucket now (for the status page)."""
        with self.lock:
            return self._refilled(self._load()).tokens

    def _try(self, use: Use, n: int) -> float:
        """Spend n tokens for `use`: 0, or the seconds until there are enough for it."""
        with self.lock:
            if self.store is None:
                return self._spend(self._load(), use, n)
            deadline = time.monotonic() + self.STORE_WAIT
            while True:
                with self.store.lock(Keys.budget_lock(self.installation_id)) as mine:
                    if mine:
                        level = self._load()
                        short = self._spend(level, use, n)
                        self.store.put(Keys.budget(self.installation_id), json.dumps(asdict(level)))
                        return short
                if time.monotonic() > deadline:
                    return 0.5
                time.sleep(0.005)

    def _load(self) -> Level:
        if self.store is None:
            if self.start is not None:  # first use in an Action run: start from what this hour has used
                self.local, self.start = Level(max(0.0, min(self.burst, self.start())), time.time()), None
            return self.local
        raw = self.store.get(Keys.budget(self.installation_id))
        return Level(**json.loads(raw)) if raw else Level(self.burst, time.time())

    def _refilled(self, level: Level) -> Level:
        now = time.time()
        return Level(min(self.burst, level.tokens + (now - level.at) * self.per_hour / self.hour), now, level.turns)

    def _spend(self, level: Level, use: Use, n: int) -> float:
        """Spend n tokens for `use` (0), or give the deferred write its turn: the seconds until it may try
        again, one token's time after the last deferred write's turn, so that waiting writes come back one by
        one as the bucket refills instead of all at once. Each use has its own line."""
        fresh = self._refilled(level)
        level.tokens, level.at = fresh.tokens, fresh.at
        floor = RESERVE[use] * self.burst + n
        if level.tokens >= floor:
            level.tokens -= n
            return 0.0
        per_token = self.hour / self.per_hour
        if use == "landing":
            return (floor - level.tokens) * per_token
        turn = max(level.at + (floor - level.tokens) * per_token, level.turns.get(use, 0.0) + per_token * n)
        level.turns[use] = turn
        return turn - level.at + random.uniform(0, per_token)  # noqa: S311 (jitter, not secrecy)


def use_of(url: str) -> Use:
    """What a write is for, by its endpoint: a check run, a comment, labels; anything else (commits, refs,
    merges, pull requests) counts as landing."""
    if "/check-runs" in url:
        return "check"
    if "/labels" in url:
        return "labels"
    if "/comments" in url:
        return "comment"
    return "landing"
