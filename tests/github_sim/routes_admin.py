"""GitHub Enterprise Server's site-admin routes the security tests need: create a user, rename one (which frees
the old login for a new account), and an impersonation token to act as one.

https://docs.github.com/en/enterprise-server@3.19/rest/enterprise-admin/users"""

from __future__ import annotations

import hashlib
from typing import Any

from tests.github_sim.models import ApiError, User
from tests.github_sim.request import Ctx, route
from tests.github_sim.shapes import iso


def _admin(ctx: Ctx) -> User:
    user = ctx.need_user()
    if not user.site_admin:
        raise ApiError(403, "Must have admin rights to the enterprise.")
    return user


@route("POST", "/admin/users")
def create_user(ctx: Ctx) -> Any:
    _admin(ctx)
    login = str(ctx.field("login", required=True))
    if login.lower() in ctx.world.users:
        raise ApiError(422, "Validation Failed", errors=[{"field": "login", "code": "already_exists"}])
    return 201, ctx.shapes.user(ctx.world.add_user(login))


@route("PATCH", "/admin/users/{username}")
def rename_user(ctx: Ctx) -> Any:
    _admin(ctx)
    user = ctx.world.user(ctx.params["username"])
    ctx.world.rename_user(user, str(ctx.field("login", required=True)))
    # GitHub queues the rename ("may take a few minutes"); the simulator does it at once.
    return 202, {"message": "Job queued to rename user. It may take a few minutes to complete.", "url": ""}


@route("POST", "/admin/users/{username}/authorizations")
def impersonation_token(ctx: Ctx) -> Any:
    _admin(ctx)
    user = ctx.world.user(ctx.params["username"])
    scopes = [str(s) for s in ctx.field("scopes", required=True)]
    token = ctx.world.user_token(user)
    now = iso(ctx.world.now())
    ident = ctx.world.next_id()
    return 201, {
        "id": ident,
        "url": f"{ctx.shapes.api}/authorizations/{ident}",
        "scopes": scopes,
        "token": token,
        "token_last_eight": token[-8:],
        "hashed_token": hashlib.sha256(token.encode()).hexdigest(),
        "app": {"client_id": "00000000000000000000", "name": "GitHub Site Administrator", "url": ctx.shapes.api},
        "note": None,
        "note_url": None,
        "updated_at": now,
        "created_at": now,
        "fingerprint": None,
        "user": ctx.shapes.user(user),
        "expires_at": None,
    }
