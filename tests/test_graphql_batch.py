"""Batch reads (app.review.batch) against the simulator: a burst's reads shared, and REST for anything unusual."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.github.api import Api
from app.github.caches import ConfigCache, TextCache
from app.github.models import PullRequest
from app.github.pacing import Pacer
from app.jobs.job import Job
from app.jobs.ready import ReadySet
from app.jobs.sqlite_backend import SqliteBackend
from app.jobs.store import Store
from app.review.batch import BatchReads
from app.review.context import Context
from app.review.report import Reporter
from config import Config, parse_config
from tests.github_sim import Demo, Limits, Simulator, seed_demo, start
from tests.github_sim.contract import assert_contract_kept
from tests.github_sim.demo import DEMO_CONFIG
from tests.sim.clients import installation_client, sign

World = tuple[Simulator, Demo, Context]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    sim = start(tmp_path / "sim", validate=True, limits=Limits(secondary=False))
    demo = seed_demo(sim.world, signers=3)
    api = Api(installation_client(sim, demo).requester, demo.installation.id, Pacer(0))
    store = Store(SqliteBackend(tmp_path / "jobs.db"))
    repo = demo.repo.full_name
    ctx = Context(demo.installation.id, repo, api, store, TextCache(), ConfigCache(60), Reporter(api, repo, store),
                  ReadySet(store), lambda job: True)  # fmt: skip
    yield sim, demo, ctx
    sim.stop()
    assert_contract_kept(sim)


def config() -> Config:
    found = parse_config(DEMO_CONFIG)
    assert isinstance(found, Config)
    return found


def opened(sim: Simulator, demo: Demo, ctx: Context) -> list[PullRequest]:
    """Each signer opens a PR; each waits on the queue as an evaluate job."""
    numbers = [int(str(sign(sim, demo, s.login)["number"])) for s in demo.signers]
    jobs = [Job("evaluate", ctx.installation_id, ctx.repo, n) for n in numbers]
    ctx.store.backend.push([(j.key, j.dumps(), 0.0) for j in jobs], [], 60)
    return [ctx.api.pull(ctx.repo, n) for n in numbers]


def queries(sim: Simulator) -> int:
    return len(sim.faults.calls("POST", "^/graphql$"))


def test_the_first_evaluation_reads_the_waiting_burst_for_all(world: World) -> None:
    sim, demo, ctx = world
    pulls = opened(sim, demo, ctx)
    reads = BatchReads(gather=0)
    git = demo.repo.git
    for pr in pulls:
        compared = reads.comparison(ctx.with_pr(pr), config())
        assert compared is not None
        assert compared.merge_base_commit.sha == git.merge_base(str(git.ref("refs/heads/main")), pr.head_sha)
        assert [(f.filename, f.status, f.patch is not None) for f in compared.files] == [
            ("README.md", "modified", True)
        ]
        head = ctx.texts.get(ctx.api, ctx.repo, pr.head_sha, "README.md")  # primed: no read
        assert head == (git.read_path(pr.head_sha, "README.md") or ("", b""))[1].decode()
    assert queries(sim) == 2  # the PRs, then the texts: once for the three
    assert not sim.faults.calls("GET", "/compare/|/contents/README", actor="installation:")
    assert reads.tally.used == 3 and reads.tally.batches == 1


def test_a_read_serves_once_and_only_its_own_head(world: World) -> None:
    sim, demo, ctx = world
    first, second, _ = opened(sim, demo, ctx)
    reads = BatchReads(gather=0)
    assert reads.comparison(ctx.with_pr(first), config()) is not None
    moved = second.model_copy(update={"head": second.head.model_copy(update={"sha": "f" * 40})})
    assert reads.comparison(ctx.with_pr(moved), config()) is None  # pushed since the batch: REST reads it
    asked = queries(sim)
    assert reads.comparison(ctx.with_pr(first), config()) is not None  # read again, alone
    assert queries(sim) == asked + 1


def test_an_error_falls_back_to_rest_and_pauses_batches(world: World) -> None:
    sim, demo, ctx = world
    first, second, _ = opened(sim, demo, ctx)
    sim.faults.add("error", "^POST /graphql$", status=400, times=1)  # an error PyGithub does not retry
    reads = BatchReads(gather=0)
    assert reads.comparison(ctx.with_pr(first), config()) is None
    asked = queries(sim)
    assert reads.comparison(ctx.with_pr(second), config()) is None
    assert queries(sim) == asked  # paused: no query at all meanwhile


def test_a_low_graphql_budget_pauses_batches_until_it_resets(world: World) -> None:
    sim, demo, ctx = world
    first, second, _ = opened(sim, demo, ctx)
    window = sim.limits.window()
    for spent in (window, window + 1):  # the next too: the clock may cross the top of the hour meanwhile
        sim.limits.used[f"graphql:installation:{demo.installation.id}:{spent}"] = 4000  # 1,000 of 5,000 left
    reads = BatchReads(gather=0)
    assert reads.comparison(ctx.with_pr(first), config()) is not None  # this batch goes through
    assert reads.comparison(ctx.with_pr(second), config()) is not None  # and serves the burst
    ctx.store.backend.push([(Job("evaluate", ctx.installation_id, ctx.repo, first.number).key, "x", 0.0)], [], 60)
    asked = queries(sim)
    assert reads.comparison(ctx.with_pr(first), config()) is None  # below a quarter left: REST until the reset
    assert queries(sim) == asked


def test_a_folder_letter_or_commit_verification_is_left_to_rest(world: World) -> None:
    sim, demo, ctx = world
    first, *_ = opened(sim, demo, ctx)
    reads = BatchReads(gather=0)
    folder = config().model_copy(update={"letter": config().letter.model_copy(update={"directory": "signatures"})})
    assert reads.comparison(ctx.with_pr(first), folder) is None
    assert queries(sim) == 0


def test_past_graphqls_primary_limit_batches_wait_for_its_reset(world: World) -> None:
    sim, demo, ctx = world
    first, *_ = opened(sim, demo, ctx)
    window = sim.limits.window()
    for spent in (window, window + 1):  # the next too: the clock may cross the top of the hour meanwhile
        sim.limits.used[f"graphql:installation:{demo.installation.id}:{spent}"] = 5000  # spent: RATE_LIMITED
    reads = BatchReads(gather=0)
    assert reads.comparison(ctx.with_pr(first), config()) is None
    assert reads.paused[demo.installation.id] >= (window + 1) * 3600  # not before GitHub's reset
