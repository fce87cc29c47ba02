"""The content budget on GitHub's windows (issue 21): 80 content-creating requests in any minute and 500 in any
hour, kept with a margin; landing first, then the failing check, the comment, labels, the thank-you last; a
reserve for the rest of the hour's landings; honest comeback times; one log shared through the store."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from app.github.budget import BudgetShortError, ContentBudget, Use
from app.github.window import BURST, LANDING_GAP, PER_HOUR
from app.jobs.keys import Keys
from app.jobs.sqlite_backend import SqliteBackend
from app.jobs.store import Store
from app.landing.lander import _gap_left
from app.review.context import Context
from app.settings import Settings
from tests.github_sim.limits import Policy
from tests.helpers import assert_golden

HOUR = 3600.0


class Clock:
    """A test's time: the budget's log reads it."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def budget_at(clock: Clock, store: Store | None = None, per_hour: float = 480, burst: float = 75) -> ContentBudget:
    budget = ContentBudget(1, per_hour, burst, HOUR, store, landing_wait=0.0)
    budget.clock = clock
    return budget


def fill(budget: ContentBudget, clock: Clock, use: Use, step: float = 0.0) -> tuple[int, float]:
    """Take writes of `use`, `step` seconds apart, until refused: how many went, and the comeback time."""
    went = 0
    while True:
        try:
            budget.take(use)
        except BudgetShortError as short:
            return went, short.retry_in
        went, clock.now = went + 1, clock.now + step


def test_a_minute_holds_75_writes_and_the_next_comes_back_when_the_oldest_leaves() -> None:
    clock = Clock()
    budget = budget_at(clock)
    went, retry = fill(budget, clock, "landing")
    assert (went, retry) == (75, 60.0)  # the minute's 75 (GitHub: 80), and the 76th when the first leaves it
    clock.now += 59.9
    with pytest.raises(BudgetShortError):
        budget.take("landing")
    clock.now += 0.2
    budget.take("landing")
    assert budget.used() == (1, 76)


def test_an_hour_holds_480_writes_and_the_next_comes_back_when_the_oldest_leaves() -> None:
    clock = Clock()
    budget = budget_at(clock)
    went, retry = fill(budget, clock, "landing", step=1.0)  # 60 a minute: the hour binds, not the minute
    assert went == 480 and retry == pytest.approx(HOUR - 480)
    assert budget.describe() == "59/75 this minute, 480/480 this hour (1 waited)"
    clock.now += retry
    budget.take("landing")


def test_the_default_settings_never_trip_githubs_windows() -> None:
    """Writes as fast as the budget lets them, landing and checks mixed, for three hours: no sliding minute
    holds GitHub's 80 and no sliding hour its 500 (the simulator's figures)."""
    settings, policy, clock = Settings(), Policy(), Clock()
    budget = budget_at(clock, per_hour=settings.content_per_hour, burst=settings.content_burst)
    times: list[float] = []
    start = clock.now
    while clock.now < start + 3 * HOUR:
        for use in ("check", "landing", "comment"):
            try:
                budget.take(use)
                times.append(clock.now)
            except BudgetShortError:
                pass
        clock.now += 0.5
    assert len(times) > 3 * 470
    for i, t in enumerate(times):
        assert sum(1 for u in times[i:] if u < t + 60) <= settings.content_burst < policy.content_per_minute
        assert sum(1 for u in times[i:] if u < t + HOUR) <= settings.content_per_hour < policy.content_per_hour


def test_each_use_leaves_more_for_the_uses_before_it() -> None:
    went: dict[str, int] = {}
    for use in ("landing", "check", "comment", "labels", "thanks"):
        clock = Clock()
        went[use] = fill(budget_at(clock), clock, use, step=1.0)[0]  # a fresh hour, one write a second
    # Landing takes the hour; a check leaves 3 and 120 an hour (a landing every 90 s); a comment 6 and 264,
    # labels 9 and 408, a thank-you 12 and 456 (app.github.window). The reserve for the part of the hour that
    # passed while they wrote is free again, hence a few more than 357, 210, 63 and 12.
    assert went == {"landing": 480, "check": 369, "comment": 226, "labels": 70, "thanks": 13}


def test_a_spam_wave_of_checks_leaves_a_landing_every_90_seconds_for_the_rest_of_the_hour() -> None:
    clock = Clock()
    budget = budget_at(clock)
    landed = 0
    start = clock.now
    while clock.now < start + 2 * HOUR:
        fill(budget, clock, "check")  # every failing check the budget lets go: more than a minute's or an hour's
        budget.take("landing", 3)  # never refused, never waits: tree, commit, ref
        landed += 1
        clock.now += 90
    assert landed == 80
    fill(budget, clock, "check")
    assert budget.landing_gap(30) == 90  # and with the hour so full, the lander spaces its landings so


def test_the_landing_gap_stretches_as_reports_fill_the_hour() -> None:
    clock = Clock()
    budget = budget_at(clock)
    assert budget.landing_gap(30) == 30  # a quiet hour: the configured gap
    for _ in range(300):  # the last hour's reports: 300 failing checks and comments, evenly
        budget.take("check")
        clock.now += 12
    # Beside 300 reports an hour, 480 leaves 177 for landings (3 writes each, one now): one every 61 s.
    assert budget.landing_gap(30) == pytest.approx(60.7, abs=0.1)
    assert budget.longest_gap(30) == 90


def test_waiting_writes_come_back_one_by_one_and_each_finds_its_room() -> None:
    clock = Clock()
    budget = budget_at(clock)
    fill(budget, clock, "landing", step=1.0)  # the hour is full: its first write leaves at 3,120 s from now
    turns = [fill(budget, clock, "check")[1] for _ in range(3)]
    assert turns == sorted(turns) and turns[0] >= HOUR - 480
    assert turns[2] - turns[0] >= HOUR / 480  # one write's share of the hour apart at least (each has a jitter)
    assert budget.deferred == 4  # the landing that found the hour full, and the three checks
    clock.now += turns[0]  # the oldest landing writes have left: room for a check and the landing it leaves
    budget.take("check")


def test_a_thank_you_never_takes_the_room_of_a_report_that_waits() -> None:
    clock = Clock()
    budget = budget_at(clock)
    fill(budget, clock, "landing", step=1.0)  # the hour is full
    turns = [fill(budget, clock, "check")[1] for _ in range(100)]  # 100 failing checks wait, one by one
    clock.now += HOUR + 1  # the window is empty, but the last checks' turns have not come
    assert budget.used() == (0, 0) and max(turns) > HOUR + 1
    with pytest.raises(BudgetShortError):
        budget.take("thanks")
    with pytest.raises(BudgetShortError):
        budget.take("comment")  # a comment waits behind the failing checks too
    budget.take("check")
    clock.now += max(turns)  # every check's turn has come
    budget.take("thanks")


def test_two_workers_on_one_store_spend_from_one_log(tmp_path: Path) -> None:
    clock = Clock()
    a = budget_at(clock, Store(SqliteBackend(tmp_path / "q.db")))
    b = budget_at(clock, Store(SqliteBackend(tmp_path / "q.db")))
    for _ in range(37):
        a.take("landing")
        b.take("landing")
    a.take("landing")
    with pytest.raises(BudgetShortError) as short:
        b.take("landing")  # 75 between them: the minute is full
    assert short.value.retry_in == pytest.approx(60.0)
    assert a.used() == (75, 75) == b.used()


def test_the_status_page_says_what_is_used_of_the_minute_and_the_hour() -> None:
    clock = Clock()
    budget = budget_at(clock)
    budget.take("landing", 3)
    clock.now += 61
    budget.take("check")
    fill(budget, clock, "landing")
    assert_golden("web/status-budget.txt", budget.describe() + "\n")


def test_the_lander_waits_the_stretched_gap(tmp_path: Path) -> None:
    clock, store = Clock(), Store(SqliteBackend(tmp_path / "q.db"))
    budget = budget_at(clock)
    ctx = cast(Context, SimpleNamespace(store=store, repo="o/r", landing_gap=30.0, api=SimpleNamespace(budget=budget)))
    store.put(Keys.landed_at("o/r"), f"{clock.now - 10:.3f}")  # the gap is counted on the budget's clock
    assert _gap_left(ctx) == 20  # a quiet hour: the configured gap, 10 s of it gone
    fill(budget, clock, "check", step=1.0)  # a spam wave's failing checks, as many as the hour lets go
    store.put(Keys.landed_at("o/r"), f"{clock.now - 10:.3f}")
    assert _gap_left(ctx) == 80


def test_a_landing_stamped_ahead_of_this_clock_waits_no_more_than_the_gap(tmp_path: Path) -> None:
    # A stamp rounded up to the millisecond, or written by a worker whose clock runs ahead, lies in the future.
    store = Store(SqliteBackend(tmp_path / "q.db"))
    ctx = cast(Context, SimpleNamespace(store=store, repo="o/r", landing_gap=30.0, api=SimpleNamespace(budget=None)))
    store.put(Keys.landed_at("o/r"), f"{time.time() + 5:.3f}")
    assert _gap_left(ctx) == 30.0


def test_the_app_and_the_action_start_from_the_same_limits() -> None:
    # The Action cannot import app.settings (no pydantic-settings in action-requirements.txt): its defaults
    # are app.github.window's, which must be the App's.
    fields = Settings.model_fields
    assert (fields["content_per_hour"].default, fields["content_burst"].default) == (PER_HOUR, BURST)
    assert fields["landing_gap"].default == LANDING_GAP
