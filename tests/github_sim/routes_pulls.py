"""Routes for pull requests: open, read, list, edit, files, and the merge endpoint (real git merges)."""

from __future__ import annotations

from typing import Any

from tests.github_sim.git_cli import Person
from tests.github_sim.models import ApiError, PullRequest
from tests.github_sim.request import Ctx, route


def _pr(ctx: Ctx) -> PullRequest:
    return ctx.world.pull(ctx.repo(), ctx.param_int("number"))


@route("POST", "/repos/{owner}/{repo}/pulls")
def create_pull(ctx: Ctx) -> Any:
    repo = ctx.repo()
    user = ctx.writer()
    pr = ctx.world.open_pull(
        repo,
        user,
        ctx.field("head", required=True),
        ctx.field("base", required=True),
        ctx.field("title", required=True),
        ctx.field("body"),
    )
    return 201, ctx.shapes.pull(pr)


@route("GET", "/repos/{owner}/{repo}/pulls")
def list_pulls(ctx: Ctx) -> Any:
    repo = ctx.repo()
    state = ctx.query.get("state", "open")
    head, base = ctx.query.get("head"), ctx.query.get("base")
    found = [
        pr
        for pr in ctx.world.pulls.values()
        if pr.repo is repo
        and (state == "all" or pr.state == state)
        and (base is None or pr.base_ref == base)
        and (head is None or f"{pr.head_repo.owner.login}:{pr.head_ref}".lower() == head.lower())
    ]
    # https://docs.github.com/en/rest/pulls/pulls#list-pull-requests: `sort` is created (the default) or
    # updated (also popularity, long-running: not simulated); `direction` defaults to desc for created, else asc.
    by_update = ctx.query.get("sort") == "updated"
    default = "asc" if by_update else "desc"
    key = (lambda pr: (pr.updated_at, pr.number)) if by_update else (lambda pr: (pr.number, 0.0))
    found.sort(key=key, reverse=ctx.query.get("direction", default) == "desc")
    return [ctx.shapes.pull_simple(pr) for pr in ctx.page(found)]


@route("GET", "/repos/{owner}/{repo}/pulls/{number}")
def get_pull(ctx: Ctx) -> Any:
    # Reading a PR starts GitHub's background mergeability job: null first, the answer after.
    return ctx.shapes.pull(_pr(ctx), compute=True)


@route("PATCH", "/repos/{owner}/{repo}/pulls/{number}")
def update_pull(ctx: Ctx) -> Any:
    pr = _pr(ctx)
    actor = ctx.writer()
    if actor.login.lower() not in pr.repo.collaborators and actor is not pr.user and ctx.actor.installation is None:
        raise ApiError(403, "Forbidden")
    edited = {}
    for key in ("title", "body"):
        value = ctx.field(key)
        if value is not None and value != getattr(pr, key):
            edited[key] = {"from": getattr(pr, key)}
            setattr(pr, key, value)
    base = ctx.field("base")
    if base is not None and base != pr.base_ref:
        # Retargeting: https://docs.github.com/en/rest/pulls/pulls#update-a-pull-request ("base")
        old_sha = ctx.world.branch_sha(pr.repo, pr.base_ref)
        ctx.world.branch_sha(pr.repo, base)  # 404 unless the branch exists
        edited["base"] = {"ref": {"from": pr.base_ref}, "sha": {"from": old_sha}}
        pr.base_ref = base
    if edited:
        pr.updated_at = ctx.world.now()
        ctx.world.emit(
            "pull_request",
            "edited",
            {"changes": edited, "_sender": actor, **ctx.world.pr_event(pr)},
            ctx.world.installation_for(pr.repo),
        )
    state = ctx.field("state")
    if state in ("open", "closed"):
        ctx.world.set_pr_state(pr, state)
    return ctx.shapes.pull(pr)


@route("GET", "/repos/{owner}/{repo}/pulls/{number}/files")
def pull_files(ctx: Ctx) -> Any:
    pr = _pr(ctx)
    git = pr.repo.git
    base = git.merge_base(ctx.world.branch_sha(pr.repo, pr.base_ref), pr.head_sha) or pr.head_sha
    return [ctx.shapes.diff_entry(pr.repo, pr.head_sha, f) for f in ctx.page(git.diff_files(base, pr.head_sha))]


@route("GET", "/repos/{owner}/{repo}/pulls/{number}/commits")
def pull_commits(ctx: Ctx) -> Any:
    pr = _pr(ctx)
    shas = pr.repo.git.rev_list(pr.head_sha, ctx.world.branch_sha(pr.repo, pr.base_ref))
    return [ctx.shapes.commit(pr.repo, s) for s in ctx.page(shas)]


@route("GET", "/repos/{owner}/{repo}/pulls/{number}/merge")
def is_merged(ctx: Ctx) -> Any:
    if not _pr(ctx).merged:
        raise ApiError(404, "Not Found")
    return 204, None


@route("PUT", "/repos/{owner}/{repo}/pulls/{number}/merge")
def merge_pull(ctx: Ctx) -> Any:
    # https://docs.github.com/en/rest/pulls/pulls#merge-a-pull-request
    pr = _pr(ctx)
    repo = pr.repo
    user = ctx.need_write(repo)
    if pr.state != "open":
        raise ApiError(405, "Pull Request is not mergeable")
    sha = ctx.field("sha")
    if sha is not None and sha != pr.head_sha:
        raise ApiError(409, "Head branch was modified. Review and try the merge again.")
    if pr.base_ref in repo.protected:
        raise ApiError(405, "Protected branch: at least 1 approving review is required.")
    method = ctx.field("merge_method", "merge")
    if method not in ("merge", "squash", "rebase"):
        raise ApiError(422, "Invalid request.\n\nmerge_method is not a valid merge method")
    base_sha = ctx.world.branch_sha(repo, pr.base_ref)
    tree = repo.git.merge_tree(base_sha, pr.head_sha)
    if tree is None:
        raise ApiError(405, "Pull Request is not mergeable")
    now = f"{int(ctx.world.now())} +0000"
    committer = Person(user.login, f"{user.id}+{user.login}@users.noreply.github.com", now)
    title = ctx.field("commit_title")
    body = ctx.field("commit_message") or pr.title
    if method == "merge":
        title = title or f"Merge pull request #{pr.number} from {pr.head_repo.owner.login}/{pr.head_ref}"
        new = repo.git.commit_tree(tree, [base_sha, pr.head_sha], f"{title}\n\n{body}\n", committer, committer)
    elif method == "squash":
        author = Person(pr.user.login, f"{pr.user.id}+{pr.user.login}@users.noreply.github.com", now)
        title = title or f"{pr.title} (#{pr.number})"
        new = repo.git.commit_tree(
            tree, [base_sha], f"{title}\n\n{ctx.field('commit_message') or ''}".rstrip() + "\n", author, committer
        )
    else:
        replayed = repo.git.cherry_pick_onto(base_sha, repo.git.rev_list(pr.head_sha, base_sha), committer)
        if replayed is None:
            raise ApiError(405, "Pull Request is not mergeable")
        new = replayed
    pr.merged_by = user
    ctx.world.move_branch(repo, pr.base_ref, new, old=base_sha)
    if not pr.merged:  # squash and rebase leave the head unreachable: GitHub marks it merged itself
        ctx.world.mark_merged(pr, new, user)
    return {"sha": new, "merged": True, "message": "Pull Request successfully merged"}


@route("GET", "/repos/{owner}/{repo}/compare/{basehead:path}")
def compare(ctx: Ctx) -> Any:
    # https://docs.github.com/en/rest/commits/commits#compare-two-commits (three-dot: from the merge base)
    repo = ctx.repo()
    base_name, sep, head_name = ctx.params["basehead"].partition("...")
    if not sep:
        raise ApiError(404, "Not Found")

    def resolve(name: str) -> str:
        sha = repo.git.ref(name) or repo.git.ref(f"refs/heads/{name}")
        if sha is None:
            raise ApiError(404, f"No commit found for {name}")
        return sha

    base, head = resolve(base_name), resolve(head_name)
    merge_base = repo.git.merge_base(base, head) or base
    ahead, behind = repo.git.rev_list(head, merge_base), repo.git.rev_list(base, merge_base)
    files = repo.git.diff_files(merge_base, head)
    status = "identical" if base == head else ("ahead" if not behind else ("behind" if not ahead else "diverged"))
    api, html = f"{ctx.shapes.api}/repos/{repo.full_name}", f"{ctx.shapes.api}/{repo.full_name}"
    spec = ctx.params["basehead"]
    return {
        "url": f"{api}/compare/{spec}",
        "html_url": f"{html}/compare/{spec}",
        "permalink_url": f"{html}/compare/{repo.owner.login}:{base[:7]}...{repo.owner.login}:{head[:7]}",
        "diff_url": f"{html}/compare/{spec}.diff",
        "patch_url": f"{html}/compare/{spec}.patch",
        "base_commit": ctx.shapes.commit(repo, base),
        "merge_base_commit": ctx.shapes.commit(repo, merge_base),
        "status": status,
        "ahead_by": len(ahead),
        "behind_by": len(behind),
        "total_commits": len(ahead),
        # GitHub lists at most 250 commits and 300 files in a comparison.
        "commits": [ctx.shapes.commit(repo, s) for s in ahead[:250]],
        "files": [ctx.shapes.diff_entry(repo, head, f) for f in files[:300]],
    }
