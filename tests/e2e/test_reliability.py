"""Nothing lost: kill -9 mid-burst (SQLite, and a Redis worker), dropped and failed deliveries, restarts.

Every valid PR lands exactly once, no check run or comment is duplicated, and nobody sends a new webhook:
leases, owned locks, reconciliation and redelivery do it.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.e2e.landing_support import REPO, assert_landed_exactly_once, burst
from tests.e2e.processes import Proc
from tests.github_sim import Demo, Simulator, seed_demo
from tests.service import Service, settings_for, wait_until

pytestmark = pytest.mark.slow


def _world(sim: Simulator) -> tuple[Demo, str]:
    demo = seed_demo(sim.world, signers=0, webhook_secret="e2e-webhook-secret")
    initial = sim.world.repo(REPO).git.ref("refs/heads/main")
    assert initial is not None
    return demo, initial


def _all_merged(sim: Simulator, numbers: list[int]) -> bool:
    repo = sim.world.repo(REPO)
    return all(sim.world.pull(repo, n).merged for n in numbers)


def assert_no_duplicates(sim: Simulator, numbers: list[int]) -> None:
    """One check run per head, at most one comment of ours per PR."""
    repo = sim.world.repo(REPO)
    heads = {sim.world.pull(repo, n).head_sha for n in numbers}
    per_head = Counter(r.head_sha for r in sim.world.check_runs.values() if r.head_sha in heads)
    # A PR that landed shows merged and gets no check run (issue 12): none is fine, two never are.
    assert not per_head or max(per_head.values()) == 1, [h for h, c in per_head.items() if c > 1]
    per_pr = Counter(c.number for c in sim.world.comments.values() if c.user.type == "Bot")
    assert not per_pr or max(per_pr.values()) <= 1, per_pr


def _burst_in_background(sim: Simulator, count: int) -> tuple[threading.Thread, list[int]]:
    numbers: list[int] = []
    thread = threading.Thread(target=lambda: numbers.extend(burst(sim, count)), daemon=True)
    thread.start()
    return thread, numbers


def test_kill_9_three_times_mid_burst_on_sqlite(sim: Simulator, tmp_path: Path) -> None:
    demo, initial = _world(sim)
    service = Proc(sim, demo, tmp_path / "data").start()
    demo.app.webhook_url = service.url
    rng = random.Random(9)
    try:
        thread, numbers = _burst_in_background(sim, 100)
        for _ in range(3):
            time.sleep(rng.uniform(1.0, 5.0))
            service.kill9()
            time.sleep(rng.uniform(0.0, 1.0))
            service.start()
        thread.join(120)
        assert len(numbers) == 100
        # 60 s for the service to land them all once they exist (its last restart was before): the clock starts
        # after the burst, as the simulator's time to open 100 PRs is not the service's and grows with the load.
        wait_until(lambda: _all_merged(sim, numbers), 60, "every PR to land")
        assert_landed_exactly_once(sim, numbers, initial)
        assert_no_duplicates(sim, numbers)
    finally:
        service.stop()
    assert "Traceback" not in service.log_text()


def test_redis_kill_9_one_of_two_workers_mid_burst(sim: Simulator, tmp_path: Path, redis_url: str) -> None:
    demo, initial = _world(sim)
    settings = settings_for(sim, demo, tmp_path / "data", redis_url=redis_url, workers=0, job_lease=4)
    service = Service(settings).start()  # intake only: the workers are other processes
    demo.app.webhook_url = service.url
    workers = [Proc(sim, demo, tmp_path / f"w{i}", "worker", UNDERSIGNED_REDIS_URL=redis_url) for i in range(2)]
    for w in workers:
        w.data.mkdir()
        w.start()
    try:
        thread, numbers = _burst_in_background(sim, 100)
        time.sleep(random.Random(12).uniform(2.0, 6.0))
        workers[0].kill9()
        thread.join(120)
        assert len(numbers) == 100
        opened = time.monotonic()  # not from the kill: the burst's time to open the PRs grows with the load
        wait_until(lambda: _all_merged(sim, numbers), 90, "every PR to land")
        assert time.monotonic() - opened < 120
        assert_landed_exactly_once(sim, numbers, initial)
        assert_no_duplicates(sim, numbers)
    finally:
        for w in workers:
            w.stop()
        service.stop()


def test_dropped_deliveries_are_healed_by_reconciliation(sim: Simulator, tmp_path: Path) -> None:
    demo, initial = _world(sim)
    reconcile = 0.25  # minutes
    service = Service(settings_for(sim, demo, tmp_path / "data", reconcile_minutes=reconcile)).start()
    demo.app.webhook_url = service.url
    sim.faults.add("drop_webhook", r".*", rate=0.1)
    try:
        numbers = burst(sim, 100)
        dropped = [d for d in sim.webhooks.deliveries if d.status_code == 0]
        assert dropped, "the fault dropped nothing"
        wait_until(lambda: _all_merged(sim, numbers), reconcile * 60 + 60, "every PR to land")
        assert_landed_exactly_once(sim, numbers, initial)
        assert_no_duplicates(sim, numbers)
    finally:
        service.stop()


def test_deliveries_that_failed_while_down_are_redelivered_once(sim: Simulator, tmp_path: Path) -> None:
    demo, initial = _world(sim)
    service = Proc(sim, demo, tmp_path / "data", UNDERSIGNED_RECONCILE_MINUTES="60")
    demo.app.webhook_url = service.url  # nobody listens yet: every delivery fails
    numbers = burst(sim, 20)
    assert sim.webhooks.wait(30)
    failed = {d.guid for d in sim.webhooks.deliveries if d.status_code == 0}
    assert len(failed) >= 20
    service.start()
    try:
        wait_until(lambda: _all_merged(sim, numbers), 60, "every PR to land")
        assert_landed_exactly_once(sim, numbers, initial)
        assert_no_duplicates(sim, numbers)
        redelivered = Counter(d.guid for d in sim.webhooks.deliveries if d.redelivery)
        assert set(redelivered) == failed and max(redelivered.values()) == 1
    finally:
        service.stop()
