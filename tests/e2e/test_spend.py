"""Spending on launch day: what a landed signer is owed waits for the budget's comment share, never lost; a
push that did not change the config costs one read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.github.budget import ContentBudget, landing
from app.jobs.job import Job
from app.jobs.sqlite_backend import SqliteBackend
from app.jobs.store import Keys, Store
from app.landing.thanks import Owed, Thanks
from app.review.report import Reporter
from tests.e2e.test_config_lifecycle import REPO, head, push_config, runs_on, slow_cache
from tests.github_sim import person
from tests.helpers import SEED_CONFIG_YAML, SEED_LETTER
from tests.service import settle

__all__ = ["slow_cache"]  # the fixture, shared with the config's own tests


class Posting(Reporter):
    """A reporter whose comments only spend from `budget` (as Api does before each write) and are noted."""

    def __init__(self, store: Store, budget: ContentBudget) -> None:
        self.store, self.budget, self.posted = store, budget, list[int]()

    def comment_on(self, number: int, comments: int, body: str, *, only_if_exists: bool) -> None:
        self.budget.charge(f"/repos/o/r/issues/{number}/comments")
        self.posted.append(number)


def test_thank_yous_wait_for_their_share_and_are_never_lost(tmp_path: Path) -> None:
    store = Store(SqliteBackend(tmp_path / "q.db"))
    budget = ContentBudget(1, per_hour=480, burst=75)  # no write leaves the hour within the test
    for _ in range(11):
        budget.take("landing")  # landings' writes: a thank-you leaves 12 of the hour and 456 for its rest
    thanks, reporter = Thanks(store), Posting(store, budget)
    thanks.owe("o/r", [Owed(1, "thanks, ada", create=True), Owed(2, "thanks, grace", create=True)])
    with landing():  # inside the landing job, yet each thank-you spends as one, last
        later = thanks.pay("o/r", reporter)
    assert later is not None and later > 0  # the job comes back when the bucket has room
    assert reporter.posted == [1] and [o.number for o in thanks.items("o/r")] == [2]
    reporter.budget = ContentBudget(1, per_hour=480, burst=75)  # the hour has emptied...
    assert (thanks.pay("o/r", reporter) or 0) > 0 and reporter.posted == [1]  # ...not asked before the turn
    store.delete(Keys.thanks_turn("o/r"))  # the turn has come: what was owed goes
    assert thanks.pay("o/r", reporter) is None and reporter.posted == [1, 2] and thanks.items("o/r") == []


def test_a_newer_thank_you_owed_outlives_the_older_being_paid(tmp_path: Path) -> None:
    thanks = Thanks(Store(SqliteBackend(tmp_path / "q.db")))
    thanks.owe("o/r", [Owed(1, "landed in a", create=True)])
    thanks.owe("o/r", [Owed(1, "landed in b", create=True)])  # the same PR owed again (a second landing of a new head)
    thanks.drop("o/r", Owed(1, "landed in a", create=True))
    assert [o.body for o in thanks.items("o/r")] == ["landed in b"]


def test_a_push_that_did_not_change_the_config_is_not_checked_again(slow_cache: Any) -> None:
    """GitHub lists at most 20 commits of a push: a landing of 19 signatures or more may have changed the
    config, unseen. Its config's blob is the one checked last: no check run, no re-evaluation of every PR."""
    sim, demo, service = slow_cache
    assert push_config(slow_cache, SEED_CONFIG_YAML).conclusion == "success"
    grace = person(sim, "grace").sign(REPO, "README.md", "- Grace Hopper @grace")  # invalid: stays open
    settle(sim, service)
    person(sim, "maintainer").write(REPO, "README.md", SEED_LETTER.read_text() + "\n", "main")
    settle(sim, service)
    before = len(sim.faults.calls("GET", r"/compare/", actor="installation:"))
    service.runtime.queue.enqueue(Job("config", demo.installation.id, REPO, sha=head(sim)))
    settle(sim, service)
    assert runs_on(sim, head(sim)) == []  # nothing to tell the maintainer
    assert len(sim.faults.calls("GET", r"/compare/", actor="installation:")) == before  # no PR judged again
    assert not sim.world.pull(sim.world.repo(REPO), int(grace["number"])).merged


def test_a_store_that_does_not_outlive_the_run_pays_the_thank_you_with_the_landing(tmp_path: Path) -> None:
    store = Store(SqliteBackend(tmp_path / "q.db"))
    store.durable = False  # as an Action run's (app.action.state): nothing it owes would reach the next run
    budget = ContentBudget(1, per_hour=480, burst=75)
    for _ in range(11):
        budget.take("landing")
    thanks, reporter = Thanks(store), Posting(store, budget)
    thanks.owe("o/r", [Owed(1, "thanks, ada", create=True), Owed(2, "thanks, grace", create=True)])
    assert thanks.pay("o/r", reporter) is None and reporter.posted == [1, 2]  # at landing's priority
