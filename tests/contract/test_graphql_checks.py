"""The Action's bulk read of our check runs (app.action.checks), checked against GitHub's published schema."""

from __future__ import annotations

from graphql import parse, validate

from app.action.checks import PAGE, checks_query
from app.action.tip import QUERY as TIP_QUERY
from tests.github_sim.graphql_cost import MAX_NODES, github_schema, measure

HEAD = "0" * 39 + "1"


def test_the_query_is_valid_and_a_runs_usual_heads_cost_one_point() -> None:
    schema = github_schema()
    full = parse(checks_query([HEAD] * PAGE))
    assert validate(schema, full) == []
    found = measure(schema, full, {"owner": "o", "name": "r", "check": "undersigned"})
    # Per head: its suites (1 request), each suite's runs (3) and each run's annotations (3): 7 a head.
    assert found.errors == [] and found.nodes < MAX_NODES and (found.requests, found.cost) == (700, 7)
    assert measure(schema, parse(checks_query([HEAD] * 14)), {}).cost == 1  # what a run usually lists


def test_a_runs_first_query_is_valid_and_costs_one_point() -> None:
    schema = github_schema()
    doc = parse(TIP_QUERY)
    assert validate(schema, doc) == []
    found = measure(schema, doc, {"owner": "o", "name": "r", "path": ".github/undersigned.yml", "state": "s"})
    assert found.errors == [] and found.cost == 1


def test_the_query_with_the_catch_ups_comment_counts_is_valid_and_cheap() -> None:
    schema = github_schema()
    full = parse(checks_query([HEAD] * PAGE, list(range(1, PAGE + 1))))
    assert validate(schema, full) == []
    found = measure(schema, full, {"owner": "o", "name": "r", "check": "undersigned"})
    # Per PR one more connection (its comments): 800 requests in all, 8 points for a full page.
    assert found.errors == [] and found.nodes < MAX_NODES and (found.requests, found.cost) == (800, 8)
    assert measure(schema, parse(checks_query([HEAD] * 14, list(range(1, 15)))), {}).cost == 1
