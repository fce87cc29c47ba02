"""POST /graphql: the subset of GitHub's GraphQL API the service uses, run by graphql-core on GitHub's own schema.

Every query is parsed and validated against the published schema (@octokit/graphql-schema, graphql_cost.py) before
it runs, so a field GitHub does not have fails here as it would there; the answer is built by graphql-core from
that schema too, so its shape is GitHub's. A field the simulator does not implement is an error (and, with
validation on, a contract violation). https://docs.github.com/en/graphql/guides/forming-calls-with-graphql
The resolvers: graphql_pulls.py (Query, Repository, Ref, PullRequest), graphql_git.py (Commit, TreeEntry, Blob) and
graphql_checks.py (check suites and runs), on graphql_nodes.py (what they share).
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from graphql import DocumentNode, FieldNode, GraphQLError, Visitor, execute_sync, parse, validate, visit
from graphql.utilities import value_from_ast_untyped
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tests.github_sim import graphql_checks, graphql_pulls  # noqa: F401  (importing them registers the resolvers)
from tests.github_sim.contract import Violation
from tests.github_sim.faults import Call
from tests.github_sim.graphql_cost import github_schema, measure
from tests.github_sim.graphql_nodes import NotFoundError, Root, resolve, type_of
from tests.github_sim.limits import GRAPHQL, PRIMARY, Ticket
from tests.github_sim.models import ApiError

if TYPE_CHECKING:
    from tests.github_sim.server import Simulator

DOCS = "https://docs.github.com/graphql"
NAMING = {"pullRequest": ("number",), "object": ("oid", "expression")}  # what a query names: PRs, git objects


def named(doc: DocumentNode, variables: dict[str, Any]) -> tuple[str, ...]:
    """What a query names, for the request log: "number:12" (a PR), "oid:<sha>", "expression:<rev>:<path>";
    bench/launch_attribute.py shares the query's one request among the PRs these lead to."""
    found: list[str] = []

    class Names(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            for arg in node.arguments or ():
                if arg.name.value in NAMING.get(node.name.value, ()):
                    found.append(f"{arg.name.value}:{value_from_ast_untyped(arg.value, variables)}")

    visit(doc, Names())
    return tuple(found)


class GraphQLEndpoint:
    """`POST /graphql` for one simulator: authenticate, validate, measure, charge, run."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    async def serve(self, request: Request) -> Response:
        sim, status, label = self.sim, 200, "anonymous"
        ticket: Ticket | None = None
        names: tuple[str, ...] = ()
        try:
            for fault in sim.faults.take("POST /graphql", ("latency",)):
                await asyncio.sleep(fault.latency)
            actor = sim.authenticate(request.headers.get("authorization"))
            label = actor.label
            if actor.token is None:  # GitHub's GraphQL API takes no anonymous calls, nor the App's JWT
                raise ApiError(401, "This endpoint requires you to be authenticated.")
            try:
                body = json.loads(await request.body() or b"null")
            except ValueError:
                raise ApiError(400, "Problems parsing JSON") from None
            query = body.get("query") if isinstance(body, dict) else None
            variables = body.get("variables") or {} if isinstance(body, dict) else {}
            if not isinstance(query, str) or not isinstance(variables, dict):
                raise ApiError(400, "Problems parsing JSON")
            schema = github_schema()
            try:
                doc = parse(query)
            except GraphQLError as err:
                return self._refused([err.formatted], "parse")
            names = named(doc, variables)
            invalid = validate(schema, doc)
            if invalid:
                return self._refused([e.formatted for e in invalid], "validate")
            measured = measure(schema, doc, variables)
            if measured.errors:
                return self._refused(measured.errors, "limits")
            try:
                ticket, headers = sim._admit(actor, "POST", GRAPHQL, "/graphql", cost=measured.cost)
            except ApiError as err:
                if err.status == 403 and err.message == PRIMARY:  # GitHub: still a 200, with an error
                    message = f"API rate limit exceeded for {label.replace(':', ' ID ')}."
                    return JSONResponse({"errors": [{"type": "RATE_LIMITED", "message": message}]}, 200, err.headers)
                raise
            for fault in sim.faults.take("POST /graphql", ("error", "secondary", "primary")):
                raise sim._fault_error(fault, headers)
            rate = self._rate(headers, measured.cost, measured.nodes)
            result = await run_in_threadpool(self._run, doc, variables, Root(sim, actor, rate))
            return JSONResponse(result, 200, headers)
        except ApiError as err:
            status = err.status
            body_out = {"message": err.message, "documentation_url": DOCS, **err.extra}
            return JSONResponse(body_out, err.status, err.headers)
        finally:
            if ticket is not None:
                sim.limits.release(ticket, status)
            sim.faults.record(Call("POST", "/graphql", status, label, "", names))

    def _refused(self, errors: list[Any], stage: str) -> Response:
        """A query GitHub would refuse before running it: 200 with `errors`; the service sent it, so with
        validation on it is also a violation of GitHub's contract."""
        if self.sim.contract is not None:
            self.sim.contract.add([Violation("request", "POST /graphql", stage, str(e)) for e in errors])
        return JSONResponse({"errors": errors}, 200)

    def _rate(self, headers: dict[str, str], cost: int, nodes: int) -> dict[str, Any]:
        reset = datetime.fromtimestamp(int(headers["x-ratelimit-reset"]), UTC)
        return {
            "cost": cost,
            "limit": int(headers["x-ratelimit-limit"]),
            "remaining": int(headers["x-ratelimit-remaining"]),
            "used": int(headers["x-ratelimit-used"]),
            "resetAt": reset.isoformat().replace("+00:00", "Z"),
            "nodeCount": nodes,
        }

    def _run(self, doc: Any, variables: dict[str, Any], root: Root) -> dict[str, Any]:
        with self.sim.world.lock:
            result = execute_sync(
                github_schema(), doc, root, variable_values=variables, field_resolver=resolve, type_resolver=type_of
            )
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [self._error(e) for e in result.errors]
        return out

    def _error(self, err: GraphQLError) -> dict[str, Any]:
        shaped: dict[str, Any] = dict(err.formatted)
        if isinstance(err.original_error, NotFoundError):
            shaped = {"type": "NOT_FOUND", **shaped}
        elif self.sim.contract is not None:
            self.sim.contract.add([Violation("response", "POST /graphql", "execute", err.message)])
        return shaped
