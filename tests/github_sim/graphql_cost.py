"""GitHub's GraphQL schema (pinned, parsed once), and a query's node count and point cost as GitHub computes them.

https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api
- Every connection needs `first` or `last`, from 1 to 100; a call may request at most 500,000 nodes.
- Cost: the requests needed to fill each connection (a connection inside another is asked once per parent
  node), divided by 100 and rounded to the nearest whole number; at least 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    build_schema,
    get_named_type,
)

from tests.contract.fetch_schemas import fetch, path

MAX_NODES = 500_000
MAX_PAGE = 100


@cache
def github_schema() -> GraphQLSchema:
    """GitHub's published GraphQL schema (@octokit/graphql-schema's SDL), built once per process. Errata: the SDL
    defines two fields of `EnterpriseOwnerInfo` twice, and deprecates some implementations of interface fields
    that the interface does not (`Project.id`), both of which graphql-core's checks of a schema refuse; the
    schema is taken as GitHub serves it (`assume_valid`). Queries are still validated against it in full."""
    fetch()
    sdl = path("@octokit/graphql-schema", "schema.graphql").read_text(encoding="utf-8")
    return build_schema(sdl, assume_valid_sdl=True, assume_valid=True)


@dataclass
class Measure:
    """What GitHub computes before running a query: requests to fill its connections, nodes, and refusals."""

    requests: int = 0
    nodes: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def cost(self) -> int:
        return max(1, int(self.requests / 100 + 0.5))


def measure(schema: GraphQLSchema, doc: DocumentNode, variables: dict[str, Any]) -> Measure:
    """The node count and cost of the document's (first) operation; `errors` in GitHub's shape when a
    connection lacks its bounds or the call asks for too many nodes."""
    fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    found = Measure()
    for op in doc.definitions:
        if isinstance(op, OperationDefinitionNode):
            root = schema.mutation_type if op.operation.value == "mutation" else schema.query_type
            if root is not None:
                _walk(op.selection_set, root, 1, _Walk(schema, fragments, variables, found))
            break
    if not found.errors and found.nodes > MAX_NODES:
        found.errors.append(
            {
                "type": "MAX_NODE_LIMIT_EXCEEDED",
                "message": f"This query requests up to {found.nodes:,} possible nodes which exceeds the maximum "
                f"limit of {MAX_NODES:,}.",
            }
        )
    return found


@dataclass
class _Walk:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    out: Measure


def _walk(selection: SelectionSetNode | None, parent: Any, multiplier: int, w: _Walk) -> None:
    if selection is None:
        return
    for node in selection.selections:
        if isinstance(node, InlineFragmentNode):
            cond = node.type_condition
            target = (w.schema.get_type(cond.name.value) or parent) if cond is not None else parent
            _walk(node.selection_set, target, multiplier, w)
        elif isinstance(node, FragmentSpreadNode):
            frag = w.fragments.get(node.name.value)
            if frag is not None:
                _walk(frag.selection_set, w.schema.get_type(frag.type_condition.name.value) or parent, multiplier, w)
        elif isinstance(node, FieldNode):
            _field(node, parent, multiplier, w)


def _field(node: FieldNode, parent: Any, multiplier: int, w: _Walk) -> None:
    name = node.name.value
    if name.startswith("__") or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        return
    definition = parent.fields.get(name)
    if definition is None:
        return  # validation reports it
    named = get_named_type(definition.type)
    if named.name.endswith("Connection") and ("first" in definition.args or "last" in definition.args):
        size = _bound(node, w.variables)
        if size is None:
            w.out.errors.append(
                {
                    "type": "MISSING_PAGINATION_BOUNDARIES",
                    "message": f"You must provide a `first` or `last` value to properly paginate the `{name}` "
                    "connection.",
                }
            )
            return
        if not 1 <= size <= MAX_PAGE:
            w.out.errors.append(
                {
                    "type": "EXCESSIVE_PAGINATION",
                    "message": f"Requesting {size} records on the `{name}` connection exceeds the `first` limit "
                    f"of {MAX_PAGE} records.",
                }
            )
            return
        w.out.requests += multiplier
        w.out.nodes += multiplier * size
        multiplier *= size
    _walk(node.selection_set, named, multiplier, w)


def _bound(node: FieldNode, variables: dict[str, Any]) -> int | None:
    for arg in node.arguments or ():
        if arg.name.value in ("first", "last"):
            value = arg.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                given = variables.get(value.name.value)
                return int(given) if isinstance(given, int) else None
    return None
