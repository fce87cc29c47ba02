"""The simulator's GraphQL records: Query, Repository, Ref, PullRequest and their connections."""

from __future__ import annotations

from typing import Any

from tests.github_sim.graphql_git import entry_target, tree_entry
from tests.github_sim.graphql_nodes import RESOLVERS, Conn, Node, NotFoundError, Root, field, page
from tests.github_sim.models import ApiError, PullRequest


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
    entry = tree_entry(node.repo, commit, path)
    return None if entry is None else entry_target(Node("TreeEntry", node.world, node.repo, entry=entry))


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


@field("PullRequest", "comments")
def _comments(node: Node, first: int | None = None, last: int | None = None, **_: Any) -> Conn:
    """The PR's issue comments (REST's `comments` count on a PR); only their count is served."""
    pr = _pr(node)
    return Conn(node.world.comment_count(pr), [], False)


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
    return page(files, first, last)


@field("PullRequest", "commits")
def _pr_commits(node: Node, first: int | None = None, last: int | None = None, **_: Any) -> Conn:
    pr = _pr(node)
    shas = pr.repo.git.rev_list(pr.head_sha, node.world.branch_sha(pr.repo, pr.base_ref))
    return page([Node("PullRequestCommit", node.world, pr.repo, s) for s in shas], first, last)


@field("PullRequestCommit", "commit")
def _pr_commit(node: Node) -> Node:
    return Node("Commit", node.world, node.repo, node.oid)


for _kind in ("PullRequestChangedFile",):
    for _name in ("path", "changeType", "additions", "deletions"):
        RESOLVERS[(_kind, _name)] = lambda f, _n=_name, **_: f[_n]
