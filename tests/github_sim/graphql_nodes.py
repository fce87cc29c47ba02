"""What the simulator's GraphQL resolvers share: the registry of resolvers, the values they pass along, pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, GraphQLResolveInfo

from tests.github_sim.models import PullRequest, Repository
from tests.github_sim.world import World

if TYPE_CHECKING:
    from tests.github_sim.request import Actor
    from tests.github_sim.server import Simulator

Resolver = Callable[..., Any]
RESOLVERS: dict[tuple[str, str], Resolver] = {}  # (type, field) -> resolver: graphql_pulls.py, graphql_git.py


def field(type_name: str, *names: str) -> Callable[[Resolver], Resolver]:
    def register(fn: Resolver) -> Resolver:
        for name in names:
            RESOLVERS[(type_name, name)] = fn
        return fn

    return register


class NotFoundError(Exception):
    """GitHub's NOT_FOUND error: the field is null and the error says what could not be resolved."""


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


def page(items: list[Any], first: int | None, last: int | None) -> Conn:
    """A connection's page: the first or last `first`/`last` items (validation requires one of them)."""
    size = first or last or 100
    return Conn(len(items), items[:size] if first else items[-size:], bool(first) and len(items) > size)


def resolve(source: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
    fn = RESOLVERS.get((info.parent_type.name, info.field_name))
    if fn is None:
        raise GraphQLError(f"The simulator does not implement `{info.parent_type.name}.{info.field_name}`.")
    return fn(source, **args)


def type_of(value: Any, info: GraphQLResolveInfo[Any], abstract: Any) -> str | None:
    return value.typename if isinstance(value, Node) else None


for _conn in (
    "PullRequestChangedFileConnection",
    "PullRequestCommitConnection",
    "CommitConnection",
    "IssueCommentConnection",
):
    RESOLVERS[(_conn, "totalCount")] = lambda conn, **_: conn.total
    RESOLVERS[(_conn, "nodes")] = lambda conn, **_: conn.nodes
    RESOLVERS[(_conn, "pageInfo")] = lambda conn, **_: {"hasNextPage": conn.has_next, "endCursor": None}


for _name in ("hasNextPage", "endCursor"):
    RESOLVERS[("PageInfo", _name)] = lambda info, _n=_name, **_: info[_n]
