"""Routes for repositories: the repository, forks, branches, commits and the Contents API (real git)."""

from __future__ import annotations

import base64
import posixpath
from typing import Any

from tests.github_sim.routes_git import b64, commit_json, person_for
from tests.github_sim.server import Ctx, route
from tests.github_sim.world import ApiError, Repository


@route("GET", "/repos/{owner}/{repo}")
def get_repo(ctx: Ctx) -> Any:
    return ctx.shapes.repo(ctx.repo())


@route("POST", "/repos/{owner}/{repo}/forks")
def create_fork(ctx: Ctx) -> Any:
    return 202, ctx.shapes.repo(ctx.world.fork(ctx.repo(), ctx.need_user()))


@route("GET", "/repos/{owner}/{repo}/branches")
def list_branches(ctx: Ctx) -> Any:
    repo = ctx.repo()
    refs = sorted(repo.git.refs().items())
    out = [
        {"name": r.removeprefix("refs/heads/"), "commit": {"sha": s}, "protected": r[11:] in repo.protected}
        for r, s in refs
    ]
    return ctx.page(out)


@route("GET", "/repos/{owner}/{repo}/branches/{branch:path}")
def get_branch(ctx: Ctx) -> Any:
    repo = ctx.repo()
    name = ctx.params["branch"]
    sha = ctx.world.branch_sha(repo, name)
    commit = {
        "sha": sha,
        "url": f"{ctx.shapes.api}/repos/{repo.full_name}/commits/{sha}",
        "commit": commit_json(ctx, repo, sha),
    }
    return {"name": name, "commit": commit, "protected": name in repo.protected}


# --- Contents API -------------------------------------------------------------------------------
def _content_json(
    ctx: Ctx, repo: Repository, path: str, sha: str, data: bytes | None, kind: str = "file"
) -> dict[str, Any]:
    url = f"{ctx.shapes.api}/repos/{repo.full_name}/contents/{path}"
    out: dict[str, Any] = {
        "type": kind,
        "name": posixpath.basename(path),
        "path": path,
        "sha": sha,
        "size": len(data) if data is not None else 0,
        "url": url,
        "git_url": f"{ctx.shapes.api}/repos/{repo.full_name}/git/blobs/{sha}",
        "html_url": f"{ctx.shapes.api}/{repo.full_name}/blob/{repo.default_branch}/{path}",
        "download_url": None,
        "_links": {"self": url},
    }
    if data is not None:
        out.update(content=b64(data), encoding="base64")
    return out


@route("GET", "/repos/{owner}/{repo}/contents/{path:path}")
def get_contents(ctx: Ctx) -> Any:
    repo = ctx.repo()
    ref = ctx.query.get("ref") or repo.default_branch
    commit = repo.git.ref(ref) or repo.git.ref(f"refs/heads/{ref}")
    if commit is None:
        raise ApiError(404, f"No commit found for the ref {ref}")
    path = ctx.params["path"].strip("/")
    entries = repo.git.ls_tree(f"{commit}:{path}" if path else commit) if _is_dir(repo, commit, path) else None
    if entries is not None:
        return [
            _content_json(ctx, repo, posixpath.join(path, e.path), e.sha, None, "dir" if e.type == "tree" else "file")
            for e in entries
        ]
    found = repo.git.read_path(commit, path)
    if found is None:
        raise ApiError(404, "Not Found")
    return _content_json(ctx, repo, path, found[0], found[1])


def _is_dir(repo: Repository, commit: str, path: str) -> bool:
    return not path or repo.git.object_type(f"{commit}:{path}") == "tree"


def _write_file(ctx: Ctx, delete: bool) -> Any:
    repo = ctx.repo()
    user = ctx.need_write(repo)
    path = ctx.params["path"].strip("/")
    branch = ctx.field("branch") or repo.default_branch
    head = ctx.world.branch_sha(repo, branch)
    current = repo.git.read_path(head, path)
    given = ctx.field("sha")
    # https://docs.github.com/en/rest/repos/contents: the blob sha must match the file as it is now.
    if current is not None and given is None:
        raise ApiError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
    if current is not None and given != current[0]:
        raise ApiError(409, f"{path} does not match {given}")
    if current is None and delete:
        raise ApiError(404, "Not Found")
    now = ctx.world.now()
    if delete:
        tree = repo.git.tree_with(head, {path: None})
    else:
        data = base64.b64decode(ctx.field("content", required=True))
        tree = repo.git.tree_with(head, {path: ("100644", repo.git.write_blob(data))})
    author = person_for(ctx.field("author") or ctx.field("committer"), user, now)
    committer = person_for(ctx.field("committer"), user, now)
    sha = repo.git.commit_tree(tree, [head], ctx.field("message", required=True), author, committer)
    ctx.world.move_branch(repo, branch, sha, old=head)
    commit = commit_json(ctx, repo, sha)
    if delete:
        return {"content": None, "commit": commit}
    blob = repo.git.read_path(sha, path)
    assert blob is not None
    return (200 if current else 201), {"content": _content_json(ctx, repo, path, blob[0], None), "commit": commit}


@route("PUT", "/repos/{owner}/{repo}/contents/{path:path}")
def put_contents(ctx: Ctx) -> Any:
    return _write_file(ctx, delete=False)


@route("DELETE", "/repos/{owner}/{repo}/contents/{path:path}")
def delete_contents(ctx: Ctx) -> Any:
    return _write_file(ctx, delete=True)


@route("GET", "/repos/{owner}/{repo}/commits/{ref}")
def get_repo_commit(ctx: Ctx) -> Any:
    repo = ctx.repo()
    ref = ctx.params["ref"]
    sha = repo.git.ref(ref) or repo.git.ref(f"refs/heads/{ref}")
    if sha is None:
        raise ApiError(422, f"No commit found for SHA: {ref}")
    git_commit = commit_json(ctx, repo, sha)
    parents = [
        {"sha": p["sha"], "url": f"{ctx.shapes.api}/repos/{repo.full_name}/commits/{p['sha']}"}
        for p in git_commit["parents"]
    ]
    return {
        "sha": sha,
        "node_id": f"C_{sha}",
        "url": f"{ctx.shapes.api}/repos/{repo.full_name}/commits/{sha}",
        "html_url": git_commit["html_url"],
        "commit": {k: git_commit[k] for k in ("author", "committer", "message", "tree", "url", "verification")},
        "parents": parents,
        "author": None,
        "committer": None,
    }
