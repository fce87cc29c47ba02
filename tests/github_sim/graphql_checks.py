"""GraphQL's check suites and check runs of a commit, for the simulator's POST /graphql (graphql.py registers the rest).

`Commit.checkSuites` lists each App's suite on the commit; `CheckSuite.checkRuns` its runs, by name, the latest
of each name unless `checkType: ALL` (REST's `filter=latest`). Enums are GitHub's upper-case names.
https://docs.github.com/en/graphql/reference/objects#checksuite
https://docs.github.com/en/graphql/reference/objects#checkrun
"""

from __future__ import annotations

from typing import Any

from tests.github_sim.graphql_nodes import RESOLVERS, Conn, Node, field, page
from tests.github_sim.models import CheckRun


@field("Commit", "checkSuites")
def _check_suites(node: Node, first: int | None = None, last: int | None = None, **args: Any) -> Conn:
    wanted = (args.get("filterBy") or {}).get("appId")
    suites = [
        Node("CheckSuite", node.world, node.repo, str(s.id))
        for s in sorted(list(node.world.check_suites.values()), key=lambda s: s.id)
        if s.repo is node.repo and s.head_sha == node.oid and (wanted is None or s.app.id == wanted)
    ]
    return page(suites, first, last)


@field("CheckSuite", "checkRuns")
def _check_runs(node: Node, first: int | None = None, last: int | None = None, **args: Any) -> Conn:
    given = args.get("filterBy") or {}
    name, kind = given.get("checkName"), given.get("checkType") or "LATEST"
    suite = node.world.check_suites[int(node.oid)]
    runs = sorted((r for r in list(node.world.check_runs.values()) if r.suite is suite), key=lambda r: -r.id)
    runs = [r for r in runs if name is None or r.name == name]
    if kind == "LATEST":  # the newest run of each name
        seen: set[str] = set()
        runs = [r for r in runs if not (r.name in seen or seen.add(r.name))]  # type: ignore[func-returns-value]
    return page(runs, first, last)


@field("CheckSuite", "databaseId")
def _suite_id(node: Node) -> int:
    return int(node.oid)


@field("CheckRun", "databaseId")
def _run_id(run: CheckRun) -> int:
    return run.id


@field("CheckRun", "name")
def _run_name(run: CheckRun) -> str:
    return run.name


@field("CheckRun", "status")
def _run_status(run: CheckRun) -> str:
    return run.status.upper()


@field("CheckRun", "conclusion")
def _run_conclusion(run: CheckRun) -> str | None:
    return run.conclusion.upper() if run.conclusion else None


@field("CheckRun", "externalId")
def _run_external_id(run: CheckRun) -> str | None:
    return run.external_id


for _name in ("title", "summary", "text"):
    RESOLVERS[("CheckRun", _name)] = lambda run, _n=_name, **_: run.output.get(_n)


@field("CheckRun", "annotations")
def _annotations(run: CheckRun, first: int | None = None, last: int | None = None, **_: Any) -> Conn:
    return page(list(run.annotations), first, last)


for _conn in ("CheckSuiteConnection", "CheckRunConnection", "CheckAnnotationConnection"):
    RESOLVERS[(_conn, "totalCount")] = lambda conn, **_: conn.total
    RESOLVERS[(_conn, "nodes")] = lambda conn, **_: conn.nodes
    RESOLVERS[(_conn, "pageInfo")] = lambda conn, **_: {"hasNextPage": conn.has_next, "endCursor": None}
