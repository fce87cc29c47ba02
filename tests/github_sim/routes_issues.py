"""Routes for issue comments, labels and check runs (the conversation and status of a PR)."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from tests.github_sim.models import ApiError, CheckRun, CheckSuite, Comment, PullRequest, Repository
from tests.github_sim.request import Ctx, route


def _issue(ctx: Ctx) -> PullRequest:
    return ctx.world.pull(ctx.repo(), ctx.param_int("number"))


@route("GET", "/repos/{owner}/{repo}/issues/{number}")
def get_issue(ctx: Ctx) -> Any:
    return ctx.shapes.issue(_issue(ctx))


@route("GET", "/repos/{owner}/{repo}/issues/{number}/comments")
def list_comments(ctx: Ctx) -> Any:
    pr = _issue(ctx)
    found = sorted(
        (c for c in ctx.world.comments.values() if c.repo is pr.repo and c.number == pr.number), key=lambda c: c.id
    )
    return ctx.page([ctx.shapes.comment(c) for c in found])


@route("POST", "/repos/{owner}/{repo}/issues/{number}/comments")
def create_comment(ctx: Ctx) -> Any:
    pr = _issue(ctx)
    user = ctx.writer()
    now = ctx.world.now()
    via = ctx.actor.installation.app if ctx.actor.installation is not None else None
    comment = Comment(ctx.world.next_id(), pr.repo, pr.number, user, ctx.field("body", required=True), now, now, via)
    ctx.world.comments[comment.id] = comment
    pr.updated_at = now  # as GitHub: a new comment updates its issue (or PR)
    body = {"_issue": pr, "_comment": comment, "_repo": pr.repo}
    ctx.world.emit("issue_comment", "created", body, ctx.world.installation_for(pr.repo))
    return 201, ctx.shapes.comment(comment)


class _InRepo(Protocol):
    repo: Repository


T = TypeVar("T", bound=_InRepo)


def _by_id(ctx: Ctx, table: dict[int, T]) -> T:
    """The record with the path's {id}, if it belongs to the path's repository (else 404, as GitHub)."""
    found = table.get(ctx.param_int("id"))
    if found is None or found.repo is not ctx.repo():
        raise ApiError(404, "Not Found")
    return found


def _comment(ctx: Ctx) -> Comment:
    return _by_id(ctx, ctx.world.comments)


@route("GET", "/repos/{owner}/{repo}/issues/comments/{id}")
def get_comment(ctx: Ctx) -> Any:
    return ctx.shapes.comment(_comment(ctx))


@route("PATCH", "/repos/{owner}/{repo}/issues/comments/{id}")
def edit_comment(ctx: Ctx) -> Any:
    comment = _comment(ctx)
    if ctx.writer() is not comment.user:
        raise ApiError(403, "Forbidden")
    comment.body, comment.updated_at = ctx.field("body", required=True), ctx.world.now()
    return ctx.shapes.comment(comment)


@route("DELETE", "/repos/{owner}/{repo}/issues/comments/{id}")
def delete_comment(ctx: Ctx) -> Any:
    comment = _comment(ctx)
    if ctx.writer() is not comment.user:
        raise ApiError(403, "Forbidden")
    del ctx.world.comments[comment.id]
    return 204, None


# --- labels -------------------------------------------------------------------------------------
def _ensure_label(ctx: Ctx, repo: Repository, name: str) -> str:
    meta = repo.labels.setdefault(
        name.lower(), {"id": ctx.world.next_id(), "name": name, "color": "ededed", "description": None}
    )
    return str(meta["name"])


def _names(ctx: Ctx) -> list[str]:
    # https://docs.github.com/en/rest/issues/labels#add-labels-to-an-issue: {"labels": [names]} or
    # {"labels": [{"name": ...}]}; also, though GitHub recommends the object, a bare array or a single name.
    body = ctx.body
    if isinstance(body, dict):
        body = body.get("labels", [])
    if isinstance(body, str):
        body = [body]
    if not isinstance(body, list) or not all(isinstance(x, str) or (isinstance(x, dict) and "name" in x) for x in body):
        raise ApiError(422, "Invalid request.")
    return [str(x["name"] if isinstance(x, dict) else x) for x in body]


@route("GET", "/repos/{owner}/{repo}/issues/{number}/labels")
def list_labels(ctx: Ctx) -> Any:
    pr = _issue(ctx)
    return ctx.page([ctx.shapes.label(pr.repo, n) for n in pr.labels])


@route("POST", "/repos/{owner}/{repo}/issues/{number}/labels")
def add_labels(ctx: Ctx) -> Any:
    pr = _issue(ctx)
    ctx.need_write(pr.repo, "issues")
    for name in _names(ctx):
        name = _ensure_label(ctx, pr.repo, name)
        if name.lower() not in (n.lower() for n in pr.labels):
            pr.labels.append(name)
    return [ctx.shapes.label(pr.repo, n) for n in pr.labels]


@route("PUT", "/repos/{owner}/{repo}/issues/{number}/labels")
def set_labels(ctx: Ctx) -> Any:
    pr = _issue(ctx)
    ctx.need_write(pr.repo, "issues")
    pr.labels = [_ensure_label(ctx, pr.repo, n) for n in dict.fromkeys(_names(ctx))]
    return [ctx.shapes.label(pr.repo, n) for n in pr.labels]


@route("DELETE", "/repos/{owner}/{repo}/issues/{number}/labels/{name}")
def remove_label(ctx: Ctx) -> Any:
    pr = _issue(ctx)
    ctx.need_write(pr.repo, "issues")
    keep = [n for n in pr.labels if n.lower() != ctx.params["name"].lower()]
    if len(keep) == len(pr.labels):
        raise ApiError(404, "Label does not exist")
    pr.labels = keep
    return [ctx.shapes.label(pr.repo, n) for n in pr.labels]


@route("DELETE", "/repos/{owner}/{repo}/issues/{number}/labels")
def remove_all_labels(ctx: Ctx) -> Any:
    # https://docs.github.com/en/rest/issues/labels#remove-all-labels-from-an-issue
    pr = _issue(ctx)
    ctx.need_write(pr.repo, "issues")
    pr.labels = []
    return 204, None


@route("GET", "/repos/{owner}/{repo}/labels")
def repo_labels(ctx: Ctx) -> Any:
    repo = ctx.repo()
    return ctx.page([ctx.shapes.label(repo, str(m["name"])) for m in repo.labels.values()])


@route("POST", "/repos/{owner}/{repo}/labels")
def create_label(ctx: Ctx) -> Any:
    repo = ctx.repo()
    ctx.need_write(repo, "issues")
    name = ctx.field("name", required=True)
    if name.lower() in repo.labels:
        raise ApiError(
            422, "Validation Failed", errors=[{"resource": "Label", "code": "already_exists", "field": "name"}]
        )
    repo.labels[name.lower()] = {
        "id": ctx.world.next_id(),
        "name": name,
        "color": ctx.field("color", "ededed"),
        "description": ctx.field("description"),
    }
    return 201, ctx.shapes.label(repo, name)


@route("DELETE", "/repos/{owner}/{repo}/labels/{name}")
def delete_label(ctx: Ctx) -> Any:
    # https://docs.github.com/en/rest/issues/labels#delete-a-label: gone from every issue that had it too
    repo = ctx.repo()
    ctx.need_write(repo, "issues")
    name = ctx.params["name"]
    if repo.labels.pop(name.lower(), None) is None:
        raise ApiError(404, "Not Found")
    for pr in ctx.world.pulls.values():
        if pr.repo is repo:
            pr.labels = [n for n in pr.labels if n.lower() != name.lower()]
    return 204, None


# --- check runs ---------------------------------------------------------------------------------
# https://docs.github.com/en/rest/checks/runs: only Apps write them; at most 50 annotations a request.
def _apply_output(run: CheckRun, ctx: Ctx) -> None:
    output = ctx.field("output")
    if output is None:
        return
    if not output.get("title") or "summary" not in output:
        raise ApiError(422, 'Invalid request.\n\n"title" and "summary" are required in output.')
    annotations = output.get("annotations") or []
    if len(annotations) > 50:
        raise ApiError(422, "Invalid request.\n\nOnly 50 annotations are allowed per request.")
    for a in annotations:
        if not {"path", "start_line", "end_line", "annotation_level", "message"} <= set(a):
            raise ApiError(422, "Invalid request.\n\nannotation is missing a required field.")
    run.annotations += annotations
    run.output = {k: output.get(k) for k in ("title", "summary", "text")}


def _set_status(run: CheckRun, ctx: Ctx) -> None:
    status, conclusion = ctx.field("status"), ctx.field("conclusion")
    if conclusion is not None:
        status = "completed"
    if status == "completed" and conclusion is None and run.conclusion is None:
        raise ApiError(422, "Invalid request.\n\nconclusion is required when status is completed.")
    if status:
        run.status = status
    if conclusion:
        run.conclusion, run.completed_at = conclusion, ctx.world.now()


@route("POST", "/repos/{owner}/{repo}/check-runs")
def create_check_run(ctx: Ctx) -> Any:
    repo = ctx.repo()
    inst = ctx.actor.installation
    if inst is None:
        raise ApiError(403, "You must authenticate via a GitHub App.")
    ctx.need_write(repo, "checks")
    head_sha = ctx.field("head_sha", required=True)
    if not repo.git.has_commit(head_sha):
        raise ApiError(422, "No commit found for SHA: " + head_sha)
    run = CheckRun(
        ctx.world.next_id(),
        repo,
        inst.app,
        head_sha,
        ctx.field("name", required=True),
        "queued",
        None,
        {"title": None, "summary": None, "text": None},
        ctx.world.now(),
        ctx.world.check_suite(repo, inst.app, head_sha),
        external_id=ctx.field("external_id"),
        details_url=ctx.field("details_url"),
    )
    _set_status(run, ctx)
    _apply_output(run, ctx)
    ctx.world.check_runs[run.id] = run
    return 201, ctx.shapes.check_run(run)


def _run(ctx: Ctx) -> CheckRun:
    return _by_id(ctx, ctx.world.check_runs)


@route("PATCH", "/repos/{owner}/{repo}/check-runs/{id}")
def update_check_run(ctx: Ctx) -> Any:
    run = _run(ctx)
    if ctx.actor.installation is None or ctx.actor.installation.app is not run.app:
        raise ApiError(403, "Invalid app_id `0` - check run can only be modified by the GitHub App that created it.")
    for key in ("name", "details_url", "external_id"):
        if ctx.field(key) is not None:
            setattr(run, key, ctx.field(key))
    _set_status(run, ctx)
    _apply_output(run, ctx)
    return ctx.shapes.check_run(run)


@route("GET", "/repos/{owner}/{repo}/check-runs/{id}")
def get_check_run(ctx: Ctx) -> Any:
    return ctx.shapes.check_run(_run(ctx))


@route("GET", "/repos/{owner}/{repo}/check-runs/{id}/annotations")
def list_annotations(ctx: Ctx) -> Any:
    return ctx.page(list(_run(ctx).annotations))


@route("POST", "/repos/{owner}/{repo}/check-runs/{id}/rerequest")
def rerequest(ctx: Ctx) -> Any:
    # https://docs.github.com/en/rest/checks/runs#rerequest-a-check-run: only a completed run can be re-run.
    run = _run(ctx)
    user = ctx.writer()  # a person pressing "Re-run", or the App itself
    if run.status != "completed":
        raise ApiError(422, "This check run is not rerequestable")
    ctx.world.rerequest_run(run, user)
    return 201, {}


def _suite(ctx: Ctx) -> CheckSuite:
    return _by_id(ctx, ctx.world.check_suites)


@route("GET", "/repos/{owner}/{repo}/check-suites/{id}")
def get_check_suite(ctx: Ctx) -> Any:
    return ctx.shapes.check_suite(_suite(ctx))


@route("POST", "/repos/{owner}/{repo}/check-suites/{id}/rerequest")
def rerequest_suite(ctx: Ctx) -> Any:
    # https://docs.github.com/en/rest/checks/suites#rerequest-a-check-suite
    suite = _suite(ctx)
    ctx.world.rerequest_suite(suite, ctx.writer())
    return 201, {}


@route("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs")
def runs_for_ref(ctx: Ctx) -> Any:
    repo = ctx.repo()
    sha = repo.git.ref(ctx.params["ref"]) or ctx.params["ref"]
    name = ctx.query.get("check_name")
    runs = [
        r
        for r in ctx.world.check_runs.values()
        if r.repo is repo and r.head_sha == sha and (name is None or r.name == name)
    ]
    runs.sort(key=lambda r: -r.id)
    return {"total_count": len(runs), "check_runs": ctx.page([ctx.shapes.check_run(r) for r in runs])}
