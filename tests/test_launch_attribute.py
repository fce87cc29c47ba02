"""bench/launch_attribute.py: a GraphQL query's one request is shared among the PRs it names, by kind, so a burst
read does not count against valid signatures alone; the totals stay what the simulator logged."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.github.graphql import read_blobs, read_pulls
from bench.launch_attribute import attribute
from tests.github_sim import Simulator, person, seed_demo
from tests.sim.clients import LINE, installation_client


@dataclass
class Pr:
    number: int
    kind: str
    heads: list[str] = field(default_factory=list)
    blobs: list[str] = field(default_factory=list)


def test_a_graphql_query_is_shared_between_the_valid_and_the_invalid_pr_it_names(sim: Simulator) -> None:
    demo = seed_demo(sim.world, signers=2)
    repo = demo.repo.full_name
    prs = []
    for login, kind in (("ada", "valid"), ("eve", "invalid")):
        sim.world.add_user(login)
        line = LINE.format(name=login.title(), login=login) if kind == "valid" else "<b>not a signature</b>"
        pull = sim.world.pull(demo.repo, int(person(sim, login).sign(repo, "README.md", line)["number"]))
        found = pull.repo.git.read_path(pull.head_sha, "README.md")
        assert found is not None
        prs.append(Pr(pull.number, kind, [pull.head_sha], [found[0]]))
    req = installation_client(sim, demo).requester
    read_pulls(req, repo, [p.number for p in prs], "README.md")  # one query naming both PRs
    tip = demo.repo.git.read_path("refs/heads/main", "README.md")
    assert tip is not None
    read_blobs(req, repo, {prs[1].blobs[0]: 10, tip[0]: 10})  # the invalid PR's letter, and the tip's (shared)
    read_blobs(req, repo, {tip[0]: 10})  # the tip's alone: it names no PR

    queries = sim.faults.calls("POST", "^/graphql$", actor="installation:")
    assert [c.names for c in queries] == [
        tuple(f"number:{p.number}" for p in prs),
        (f"oid:{prs[1].blobs[0]}", f"oid:{tip[0]}"),
        (f"oid:{tip[0]}",),
    ]
    tally = attribute(sim, prs)
    assert tally["valid"]["requests"] == 0.5 + 1  # half the PRs query, and the query that names no PR
    assert tally["invalid"]["requests"] == 0.5 + 1  # half the PRs query, and its letter's blob
    assert tally["endpoints"]["valid POST /graphql"] == tally["endpoints"]["invalid POST /graphql"] == 1.5
    assert tally["valid"]["requests"] + tally["invalid"]["requests"] == len(queries)  # totals unchanged
    assert tally["signers"]["requests"] == 3  # the letter's own PRs (no spam here)
