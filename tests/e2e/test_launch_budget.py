"""Spending less: the content budget (GitHub's minute and hour windows per installation, by priority, all or
nothing per report, shared through the store; an Action run starts from what its token used this hour and never
waits). tests/test_content_window.py drives the windows on a test's clock."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.github.budget import BudgetShortError, ContentBudget, landing, spending, use_of
from app.jobs.sqlite_backend import SqliteBackend
from app.jobs.store import Store


def test_writes_are_classed_by_endpoint_and_a_block_can_say_otherwise() -> None:
    assert use_of("/repos/o/r/check-runs") == "check" and use_of("/repos/o/r/check-runs/7") == "check"
    assert use_of("/repos/o/r/issues/3/comments") == "comment" and use_of("/repos/o/r/issues/comments/9") == "comment"
    assert use_of("/repos/o/r/issues/3/labels") == "labels"
    assert use_of("/repos/o/r/git/commits") == "landing"
    budget = ContentBudget(1, per_hour=480, burst=75)
    for _ in range(59):
        budget.charge("/repos/o/r/issues/3/labels")  # labels leave 9 of the minute's 75, and 408 an hour, for the rest
    with pytest.raises(BudgetShortError):
        budget.charge("/repos/o/r/issues/3/labels")
    with landing():
        budget.charge("/repos/o/r/issues/3/labels")  # inside a landing job, every write is landing's


def test_labels_then_comments_then_checks_give_way_and_say_when_to_come_back() -> None:
    budget = ContentBudget(1, per_hour=480, burst=75)  # all within one minute
    spent = {"labels": 0, "comment": 0, "check": 0}
    waits: list[float] = []
    for use in ("labels", "comment", "check"):
        while True:
            try:
                budget.take(use)
            except BudgetShortError as short:
                waits.append(short.retry_in)
                break
            spent[use] += 1
    assert min(waits) > 0
    assert spent == {"labels": 59, "comment": 5, "check": 6}  # of 75: 16 kept back, then 11, then 5
    assert budget.deferred == 3
    budget.take("landing")  # landing may take the last one


def test_a_report_is_paid_for_at_its_first_write_or_not_at_all() -> None:
    budget = ContentBudget(1, per_hour=480, burst=75)
    for _ in range(68):
        budget.take("check")  # a check leaves 5 of the minute for landing: room for exactly two more
    with spending("check", writes=2):
        budget.charge("/repos/o/r/check-runs")  # buys both
        budget.charge("/repos/o/r/issues/3/comments")  # already paid
    with pytest.raises(BudgetShortError), spending("check", writes=2):
        budget.charge("/repos/o/r/check-runs")  # no room for two: nothing is sent, the job comes back
    assert round(budget.level()) == 5


def test_what_waits_runs_once_the_window_has_room() -> None:
    budget = ContentBudget(1, per_hour=48, burst=2, hour=120.0)  # a scaled hour: a minute of two seconds
    budget.take("check")
    with pytest.raises(BudgetShortError) as short:
        budget.take("check")
    assert short.value.retry_in <= 2 + 2.5  # when the write leaves the minute, and a jitter of one write's share
    budget.take("landing")  # waits for its room rather than fail
    assert budget.level() < 1


def test_workers_sharing_a_store_spend_from_one_window(tmp_path: Path) -> None:
    store_a, store_b = Store(SqliteBackend(tmp_path / "q.db")), Store(SqliteBackend(tmp_path / "q.db"))
    a = ContentBudget(7, per_hour=480, burst=4, store=store_a, landing_wait=0.0)
    b = ContentBudget(7, per_hour=480, burst=4, store=store_b, landing_wait=0.0)
    a.take("landing")
    b.take("landing")
    a.take("landing")
    b.take("landing")
    with pytest.raises(BudgetShortError):
        a.take("landing")  # 4 a minute between them
    assert a.used() == (4, 4) == b.used()


def test_an_action_run_starts_from_its_hour_and_never_waits() -> None:
    budget = ContentBudget(1, per_hour=400, burst=70, landing_wait=0.0)
    # The repository's token made 398 content writes this hour, before the last minute (app.action.tally).
    budget.start = lambda: [(time.time() - 61.0, 398)]
    budget.take("landing")
    budget.take("landing")
    with pytest.raises(BudgetShortError) as short:
        budget.take("landing")  # no wait in a one-shot run: the next run lands it
    assert short.value.retry_in > 0
