"""Spending less: the content budget (a token bucket per installation, by priority, all or nothing per report,
shared through the store; an Action run starts from what its token used this hour and never waits)."""

from __future__ import annotations

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
    budget = ContentBudget(1, per_hour=1, burst=10)
    for _ in range(4):
        budget.charge("/repos/o/r/issues/3/labels")  # labels leave 6 of 10 for the rest
    with pytest.raises(BudgetShortError):
        budget.charge("/repos/o/r/issues/3/labels")
    with landing():
        budget.charge("/repos/o/r/issues/3/labels")  # inside a landing job, every write is landing's


def test_labels_then_comments_then_checks_give_way_and_say_when_to_come_back() -> None:
    budget = ContentBudget(1, per_hour=1, burst=10)  # no refill to speak of
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
    assert spent == {"labels": 4, "comment": 2, "check": 3}  # of 10: 6 kept back, then 3.5, then 1
    assert budget.deferred == 3
    budget.take("landing")  # landing may take the last one


def test_a_report_is_paid_for_at_its_first_write_or_not_at_all() -> None:
    budget = ContentBudget(1, per_hour=1, burst=10)
    for _ in range(7):
        budget.take("check")  # 3 left; a check leaves 1 for landing: room for exactly two
    with spending("check", writes=2):
        budget.charge("/repos/o/r/check-runs")  # buys both
        budget.charge("/repos/o/r/issues/3/comments")  # already paid
    with pytest.raises(BudgetShortError), spending("check", writes=2):
        budget.charge("/repos/o/r/check-runs")  # one token left: nothing is sent, the job comes back
    assert round(budget.level()) == 1


def test_what_waits_runs_once_the_bucket_has_refilled() -> None:
    budget = ContentBudget(1, per_hour=36000, burst=2)  # ten tokens a second
    budget.take("check")
    with pytest.raises(BudgetShortError) as short:
        budget.take("check")
    assert short.value.retry_in <= 0.5
    budget.take("landing")  # waits for its token rather than fail
    assert budget.level() < 1


def test_workers_sharing_a_store_spend_from_one_bucket(tmp_path: Path) -> None:
    store_a, store_b = Store(SqliteBackend(tmp_path / "q.db")), Store(SqliteBackend(tmp_path / "q.db"))
    a = ContentBudget(7, per_hour=1, burst=4, store=store_a)
    b = ContentBudget(7, per_hour=1, burst=4, store=store_b)
    a.take("check")
    b.take("check")
    a.take("check")
    with pytest.raises(BudgetShortError):
        b.take("check")  # 4 tokens, one kept for landing: three checks between them
    assert round(a.level()) == 1 == round(b.level())


def test_an_action_run_starts_from_its_hour_and_never_waits() -> None:
    budget = ContentBudget(1, per_hour=400, burst=70, landing_wait=0.0)
    budget.start = lambda: 400 + 70 - 468  # the repository's token made 468 requests this hour
    budget.take("landing")
    budget.take("landing")
    with pytest.raises(BudgetShortError) as short:
        budget.take("landing")  # no wait in a one-shot run: the next run lands it
    assert short.value.retry_in > 0
