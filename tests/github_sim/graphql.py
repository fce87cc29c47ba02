"""POST /graphql: the subset of GitHub's GraphQL API the service uses, run by graphql-core on GitHub's own schema.

Every query is parsed and validated against the published schema (@octokit/graphql-schema, graphql_cost.py) before
it runs, so a field GitHub does not have fails here as it would there; the answer is built by graphql-core from
that schema too, so its shape is GitHub's. A field the simulator does not implement is an error (and, with
validation on, a contract violation). https://docs.github.com/en/graphql/guides/forming-calls-with-graphql
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, GraphQLResolveInfo, execute_sync, parse, validate
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tests.github_sim.contract import Violation
from tests.github_sim.faults import Call
from tests.github_sim.graphql_cost import github_schema, measure
from tests.github_sim.limits import GRAPHQL, PRIMARY, Ticket
from tests.github_sim.models import ApiError, PullRequest, Repository
from tests.github_sim.world import World

if TYPE_CHECKING:
    from tests.github_sim.request import Actor
    from tests.github_sim.server import Simulator

DOCS = "https://docs.github.com/graphql"
TEXT_LIMIT = 512 * 1024  # bytes of a blob's `text` before `isTruncated` (GitHub does not publish its figure)
Resolver = Callable[..., Any]
RESOLVERS: dict[tuple[str, str], Resolver] = {}


def field(type_name: str, *names: str) -> Callable[[Resolver], Resolver]:
    def register(fn: Resolver) -> Resolver:
        for name in names:
            RESOLVERS[(type_name, name)] = fn
        return fn

    return register


class NotFoundError(Exception):
    """GitHub's NOT_FOUND error: the field is null and the error says what could not be resolved."""


# --- what resolvers pass along ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Root:
    sim: Simulator
    actor: Actor
    rate: dict[str, Any]


@dataclass(frozen=True)
class Node:
    """A git object or a GitHub record, with the repository it is read from; `typename` resolves interfaces."""

    typename: str
    world: World
    repo: Repository
    oid: str = ""
    pr: PullRequest | None = None
    entry: tuple[int, str, str, str] | None = None  # a TreeEntry: mode, type, oid, path


@dataclass(frozen=True)
class Conn:
    total: int
    nodes: list[Any]
    has_next: bool = False


def _page(items: list[Any], first: int | None, last: int | None) -> Conn:
    """A connection's page: the first or last `first`/`last` items (validation requires one of them)."""
    size = first or last or 100
    return Conn(len(items), items[:size] if first else items[-size:], bool(first) and len(items) > size)


def _resolve(source: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
    fn = RESOLVERS.get((info.parent_type.name, info.field_name))
    if fn is None:
        raise GraphQLError(f"The simulator does not implement `{info.parent_type.name}.{info.field_name}`.")
    return fn(source, **args)


def _type_of(value: Any, info: GraphQLResolveInfo[Any], abstract: Any) -> str | None:
    return value.typename if isinstance(value, Node) else None


# --- Query -------------------------------------------------------------------------------------------------
@field("Query", "repository")
def _repository(root: Root, owner: str, name: str, **_: Any) -> Node:
    try:
        repo = root.sim.world.repo(f"{owner}/{name}")
    except ApiError:
        repo = None
    actor = root.actor
    hidden = (
        repo is not None
        and repo.private
        and not (actor.installation is not None and repo.full_name in actor.installation.repos)
    )
    if repo is None or hidden:
        raise NotFoundError(f"Could not resolve to a Repository with the name '{owner}/{name}'.")
    return Node("Repository", root.sim.world, repo)


@field("Query", "rateLimit")
def _rate_limit(root: Root, **_: Any) -> dict[str, Any]:
    return root.rate


for _name in ("cost", "limit", "remaining", "used", "resetAt", "nodeCount"):
    RESOLVERS[("RateLimit", _name)] = lambda rate, _n=_name, **_: rate[_n]


# --- Repository, Ref ---------------------------------------------------------------------------------------
@field("Repository", "nameWithOwner")
def _name_with_owner(node: Node) -> str:
    return node.repo.full_name


@field("Repository", "pullRequest")
def _pull_request(node: Node, number: int) -> Node:
    try:
        found = node.world.pull(node.repo, number)
    except ApiError:
        raise NotFoundError(f"Could not resolve to a PullRequest with the number of {number}.") from None
    return Node("PullRequest", node.world, node.repo, found.head_sha, pr=found)


@field("Repository", "defaultBranchRef")
def _default_branch_ref(node: Node) -> Node:
    return Node("Ref", node.world, node.repo, node.repo.default_branch)


@field("Repository", "object")
def _object(node: Node, oid: str | None = None, expression: str | None = None) -> Node | None:
    git = node.repo.git
    if expression is not None:
        rev, sep, path = expression.partition(":")
        if sep:
            sha = git.ref(rev) or git.ref(f"refs/heads/{rev}")
            return _entry_object(node, sha, path) if sha else None
        oid = git.ref(expression) or git.ref(f"refs/heads/{expression}")
    if oid is None:
        return None
    kind = git.object_type(oid)
    return Node(kind.capitalize(), node.world, node.repo, oid) if kind in ("blob", "commit", "tree") else None


def _entry_object(node: Node, commit: str, path: str) -> Node | None:
    entry = _tree_entry(node.repo, commit, path)
    return None if entry is None else _entry_target(Node("TreeEntry", node.world, node.repo, entry=entry))


@field("Ref", "name")
def _ref_name(node: Node) -> str:
    return node.oid


@field("Ref", "target")
def _ref_target(node: Node) -> Node:
    return Node("Commit", node.world, node.repo, node.world.branch_sha(node.repo, node.oid))


# --- PullRequest -------------------------------------------------------------------------------------------
def _pr(node: Node) -> PullRequest:
    assert node.pr is not None
    return node.pr


@field("PullRequest", "number")
def _number(node: Node) -> int:
    return _pr(node).number


@field("PullRequest", "state")
def _state(node: Node) -> str:
    pr = _pr(node)
    return "MERGED" if pr.merged else pr.state.upper()


@field("PullRequest", "headRefOid")
def _head_oid(node: Node) -> str:
    return _pr(node).head_sha


@field("PullRequest", "baseRefName")
def _base_name(node: Node) -> str:
    return _pr(node).base_ref


def _diff(node: Node) -> list[dict[str, object]]:
    pr = _pr(node)
    git = pr.repo.git
    base = git.merge_base(node.world.branch_sha(pr.repo, pr.base_ref), pr.head_sha) or pr.head_sha
    return git.diff_files(base, pr.head_sha)


@field("PullRequest", "changedFiles")
def _changed_files(node: Node) -> int:
    return len(_diff(node))


@field("PullRequest", "files")
def _files(node: Node, first: int | None = None, last: int | None = None, **_: Any) -> Conn:
    kinds = {"added": "ADDED", "removed": "DELETED", "modified": "MODIFIED", "changed": "CHANGED"}
    files = [
        {"path": f["filename"], "changeType": kinds[str(f["status"])], "additions": f["additions"],
         "deletions": f["deletions"]}
        for f in _diff(node)
    ]  # fmt: skip
    return _page(files, first, last)


@field("PullRequest", "commits")
def _pr_commits(node: Node, first: int | None = None, last: int | None = None, **_: Any) -> Conn:
    pr = _pr(node)
    shas = pr.repo.git.rev_list(pr.head_sha, node.world.branch_sha(pr.repo, pr.base_ref))
    return _page([Node("PullRequestCommit", node.world, pr.repo, s) for s in shas], first, last)


@field("PullRequestCommit", "commit")
def _pr_commit(node: Node) -> Node:
    return Node("Commit", node.world, node.repo, node.oid)


for _kind in ("PullRequestChangedFile",):
    for _name in ("path", "changeType", "additions", "deletions"):
        RESOLVERS[(_kind, _name)] = lambda f, _n=_name, **_: f[_n]


for _conn in ("PullRequestChangedFileConnection", "PullRequestCommitConnection", "CommitConnection"):
    RESOLVERS[(_conn, "totalCount")] = lambda conn, **_: conn.total
    RESOLVERS[(_conn, "nodes")] = lambda conn, **_: conn.nodes
    RESOLVERS[(_conn, "pageInfo")] = lambda conn, **_: {"hasNextPage": conn.has_next, "endCursor": None}


for _name in ("hasNextPage", "endCursor"):
    RESOLVERS[("PageInfo", _name)] = lambda page, _n=_name, **_: page[_n]


# --- Commit, TreeEntry, Blob -------------------------------------------------------------------------------
@field("Commit", "oid")
@field("Blob", "oid")
@field("Tree", "oid")
def _oid(node: Node) -> str:
    return node.oid


@field("Commit", "parents")
def _parents(node: Node, first: int | None = None, last: int | None = None, **_: Any) -> Conn:
    parents = [str(p) for p in node.repo.git.commit_info(node.oid)["parents"]]  # type: ignore[attr-defined]
    return _page([Node("Commit", node.world, node.repo, p) for p in parents], first, last)


@field("Commit", "file")
def _file(node: Node, path: str) -> Node | None:
    entry = _tree_entry(node.repo, node.oid, path)
    return None if entry is None else Node("TreeEntry", node.world, node.repo, entry[2], entry=entry)


def _tree_entry(repo: Repository, commit: str, path: str) -> tuple[int, str, str, str] | None:
    out = repo.git.git("ls-tree", "-z", commit, "--", path.strip("/"), ok=(0, 128)).rstrip("\0")
    if not out:
        return None
    meta, name = out.split("\t", 1)
    mode, kind, sha = meta.split()
    return int(mode, 8), kind, sha, name


def _entry(node: Node) -> tuple[int, str, str, str]:
    assert node.entry is not None
    return node.entry


RESOLVERS[("TreeEntry", "mode")] = lambda n, **_: _entry(n)[0]
RESOLVERS[("TreeEntry", "type")] = lambda n, **_: _entry(n)[1]
RESOLVERS[("TreeEntry", "oid")] = lambda n, **_: _entry(n)[2]
RESOLVERS[("TreeEntry", "path")] = lambda n, **_: _entry(n)[3]


@field("TreeEntry", "object")
def _entry_target(node: Node) -> Node | None:
    _, kind, sha, _ = _entry(node)
    return Node({"blob": "Blob", "tree": "Tree", "commit": "Commit"}.get(kind, "Blob"), node.world, node.repo, sha)


def _blob(node: Node) -> bytes:
    return node.repo.git.read_blob(node.oid)


@field("Blob", "byteSize")
def _byte_size(node: Node) -> int:
    return len(_blob(node))


@field("Blob", "isBinary")
def _is_binary(node: Node) -> bool:
    return b"\0" in _blob(node)[:8000]  # git's own test


@field("Blob", "isTruncated")
def _is_truncated(node: Node) -> bool:
    return len(_blob(node)) > TEXT_LIMIT


@field("Blob", "text")
def _text(node: Node) -> str | None:
    data = _blob(node)
    return None if b"\0" in data[:8000] else data[:TEXT_LIMIT].decode("utf-8", errors="replace")


# --- the endpoint ------------------------------------------------------------------------------------------
class GraphQLEndpoint:
    """`POST /graphql` for one simulator: authenticate, validate, measure, charge, run."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    async def serve(self, request: Request) -> Response:
        sim, status, label = self.sim, 200, "anonymous"
        ticket: Ticket | None = None
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
            sim.faults.record(Call("POST", "/graphql", status, label, ""))

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
                github_schema(), doc, root, variable_values=variables, field_resolver=_resolve, type_resolver=_type_of
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
