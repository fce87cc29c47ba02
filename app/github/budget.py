"""The content budget: GitHub's minute and hour windows of content-creating requests, per installation, by priority.

GitHub allows 80 content-creating requests in any minute and 500 in any hour; past that it answers 403, and
repeated violations can get an integration banned.
https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
The budget keeps a log of the installation's content writes (their times, bounded to the hour) and admits a
write while the last minute holds fewer than `burst` (75) and the last hour fewer than `per_hour` (480): the
windows GitHub counts, with a margin. Writes go by priority, each use leaving a reserve for the uses before it
(window.py says how much and why): landing may take the last write, a failing check leaves room for the
landings the rest of the window needs, a comment more, labels more, the thank-you the most. What cannot go now
is not dropped: BudgetShortError (a JobDeferredError) sends the job back with the time its window has room; the
App runs it again then, and an Action run leaves it to the next run, which finds it from GitHub's state. The
App's log lives in the shared store, so every worker and process spends from one; an Action run starts from
what GITHUB_TOKEN's headers (or its watermark's tally) say this hour used.

How a write spends (every mutation through app.github.api.Api does, by itself):
    with spending("comment"):           # the use, when the endpoint does not say it (see use_of)
        api.create_comment(...)
    with spending("check", writes=2):   # pay for two writes at the first, all or nothing (an Action run's
        reporter.check(...)             # report: its catch-up takes a head with our check as decided)
        reporter.comment(...)
Uses: "landing" (commits, refs, merges; inside a landing job, every write), "check", "comment", "labels",
"thanks" (a landed signer's thank-you: only ever `spending("thanks")`).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from app.github.window import PACE, RESERVE, Use, Window, longest_gap
from app.jobs.job import JobDeferredError
from app.jobs.keys import Keys
from app.jobs.store import Store

__all__ = ["RESERVE", "BudgetShortError", "ContentBudget", "Use", "landing", "spending", "use_of"]


@dataclass
class _Plan:
    use: Use
    writes: int
    paid: int = 0  # writes bought for this block and not used yet
    bought: bool = False


T = TypeVar("T")
_PLAN: ContextVar[_Plan | None] = ContextVar("undersigned_spending", default=None)


@contextmanager
def spending(use: Use, writes: int = 1) -> Iterator[None]:
    """Every write inside spends as `use`. With `writes` > 1, the first write buys that many at once (or
    none, and raises BudgetShortError before anything is sent); the next ones spend what it bought."""
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
    """No room for this use now: run the job again later (nothing it owes is lost)."""


class ContentBudget:
    """One installation's log (an Action run's: its repository's). `charge(url)` is what Api calls before each
    mutation; `take(use, n)` spends n writes, all or nothing. Landing waits up to `landing_wait` seconds for
    room; any other use (and landing past that) raises BudgetShortError with the time to come back."""

    STORE_WAIT = 2.0  # seconds to wait for another worker's hold on the shared log

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
        """`per_hour`, `burst`: the most writes in any hour, in any minute (0 per hour: no budget). `hour`:
        seconds in the budget's hour, and a minute is its 60th (shorter only when a simulation scales time)."""
        self.installation_id, self.per_hour, self.burst, self.hour = installation_id, per_hour, burst, hour
        self.store, self.landing_wait, self.lock = store, landing_wait, threading.Lock()
        self.local = Window()
        self.deferred = 0  # writes sent back to wait, for the status page
        self.clock: Callable[[], float] = time.time  # the log's times (a test's clock)
        # An Action run: asked lazily, the writes the windows already hold at its start, as (time, count)
        # (app.action.tally): made by earlier runs, each at the latest time it may have been made.
        self.start: Callable[[], list[tuple[float, int]]] | None = None

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
        while (short := self._edit(lambda w: self._spend(w, use, n))) > 0:
            if use != "landing" or time.monotonic() + min(short, 1.0) > deadline:
                with self.lock:
                    self.deferred += n
                raise BudgetShortError(f"the content budget is short: the {use} waits", short)
            time.sleep(min(short, 1.0))  # landing comes first: it waits for its room, briefly

    def level(self) -> float:
        """Writes a landing could make now: the room left in the minute or the hour, whichever is less."""
        minute, hour = self.used()
        return max(0.0, min(self.burst - minute, self.per_hour - hour))

    def used(self) -> tuple[int, int]:
        """Content writes in the last minute and in the last hour (for the status page)."""
        now = self.clock()
        return self._read(lambda w: (w.count(now, self.hour / 60), w.count(now, self.hour)))

    def times(self) -> list[float]:
        """When each write the log holds was made (an Action run's, for the next run's tally)."""
        return self._read(lambda w: [t for t, _ in w.log])

    def describe(self) -> str:
        """What the status page says of this budget, e.g. "12/75 this minute, 310/480 this hour (4 waited)"."""
        minute, hour = self.used()
        waited = f" ({self.deferred:,} waited)" if self.deferred else ""
        return f"{minute}/{self.burst:.0f} this minute, {hour}/{self.per_hour:.0f} this hour{waited}"

    def landing_gap(self, floor: float) -> float:
        """Seconds between two landings: `floor` while the hour has room for landings at that pace besides the
        reports it has been writing; longer (up to one landing per reserved pace) when it has not, so batches
        grow instead of landings taking the room of the failing checks that are the invalid signers' outcome."""
        if self.per_hour <= 0 or floor <= 0:
            return floor
        return self._read(lambda w: w.landing_gap(self.clock(), self.hour, self.per_hour, floor))

    def longest_gap(self, floor: float) -> float:
        """The longest `landing_gap` can be: one landing per the pace a failing check leaves for landings."""
        return longest_gap(self.hour, self.per_hour, floor) if self.per_hour > 0 else floor

    def _spend(self, window: Window, use: Use, n: int) -> float:
        """Spend n writes for `use` (0), or the seconds until the windows have room for it, in its line."""
        now, spacing = self.clock(), self.hour / self.per_hour  # spacing: one write's share of the hour
        rate = PACE[use] * self.per_hour / self.hour  # writes a second kept for the uses before this one
        reserve = RESERVE[use] * self.burst
        limits = ((self.hour / 60, self.burst), (self.hour, self.per_hour))
        if use == "landing" or not window.waiting(now, use):  # else an earlier use waits: this one queues
            short = max(window.wait(now, span, limit, reserve, rate, n) for span, limit in limits)
            if short <= 0:
                window.add(now, use, n)
                return 0.0
            if use == "landing":
                return short
        # Waiting writes come back one by one: the k-th of a use when the windows have room for k of them, and
        # after every write of the uses before it that waits (Window.turn).
        line = window.line(now, use) + 1
        later = max(window.wait(now, span, limit, reserve, rate, n * line) for span, limit in limits)
        turn = window.turn(now, use, later, spacing)
        return turn + random.uniform(0, min(spacing, turn))  # noqa: S311 (jitter, not secrecy)

    def _read(self, fn: Callable[[Window], T]) -> T:
        with self.lock:
            return fn(self._load())

    def _edit(self, fn: Callable[[Window], float]) -> float:
        """`fn` on the log, saved after: under the shared store's lock when there is one."""
        with self.lock:
            if self.store is None:
                result = fn(window := self._load())
                window.prune(self.clock(), self.hour)
                return result
            deadline = time.monotonic() + self.STORE_WAIT
            while True:
                with self.store.lock(Keys.budget_lock(self.installation_id)) as mine:
                    if mine:
                        window = self._load()
                        result = fn(window)
                        window.prune(self.clock(), self.hour)
                        self.store.put(Keys.budget(self.installation_id), json.dumps(window.dump()))
                        return result
                if time.monotonic() > deadline:
                    return 0.5
                time.sleep(0.005)

    def _load(self) -> Window:
        if self.store is None:
            if self.start is not None:  # first use in an Action run: start from what the windows hold
                for at, count in self.start():
                    self.local.add(at, "landing", max(0, count))
                self.start = None
            return self.local
        raw = self.store.get(Keys.budget(self.installation_id))
        return Window.load(json.loads(raw), self.burst) if raw else Window()


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
