"""Routes for the Git Data API: blobs, trees, commits and refs, on real git objects."""

from __future__ import annotations

import base64
from typing import Any

from tests.github_sim.git import EMPTY_TREE
from tests.github_sim.git_cli import GitError, Person
from tests.github_sim.models import ApiError, Repository, User
from tests.github_sim.request import Ctx, route


def b64(data: bytes) -> str:
    text = base64.b64encode(data).decode()
    return "\n".join(text[i : i + 60] for i in range(0, len(text), 60)) + "\n"


def person_for(data: dict[str, Any] | None, fallback: User, now: float) -> Person:
    if isinstance(data, dict) and data.get("name") and data.get("email"):
        return Person(str(data["name"]), str(data["email"]), f"{int(now)} +0000")
    person = fallback.person
    return Person(person.name, person.email, f"{int(now)} +0000")


def commit_json(ctx: Ctx, repo: Repository, sha: str) -> dict[str, Any]:
    return ctx.shapes.git_commit(repo, sha)


def _ref_json(ctx: Ctx, repo: Repository, name: str, sha: str) -> dict[str, Any]:
    return {
        "ref": name,
        "node_id": f"REF_{sha[:8]}",
        "url": f"{ctx.shapes.api}/repos/{repo.full_name}/git/{name}",
        "object": {"sha": sha, "type": "commit", "url": f"{ctx.shapes.api}/repos/{repo.full_name}/git/commits/{sha}"},
    }


# --- Git Data API -------------------------------------------------------------------------------
@route("POST", "/repos/{owner}/{repo}/git/blobs")
def create_blob(ctx: Ctx) -> Any:
    repo = ctx.repo()
    ctx.need_write(repo)
    content = ctx.field("content", required=True)
    data = base64.b64decode(content) if ctx.field("encoding") == "base64" else str(content).encode()
    sha = repo.git.write_blob(data)
    return 201, {"sha": sha, "url": f"{ctx.shapes.api}/repos/{repo.full_name}/git/blobs/{sha}"}


@route("GET", "/repos/{owner}/{repo}/git/blobs/{sha}")
def get_blob(ctx: Ctx) -> Any:
    repo = ctx.repo()
    try:
        data = repo.git.read_blob(ctx.params["sha"])
    except GitError:
        raise ApiError(404, "Not Found") from None
    sha = ctx.params["sha"]
    return {
        "sha": sha,
        "node_id": f"B_{sha}",
        "url": f"{ctx.shapes.api}/repos/{repo.full_name}/git/blobs/{sha}",
        "size": len(data),
        "content": b64(data),
        "encoding": "base64",
    }


def _tree_json(ctx: Ctx, repo: Repository, sha: str, *, recursive: bool) -> dict[str, Any]:
    entries = repo.git.ls_tree(sha, recursive=recursive)
    items = [
        {
            "path": e.path,
            "mode": e.mode,
            "type": e.type,
            "sha": e.sha,
            **({"size": e.size} if e.size is not None else {}),
        }
        for e in entries
    ]
    return {
        "sha": sha,
        "url": f"{ctx.shapes.api}/repos/{repo.full_name}/git/trees/{sha}",
        "tree": items,
        "truncated": False,
    }


@route("POST", "/repos/{owner}/{repo}/git/trees")
def create_tree(ctx: Ctx) -> Any:
    repo = ctx.repo()
    ctx.need_write(repo)
    base = ctx.field("base_tree")
    if base and repo.git.object_type(base) not in ("tree", "commit"):
        raise ApiError(422, "base_tree is not a valid tree")
    changes: dict[str, tuple[str, str] | None] = {}
    for item in ctx.field("tree", required=True):
        path = item["path"]
        if item.get("sha", "missing") is None:
            changes[path] = None  # a null sha deletes the path
        elif "content" in item:
            changes[path] = (item.get("mode", "100644"), repo.git.write_blob(str(item["content"]).encode()))
        elif repo.git.object_type(item["sha"]) is None:
            raise ApiError(422, f"tree.sha {item['sha']} is not a valid blob")
        else:
            changes[path] = (item.get("mode", "100644"), item["sha"])
    sha = repo.git.tree_with(base or EMPTY_TREE, changes)
    return 201, _tree_json(ctx, repo, sha, recursive=False)


@route("GET", "/repos/{owner}/{repo}/git/trees/{sha}")
def get_tree(ctx: Ctx) -> Any:
    repo = ctx.repo()
    if repo.git.object_type(ctx.params["sha"]) not in ("tree", "commit"):
        raise ApiError(404, "Not Found")
    return _tree_json(
        ctx, repo, ctx.params["sha"], recursive=ctx.query.get("recursive") not in (None, "", "0", "false")
    )


@route("POST", "/repos/{owner}/{repo}/git/commits")
def create_commit(ctx: Ctx) -> Any:
    repo = ctx.repo()
    user = ctx.need_write(repo)
    tree, parents = ctx.field("tree", required=True), ctx.field("parents", [])
    if repo.git.object_type(tree) != "tree":
        raise ApiError(422, "Tree SHA does not exist")
    for parent in parents:
        if not repo.git.has_commit(parent):
            raise ApiError(422, "Parent SHA does not exist or is not a commit object")
    now = ctx.world.now()
    author = person_for(ctx.field("author"), user, now)
    committer = person_for(ctx.field("committer"), user, now)
    sha = repo.git.commit_tree(tree, list(parents), ctx.field("message", required=True), author, committer)
    return 201, commit_json(ctx, repo, sha)


@route("GET", "/repos/{owner}/{repo}/git/commits/{sha}")
def get_commit(ctx: Ctx) -> Any:
    repo = ctx.repo()
    if not repo.git.has_commit(ctx.params["sha"]):
        raise ApiError(404, "Not Found")
    return commit_json(ctx, repo, ctx.params["sha"])


def _full_ref(name: str) -> str:
    return name if name.startswith("refs/") else f"refs/{name}"


@route("GET", "/repos/{owner}/{repo}/git/ref/{ref:path}")
def get_ref(ctx: Ctx) -> Any:
    repo = ctx.repo()
    name = _full_ref(ctx.params["ref"])
    sha = repo.git.ref(name) if name.startswith(("refs/heads/", "refs/pull/", "refs/tags/")) else None
    if sha is None:
        raise ApiError(404, "Not Found")
    return _ref_json(ctx, repo, name, sha)


@route("GET", "/repos/{owner}/{repo}/git/refs/{ref:path}")
def get_ref_legacy(ctx: Ctx) -> Any:
    return get_ref(ctx)


@route("POST", "/repos/{owner}/{repo}/git/refs")
def create_ref(ctx: Ctx) -> Any:
    repo = ctx.repo()
    ctx.need_write(repo)
    name, sha = ctx.field("ref", required=True), ctx.field("sha", required=True)
    if not name.startswith("refs/heads/"):
        raise ApiError(422, "Reference name must start with 'refs/heads/'")
    if repo.git.ref(name) is not None:
        raise ApiError(422, "Reference already exists")
    ctx.world.move_branch(repo, name.removeprefix("refs/heads/"), sha)
    return 201, _ref_json(ctx, repo, name, sha)


@route("PATCH", "/repos/{owner}/{repo}/git/refs/{ref:path}")
def update_ref(ctx: Ctx) -> Any:
    repo = ctx.repo()
    ctx.need_write(repo)
    name = _full_ref(ctx.params["ref"])
    if not name.startswith("refs/heads/") or repo.git.ref(name) is None:
        raise ApiError(422, "Reference does not exist")
    sha = ctx.field("sha", required=True)
    ctx.world.move_branch(repo, name.removeprefix("refs/heads/"), sha, force=bool(ctx.field("force", False)))
    return _ref_json(ctx, repo, name, sha)


@route("DELETE", "/repos/{owner}/{repo}/git/refs/{ref:path}")
def delete_ref(ctx: Ctx) -> Any:
    repo = ctx.repo()
    ctx.need_write(repo)
    name = _full_ref(ctx.params["ref"])
    if repo.git.ref(name) is None:
        raise ApiError(422, "Reference does not exist")
    repo.git.delete_ref(name)
    return 204, None
