"""A burst read in GraphQL batches: the same outcomes as over REST, a fraction of the reads, REST for the unusual."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.jobs.job import Job
from app.jobs.push import backend_at
from app.jobs.store import Store
from app.review.batch import BatchReads
from tests.e2e.landing_support import LINE, REPO, assert_landed_exactly_once, burst, letter
from tests.github_sim import Simulator, person, seed_demo
from tests.service import Service, settings_for, settle

VALID = 8


@dataclass
class Outcome:
    numbers: list[int]
    initial: str
    refused: bool
    compares: int
    graphql: int
    batch: BatchReads | None


@pytest.fixture(params=[False, True], ids=["rest", "graphql"])
def outcome(request: pytest.FixtureRequest, sim: Simulator, tmp_path: Path) -> Iterator[Outcome]:
    """The burst below, with batch reads off or on: what landed, what was refused, and the App's reads."""
    world = seed_demo(sim.world, signers=4, webhook_url=None, webhook_secret="e2e-webhook-secret")
    settings = settings_for(sim, world, tmp_path / "data", graphql_reads=request.param)
    service = Service(settings).start()
    world.app.webhook_url = service.url
    try:
        service.runtime.queue.stop_consumer()  # the whole burst waits on the queue, as on launch day
        initial = sim.world.repo(REPO).git.ref("refs/heads/main")
        assert initial is not None
        numbers = burst(sim, VALID)
        mallory = sim.world.add_user("mallory")  # edits someone else's line: refused
        bad = person(sim, mallory.login).sign(REPO, "README.md", "", transform=lambda t: t.replace("Lea Verou", "L."))
        ada = person(sim, "ada")  # two commits: no merge base from GraphQL, so REST reads it
        twice = ada.sign(REPO, "README.md", LINE.format(name="Ada L.", login="ada"))
        text, _ = ada.read("ada/microsoft-drop-ice", "README.md", "ada-sign")
        ada.write("ada/microsoft-drop-ice", "README.md", text.replace("Ada L.", "Ada Lovelace"), "ada-sign")
        assert sim.webhooks.wait()
        service.fed()
        service.runtime.queue.start_consumer(2)
        settle(sim, service, timeout=60)
        repo = sim.world.repo(REPO)
        app = [c for c in sim.faults.log if c.actor.startswith("installation:")]
        runs = {r.head_sha: r.conclusion for r in sim.world.check_runs.values()}
        bad_pr = sim.world.pull(repo, int(bad["number"]))
        yield Outcome(
            [*numbers, int(twice["number"])],
            initial,
            not bad_pr.merged and runs.get(bad_pr.head_sha) == "failure",
            sum("/compare/" in c.path for c in app),
            sum(c.path == "/graphql" for c in app),
            service.runtime.dispatcher.batch if service.runtime.dispatcher else None,
        )
    finally:
        service.stop()


def test_outcomes_are_the_same_and_batches_spare_the_reads(outcome: Outcome, sim: Simulator) -> None:
    assert_landed_exactly_once(sim, outcome.numbers, outcome.initial)
    assert outcome.refused
    assert "Lea Verou" in letter(sim)  # the line mallory edited is untouched
    if outcome.batch is not None:
        # The first evaluation read the whole waiting burst in one batch (its PRs, then its texts); every PR of
        # it was judged from that batch but #10, whose two commits leave no merge base to derive: REST read it.
        tally = outcome.batch.tally
        assert tally.prs >= VALID + 2 and tally.used >= VALID + 1, tally
        assert tally.unusable.get("commits", 0) >= 1, tally
        assert outcome.compares <= 3, outcome  # #10, and PRs evaluated again after a landing
        assert outcome.graphql <= 2 + outcome.compares, outcome
    else:
        assert outcome.graphql == 0
        assert outcome.compares >= VALID + 2, outcome


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_a_repos_waiting_evaluations_are_listed_by_either_backend(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    backend = backend_at(tmp_path, request.getfixturevalue("redis_url") if kind == "redis" else None)
    store = Store(backend)
    jobs = [Job("evaluate", 1, "o/r", n) for n in (1, 2, 3)] + [Job("evaluate", 1, "o/r2", 4), Job("land", 1, "o/r")]
    backend.push([(j.key, j.dumps(), 0.0) for j in jobs], [], 60)
    assert sorted(store.jobs_waiting("evaluate:o/r:", 10)) == ["evaluate:o/r:1", "evaluate:o/r:2", "evaluate:o/r:3"]
    assert len(store.jobs_waiting("evaluate:o/r:", 2)) == 2
    backend.close()
