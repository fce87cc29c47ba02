"""The GraphQL the service sends, and the simulator's answers, checked against GitHub's published schema."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from github import Github
from graphql import parse, validate

from app.github.graphql import Pull, Unusable, blobs_query, pulls_query, read_blobs, read_pulls
from tests.github_sim import Demo, Limits, Policy, Simulator, seed_demo, start
from tests.github_sim.contract import assert_contract_kept
from tests.github_sim.graphql_cost import MAX_NODES, github_schema, measure
from tests.sim.clients import installation_client, sign

BLOB = "0" * 39 + "1"


@pytest.mark.parametrize(
    "query", [pulls_query(list(range(1, 101))), pulls_query([1, 2], texts=True), blobs_query([BLOB] * 100)]
)
def test_the_services_queries_are_valid_against_githubs_schema(query: str) -> None:
    schema = github_schema()
    doc = parse(query)
    assert validate(schema, doc) == []
    found = measure(schema, doc, {"owner": "o", "name": "r", "path": "README.md"})
    assert found.errors == [] and found.nodes < MAX_NODES


def test_a_hundred_prs_cost_three_points() -> None:
    """100 PRs, each asking three connections (its commit, that commit's parent, its files): 300 requests."""
    found = measure(github_schema(), parse(pulls_query(list(range(1, 101)))), {})
    assert (found.requests, found.cost) == (300, 3)
    assert found.nodes == 100 * (1 + 1 + 100)


def test_an_unbounded_connection_is_refused_as_github_does() -> None:
    doc = parse('query { repository(owner: "o", name: "r") { pullRequest(number: 1) { files { totalCount } } } }')
    (err,) = measure(github_schema(), doc, {}).errors
    assert err["type"] == "MISSING_PAGINATION_BOUNDARIES"


@pytest.fixture
def world(tmp_path: Any) -> Any:
    sim = start(tmp_path / "sim", validate=True, limits=Limits(secondary=False))
    demo = seed_demo(sim.world, signers=2)
    yield sim, demo
    sim.stop()
    assert_contract_kept(sim)


def client(sim: Simulator, demo: Demo) -> Github:
    return installation_client(sim, demo)


def test_a_burst_is_read_in_two_queries_and_every_text_checks_out(world: Any) -> None:
    sim, demo = world
    numbers = [int(str(sign(sim, demo, s.login)["number"])) for s in demo.signers]
    gh = client(sim, demo)
    reads, seen, rate = read_pulls(gh.requester, demo.repo.full_name, [*numbers, 999], "README.md")
    assert seen.texts == {}  # texts come from the blobs query
    assert isinstance(reads[-1], Unusable) and reads[-1].why == "missing"
    pulls = [r for r in reads if isinstance(r, Pull)]
    assert [p.number for p in pulls] == numbers
    texts = read_blobs(gh.requester, demo.repo.full_name, seen.sizes)
    git = demo.repo.git
    for pull in pulls:
        assert pull.merge_base == git.merge_base(git.ref("refs/heads/main"), pull.head)
        base, head, tip = pull.blobs
        assert texts[head] == git.read_path(pull.head, "README.md")[1].decode()
        assert base is not None and texts[base] == git.read_path(pull.merge_base, "README.md")[1].decode()
        assert tip is not None and texts[tip] == git.read_path(pull.tip, "README.md")[1].decode()
    assert rate is not None and rate.cost == 1 and rate.limit == 5000
    assert len(sim.faults.calls("POST", "^/graphql$")) == 2


def test_small_batches_carry_their_heads_texts(world: Any) -> None:
    sim, demo = world
    number = int(str(sign(sim, demo, demo.signers[0].login)["number"]))
    (pull,), seen, _ = read_pulls(client(sim, demo).requester, demo.repo.full_name, [number], "README.md", texts=True)
    assert isinstance(pull, Pull)
    assert seen.texts == {pull.blobs[1]: demo.repo.git.read_path(pull.head, "README.md")[1].decode()}


def test_a_pr_of_two_commits_is_left_to_rest(world: Any) -> None:
    sim, demo = world
    signer = demo.signers[0]
    from tests.github_sim import person

    who = person(sim, signer.login)
    pr = who.sign(demo.repo.full_name, "README.md", "-  Ada [@ada](https://github.com/ada)")
    fork = f"{signer.login}/{demo.repo.name}"
    text, _ = who.read(fork, "README.md", f"{signer.login}-sign")
    who.write(fork, "README.md", text + "x\n", f"{signer.login}-sign", "again")
    reads, _, _ = read_pulls(client(sim, demo).requester, demo.repo.full_name, [int(pr["number"])], "README.md")
    assert reads == [Unusable(int(pr["number"]), "commits")]


def post(sim: Simulator, demo: Demo, query: str) -> httpx.Response:
    token = client(sim, demo).requester.auth.token  # type: ignore[union-attr]
    return httpx.post(f"{sim.base_url}/graphql", json={"query": query}, headers={"Authorization": f"bearer {token}"})


def test_a_field_github_lacks_is_an_error_and_a_violation(world: Any) -> None:
    sim, demo = world
    answer = post(sim, demo, 'query { repository(owner: "o", name: "r") { nonsense } }')
    assert answer.status_code == 200 and "nonsense" in answer.json()["errors"][0]["message"]
    assert [v.operation for v in sim.contract.take()] == ["validate"]


def test_past_the_primary_limit_github_answers_200_with_rate_limited(tmp_path: Any) -> None:
    sim = start(tmp_path / "sim", limits=Limits(Policy(installation=2), secondary=False))
    try:
        demo = seed_demo(sim.world, signers=1)
        query = f'query {{ rateLimit {{ cost remaining }} repository(owner: "{demo.repo.owner.login}", name: "{demo.repo.name}") {{ nameWithOwner }} }}'
        first = post(sim, demo, query)
        assert first.json()["data"]["rateLimit"] == {"cost": 1, "remaining": 1}
        assert first.headers["x-ratelimit-resource"] == "graphql"
        post(sim, demo, query)
        limited = post(sim, demo, query)
        assert limited.status_code == 200 and limited.json()["errors"][0]["type"] == "RATE_LIMITED"
        assert limited.headers["x-ratelimit-remaining"] == "0"
        assert sim.limits.used.get(f"installation:{demo.installation.id}:0", 0) == 0  # REST's bucket untouched
    finally:
        sim.stop()


def test_graphql_has_its_own_budget_its_own_points_a_minute_and_shares_concurrency() -> None:
    from tests.github_sim.limits import GRAPHQL
    from tests.github_sim.models import ApiError

    limits = Limits(Policy(concurrent=3), clock=lambda: 1_000_000.0)
    ticket, headers = limits.admit("graphql:installation:1", 5000, "POST", GRAPHQL, "/graphql", cost=7)
    assert headers["x-ratelimit-used"] == "7" and headers["x-ratelimit-resource"] == "graphql"
    limits.release(ticket, 200)
    for _ in range(1999):  # 2,000 queries a minute on the GraphQL endpoint (REST's endpoints: 900 points)
        limits.release(limits.admit("graphql:installation:1", 10**6, "POST", GRAPHQL, "/graphql")[0], 200)
    with pytest.raises(ApiError):
        limits.admit("graphql:installation:1", 10**6, "POST", GRAPHQL, "/graphql")
    assert limits.tally.hits["points"] == 1
    assert limits.used.get("installation:1:277", 0) == 0  # REST's primary bucket untouched
    held = [limits.admit("installation:1", 5000, "GET", "GET /x", "/x")[0] for _ in range(3)]
    with pytest.raises(ApiError):  # 100 concurrent (here 3), shared by REST and GraphQL
        limits.admit("graphql:installation:1", 10**6, "POST", "POST /other", "/graphql")
    assert limits.tally.hits["concurrency"] == 1 and len(held) == 3
