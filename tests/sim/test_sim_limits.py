"""The simulator enforces GitHub's documented rate limits: primary, secondary, the 304 refund, the time scale."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.github_sim import Limits, Policy, seed_demo, start
from tests.github_sim.models import ApiError
from tests.sim.clients import integration


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def refused(limits: Limits, method: str = "GET", path: str = "/repos/o/r", limit: int = 5000) -> ApiError:
    with pytest.raises(ApiError) as caught:
        limits.admit("installation:1", limit, method, f"{method} /repos/{{owner}}/{{repo}}", path)
    return caught.value


def admit(limits: Limits, method: str = "GET", path: str = "/repos/o/r", limit: int = 5000) -> dict[str, str]:
    ticket, headers = limits.admit("installation:1", limit, method, f"{method} /repos/{{owner}}/{{repo}}", path)
    limits.release(ticket, 200)
    return headers


def test_installation_budget_grows_with_repositories_up_to_the_cap() -> None:
    policy = Policy()
    assert [policy.installation_limit(n) for n in (1, 20, 21, 100, 1000)] == [5000, 5000, 5050, 9000, 12500]


def test_primary_limit_gives_403_with_remaining_0_and_the_reset() -> None:
    clock = Clock()
    limits = Limits(Policy(endpoint_points=10**6), clock=clock)
    for _ in range(3):
        headers = admit(limits, limit=3)
    assert headers["x-ratelimit-remaining"] == "0" and headers["x-ratelimit-used"] == "3"
    err = refused(limits, limit=3)
    reset = (int(clock.now // 3600) + 1) * 3600
    assert err.status == 403 and err.headers["x-ratelimit-remaining"] == "0"
    assert int(err.headers["x-ratelimit-reset"]) == reset
    assert limits.tally.primary == 1 and limits.tally.secondary == 0
    clock.now = reset  # the next hour
    assert admit(limits, limit=3)["x-ratelimit-remaining"] == "2"


def test_a_304_costs_nothing() -> None:
    limits = Limits()
    ticket, _ = limits.admit("installation:1", 5000, "GET", "GET /x", "/x")
    limits.release(ticket, 304)
    assert admit(limits)["x-ratelimit-used"] == "1"


def test_content_creating_requests_80_a_minute_then_500_an_hour() -> None:
    clock = Clock()
    limits = Limits(clock=clock)
    for _ in range(80):
        admit(limits, "POST", "/repos/o/r/issues/1/comments")
        clock.now += 0.1
    err = refused(limits, "POST", "/repos/o/r/issues/1/comments")
    assert err.status == 403 and int(err.headers["retry-after"]) >= 1 and "secondary" in err.message
    admit(limits, "POST", "/graphql")  # a GraphQL read creates no content
    assert limits.tally.hits["content_minute"] == 1
    clock.now += 60
    for _ in range(420):  # 80 a minute is never passed again, but the hour's 500 is
        clock.now += 1.0
        admit(limits, "PATCH", "/repos/o/r/check-runs/1")
    assert refused(limits, "PATCH", "/repos/o/r/check-runs/1").headers["retry-after"]
    assert limits.tally.hits["content_hour"] == 1


def test_900_points_a_minute_per_endpoint_and_100_in_flight() -> None:
    clock = Clock()
    limits = Limits(clock=clock)
    for _ in range(900):
        admit(limits)
    assert refused(limits).status == 403 and limits.tally.hits["points"] == 1
    limits.admit("installation:1", 5000, "GET", "GET /other", "/other")  # another endpoint has its own points
    clock.now += 61
    tickets = [limits.admit("installation:1", 5000, "GET", "GET /other", "/other")[0] for _ in range(99)]
    assert refused(limits).status == 403 and limits.tally.hits["concurrency"] == 1
    for ticket in tickets:
        limits.release(ticket, 200)


def test_a_client_that_keeps_going_while_limited_is_flagged() -> None:
    clock = Clock()
    limits = Limits(clock=clock)
    for _ in range(80):
        admit(limits, "POST", "/repos/o/r/check-runs")
    for _ in range(Limits.FLAG_AFTER + 1):  # the first 403, then requests while limited
        refused(limits, "POST", "/repos/o/r/check-runs")
    assert "installation:1" in limits.tally.flagged


def test_counted_only_secondary_limits_refuse_nothing_but_the_primary_still_does() -> None:
    clock = Clock()
    limits = Limits(clock=clock, secondary=False)
    for _ in range(100):
        admit(limits, "POST", "/repos/o/r/check-runs", limit=100)
    assert limits.tally.hits["content_minute"] == 20 and not limits.tally.flagged
    assert refused(limits, limit=100).headers["x-ratelimit-remaining"] == "0"


def test_the_time_scale_shrinks_every_window() -> None:
    clock = Clock()
    limits = Limits(Policy(scale=60), clock=clock)
    for _ in range(80):
        admit(limits, "POST", "/repos/o/r/check-runs")
    err = refused(limits, "POST", "/repos/o/r/check-runs")
    assert err.headers["retry-after"] == "1"  # a simulated minute is a real second
    assert 0 < int(err.headers["x-ratelimit-reset"]) - clock.now <= 60  # the hour is a minute
    clock.now += 1.0
    admit(limits, "POST", "/repos/o/r/check-runs")


def _mid_hour() -> float:
    """A clock that stays mid-hour: the requests of a test over HTTP fall in one hourly window, whenever it runs
    (the world's clock cannot move instead: the App's JWT is signed on the wall clock)."""
    return 1_000 * 3600 + 1800.0


def test_the_simulator_enforces_them_over_http(tmp_path: Path) -> None:
    sim = start(tmp_path / "sim", limits=Limits(Policy(installation=3), clock=_mid_hour))
    try:
        demo = seed_demo(sim.world, signers=0, webhook_url=None, webhook_secret="s")
        token = integration(sim, demo).get_access_token(demo.installation.id).token
        auth = {"Authorization": f"token {token}"}
        url = f"{sim.base_url}/repos/{demo.repo.full_name}"
        first = httpx.get(url, headers=auth)
        again = httpx.get(url, headers={**auth, "If-None-Match": first.headers["etag"]})
        assert again.status_code == 304  # free
        statuses = [httpx.get(url, headers=auth).status_code for _ in range(3)]
        assert statuses == [200, 200, 403]
        assert sim.limits.tally.primary == 1 and sim.limits.peak_used() == 3
    finally:
        sim.stop()


def test_every_github_token_of_a_repository_draws_on_its_1000(tmp_path: Path) -> None:
    sim = start(tmp_path / "sim", limits=Limits(Policy(github_token=2), clock=_mid_hour))
    try:
        demo = seed_demo(sim.world, signers=0, webhook_url=None, webhook_secret="s")
        tokens = [integration(sim, demo).get_access_token(demo.installation.id).token for _ in range(2)]
        bucket = f"actions:{demo.repo.full_name.lower()}"
        for token in tokens:  # two runs' tokens, one repository (as tests/github_sim/actions.py gives them)
            sim.buckets[token] = (bucket, 1000)
        url = f"{sim.base_url}/repos/{demo.repo.full_name}"
        statuses = [httpx.get(url, headers={"Authorization": f"token {t}"}).status_code for t in [*tokens, tokens[0]]]
        assert statuses == [200, 200, 403]
        assert sim.used[f"{bucket}:{sim.limits.window()}"] == 3
    finally:
        sim.stop()
