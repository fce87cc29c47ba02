"""People's facts GitHub publishes: public organization membership, and a user's own email addresses."""

from __future__ import annotations

from typing import Any

from tests.github_sim.models import ApiError, User
from tests.github_sim.request import Ctx, route
from tests.github_sim.world import World


@route("GET", "/orgs/{org}/public_members/{username}")
def check_public_member(ctx: Ctx) -> Any:
    # https://docs.github.com/en/rest/orgs/members#check-public-organization-membership-for-a-user:
    # 204 for a public member, 404 otherwise (a private member too: the endpoint shows only public ones).
    members = ctx.world.orgs.get(ctx.params["org"].lower())
    if members is None or not members.get(ctx.params["username"].lower(), False):
        raise ApiError(404, "Not Found")
    return 204, None


@route("GET", "/user/emails")
def list_emails(ctx: Ctx) -> Any:
    # https://docs.github.com/en/rest/users/emails#list-email-addresses-for-the-authenticated-user: a user
    # access token of a GitHub App needs the App's "Email addresses" user permission (read): `emails` in the
    # App's permissions as webhooks show them (the REST description names it `email_addresses`).
    user = ctx.need_user()
    token = ctx.world.tokens.get(ctx.actor.token or "")
    if token is not None and token.app is not None and token.app.permissions.get("emails") not in ("read", "write"):
        raise ApiError(403, "Resource not accessible by integration")
    return ctx.page([dict(e) for e in user.emails])


# --- what tests set up ----------------------------------------------------------------------------
def add_email(world: World, user: User, address: str, *, verified: bool = True) -> None:
    """An address on the account (verified: the person clicked GitHub's link)."""
    with world.lock:
        entry = {"email": address, "verified": verified, "primary": not user.emails, "visibility": None}
        user.emails.append(entry)


def join_org(world: World, org: str, user: User, *, public: bool = True) -> None:
    """`user` becomes a member of `org`; a public membership is what anyone may see."""
    with world.lock:
        world.orgs.setdefault(org.lower(), {})[user.login.lower()] = public


def leave_org(world: World, org: str, user: User) -> None:
    with world.lock:
        world.orgs.get(org.lower(), {}).pop(user.login.lower(), None)


def sign_commit(world: World, sha: str, user: User) -> None:
    """The commit carries a signature made with a key on `user`'s account (GPG or SSH)."""
    with world.lock:
        world.signed[sha] = user.login.lower()
