"""Routes for repositories: the repository, forks, branches, commits and the Contents API (real git)."""

from __future__ import annotations

import base64
import posixpath
from typing import Any

from tests.github_sim.models import ApiError, Repository
from tests.github_sim.request import Ctx, route
from tests.github_sim.routes_git import b64, commit_json, person_for


@route("GET", "/repos/{owner}/{repo}")
def get_repo(ctx: Ctx) -> Any:
    return ctx.shapes.full_repo(ctx.repo())


@route("PATCH", "/repos/{owner}/{repo}")
def update_repo(ctx: Ctx) -> Any:
    """Only `private` (https://docs.github.com/en/rest/repos/repos#update-a-repository): a repo's admins."""
    repo, user = ctx.repo(), ctx.need_user()
    if not ctx.is_admin(user, repo):
        raise ApiError(403, "Must have admin rights to Repository.")
    private = ctx.field("private")
    if private is not None:
        if not isinstance(private, bool):
            raise ApiError(422, "Invalid request.", errors=[{"field": "private", "code": "invalid"}])
        repo.private = private
    return ctx.shapes.full_repo(repo)


@route("POST", "/repos/{owner}/{repo}/forks")
def create_fork(ctx: Ctx) -> Any:
    return 202, ctx.shapes.full_repo(ctx.world.fork(ctx.repo(), ctx.need_user()))


@route("GET", "/repos/{owner}/{repo}/branches")
def list_branches(ctx: Ctx) -> Any:
    repo = ctx.repo()
    refs = sorted(repo.git.refs().items())
    api = f"{ctx.shapes.api}/repos/{repo.full_name}"
    out = [
        {
            "name": r.removeprefix("refs/heads/"),
            "commit": {"sha": s, "url": f"{api}/commits/{s}"},
            "protected": r[11:] in repo.protected,
        }
        for r, s in refs
    ]
    return ctx.page(out)


@route("GET", "/repos/{owner}/{repo}/branches/{branch:path}")
def get_branch(ctx: Ctx) -> Any:
    repo = ctx.repo()
    name = ctx.params["branch"]
    sha = ctx.world.branch_sha(repo, name)
    api = f"{ctx.shapes.api}/repos/{repo.full_name}"
    protection_url = f"{api}/branches/{name}/protection"
    return {
        "name": name,
        "commit": ctx.shapes.commit(repo, sha),
        "_links": {"self": f"{api}/branches/{name}", "html": f"{ctx.shapes.api}/{repo.full_name}/tree/{name}"},
        "protected": name in repo.protected,
        "protection": {"enabled": name in repo.protected, "url": protection_url},
        "protection_url": protection_url,
    }


# --- Contents API -------------------------------------------------------------------------------
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
            ctx.shapes.content(
                repo, posixpath.join(path, e.path), e.sha, ref, "dir" if e.type == "tree" else "file", e.size or 0
            )
            for e in entries
        ]
    found = repo.git.read_entry(commit, path)
    if found is None:
        raise ApiError(404, "Not Found")
    mode, sha, data = found
    if mode == "120000":
        # GitHub: a symlink to a normal file of the repo answers with that file's content (and its path);
        # any other symlink is described itself. https://docs.github.com/en/rest/repos/contents
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), data.decode(errors="replace")))
        resolved = repo.git.read_entry(commit, target) if not target.startswith("../") else None
        if resolved is not None and resolved[0] != "120000":
            path, sha, data = target, resolved[1], resolved[2]
        else:
            shape = ctx.shapes.content(repo, path, sha, ref, size=len(data))
            return {**shape, "type": "symlink", "target": data.decode(errors="replace")}
    return {**ctx.shapes.content(repo, path, sha, ref, size=len(data)), "content": b64(data), "encoding": "base64"}


def _is_dir(repo: Repository, commit: str, path: str) -> bool:
    return not path or repo.git.object_type(f"{commit}:{path}") == "tree"


def _write_file(ctx: Ctx, *, delete: bool) -> Any:
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
    content = ctx.shapes.content(repo, path, blob[0], branch, size=len(blob[1]))
    return (200 if current else 201), {"content": content, "commit": commit}


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
    sha = repo.git.ref(ref) or repo.git.ref(f"refs/heads/{ref}") or (ref if repo.git.has_commit(ref) else None)
    if sha is None:
        raise ApiError(422, f"No commit found for SHA: {ref}")
    return ctx.shapes.commit(repo, sha)


@route("GET", "/repos/{owner}/{repo}/commits")
def list_commits(ctx: Ctx) -> Any:
    # https://docs.github.com/en/rest/commits/commits#list-commits: newest first, from `sha` (a branch or commit).
    repo = ctx.repo()
    start = ctx.query.get("sha") or repo.default_branch
    tip = repo.git.ref(start) or repo.git.ref(f"refs/heads/{start}") or (start if repo.git.has_commit(start) else None)
    if tip is None:
        raise ApiError(404, "Not Found")
    shas = repo.git.history(tip, ctx.query.get("path"))
    return [ctx.shapes.commit(repo, s) for s in ctx.page(shas)]
