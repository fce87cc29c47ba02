"""Routes for Apps: the App itself, installations and their tokens, webhook deliveries, users."""

from __future__ import annotations

from typing import Any

from tests.github_sim.models import ApiError, Installation
from tests.github_sim.request import Ctx, route
from tests.github_sim.shapes import iso


def _installation(ctx: Ctx) -> Installation:
    app = ctx.need_app()
    inst = ctx.world.installations.get(ctx.param_int("id"))
    if inst is None or inst.app is not app:
        raise ApiError(404, "Not Found")
    return inst


@route("GET", "/app")
def get_app(ctx: Ctx) -> Any:
    return ctx.shapes.app(ctx.need_app())


@route("GET", "/app/installations")
def list_installations(ctx: Ctx) -> Any:
    app = ctx.need_app()
    return ctx.page([ctx.shapes.installation(i) for i in ctx.world.installations.values() if i.app is app])


@route("GET", "/app/installations/{id}")
def get_installation(ctx: Ctx) -> Any:
    return ctx.shapes.installation(_installation(ctx))


@route("GET", "/repos/{owner}/{repo}/installation")
def get_repo_installation(ctx: Ctx) -> Any:
    app, repo = ctx.need_app(), ctx.repo()
    inst = ctx.world.installation_for(repo)
    if inst is None or inst.app is not app:
        raise ApiError(404, "Not Found")
    return ctx.shapes.installation(inst)


@route("POST", "/app/installations/{id}/access_tokens")
def create_token(ctx: Ctx) -> Any:
    inst = _installation(ctx)
    token = ctx.world.issue_installation_token(inst)
    repos = [ctx.shapes.repo(ctx.world.repo(r)) for r in sorted(inst.repos)]
    return 201, {
        "token": token.value,
        "expires_at": iso(token.expires_at),
        "permissions": inst.permissions,
        "repository_selection": "selected",
        "repositories": repos,
    }


@route("GET", "/installation/repositories")
def installation_repos(ctx: Ctx) -> Any:
    inst = ctx.actor.installation
    if inst is None:
        raise ApiError(403, "Must authenticate with an installation access token")
    repos = [ctx.shapes.repo(ctx.world.repo(r)) for r in sorted(inst.repos)]
    return {"total_count": len(repos), "repositories": ctx.page(repos)}


@route("GET", "/app/hook/deliveries")
def list_deliveries(ctx: Ctx) -> Any:
    ctx.need_app()
    # Newest first, paged by `cursor` (the id to continue below) as GitHub does.
    per_page = max(1, min(100, int(ctx.query.get("per_page", 30))))
    cursor = int(ctx.query.get("cursor", 0) or 0)
    items = sorted(ctx.hooks.deliveries, key=lambda d: -d.id)
    if cursor:
        items = [d for d in items if d.id < cursor]
    page = items[:per_page]
    if len(items) > per_page:
        ctx.headers["Link"] = (
            f'<{ctx.shapes.api}/app/hook/deliveries?per_page={per_page}&cursor={page[-1].id}>; rel="next"'
        )
    return [d.summary() for d in page]


@route("GET", "/app/hook/deliveries/{id}")
def get_delivery(ctx: Ctx) -> Any:
    ctx.need_app()
    found = next((d for d in ctx.hooks.deliveries if d.id == ctx.param_int("id")), None)
    if found is None:
        raise ApiError(404, "Not Found")
    return {**found.summary(), "request": {"payload": found.body.decode()}, "response": {"payload": found.response}}


@route("POST", "/app/hook/deliveries/{id}/attempts")
def redeliver(ctx: Ctx) -> Any:
    ctx.need_app()
    hooks = ctx.hooks
    found = next((d for d in hooks.deliveries if d.id == ctx.param_int("id")), None)
    if found is None:
        raise ApiError(404, "Not Found")
    hooks.redeliver(found)
    return 202, {}


@route("GET", "/users/{login}")
def get_user(ctx: Ctx) -> Any:
    return ctx.shapes.public_user(ctx.world.user(ctx.params["login"]))


@route("GET", "/user")
def get_me(ctx: Ctx) -> Any:
    return ctx.shapes.public_user(ctx.need_user())


def _user_installations(ctx: Ctx) -> list[Installation]:
    """The installations of the token's App that the user can reach: their own account's, or ones holding a
    repo they are one of the people of (https://docs.github.com/en/rest/apps/installations#list-app-installations-accessible-to-the-user-access-token)."""
    user, app = ctx.need_user(), ctx.actor.app
    if app is None:
        raise ApiError(403, "You must authenticate with an access token authorized to a GitHub App")
    return [
        i
        for i in ctx.world.installations.values()
        if i.app is app and (i.account is user or any(_reachable(ctx, r) for r in i.repos))
    ]


def _reachable(ctx: Ctx, name: str) -> bool:
    repo = ctx.world.repo(name)
    user = ctx.need_user()
    return user.login.lower() in repo.collaborators | repo.admins or ctx.is_admin(user, repo)


@route("GET", "/user/installations")
def user_installations(ctx: Ctx) -> Any:
    found = [ctx.shapes.installation(i) for i in _user_installations(ctx)]
    return {"total_count": len(found), "installations": ctx.page(found)}


@route("GET", "/user/installations/{id}/repositories")
def user_installation_repos(ctx: Ctx) -> Any:
    inst = next((i for i in _user_installations(ctx) if i.id == ctx.param_int("id")), None)
    if inst is None:
        raise ApiError(404, "Not Found")
    user, repos = ctx.need_user(), []
    for name in sorted(inst.repos):
        repo = ctx.world.repo(name)
        if _reachable(ctx, name):
            admin = ctx.is_admin(user, repo)
            rights = {"admin": admin, "maintain": admin, "push": True, "triage": True, "pull": True}
            repos.append({**ctx.shapes.repo(repo), "permissions": rights})
    return {"total_count": len(repos), "repository_selection": "selected", "repositories": ctx.page(repos)}


@route("GET", "/rate_limit")
def rate_limit(ctx: Ctx) -> Any:
    core = {"limit": 5000, "remaining": 5000, "reset": int(ctx.world.now()) + 3600, "used": 0}
    search = {"limit": 30, "remaining": 30, "reset": int(ctx.world.now()) + 60, "used": 0}  # required by the schema
    return {"resources": {"core": core, "search": search}, "rate": core}


def rate_limit_body(payload: Any, headers: dict[str, str], graphql: dict[str, str] | None = None) -> Any:
    """GET /rate_limit's `core` (and `rate`) as the caller's bucket stands (the server knows the bucket), and
    `graphql` as its GraphQL bucket stands (given as that bucket's headers)."""
    core = {k: int(headers[f"x-ratelimit-{k}"]) for k in ("limit", "remaining", "reset", "used")}
    resources = {**payload["resources"], "core": core}
    if graphql is not None:
        resources["graphql"] = {k: int(graphql[f"x-ratelimit-{k}"]) for k in ("limit", "remaining", "reset", "used")}
    return {**payload, "resources": resources, "rate": core}
