"""A request as a simulated route sees it: who is calling (Actor), the parsed request (Ctx), the route table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from tests.github_sim.models import ApiError, App, Installation, Repository, User
from tests.github_sim.shapes import Shapes
from tests.github_sim.world import World


@dataclass
class Actor:
    kind: str  # "user", "installation", "app" or "anonymous"
    user: User | None = None
    installation: Installation | None = None
    app: App | None = None
    token: str | None = None

    @property
    def label(self) -> str:
        if self.user is not None:
            return f"user:{self.user.login}"
        if self.installation is not None:
            return f"installation:{self.installation.id}"
        if self.app is not None:
            return f"app:{self.app.id}"
        return "anonymous"


@dataclass
class Ctx:
    """What a route handler gets: the world, who is asking, and the request's parts."""

    world: World
    shapes: Shapes
    actor: Actor
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    path: str
    hooks: Any = None  # the WebhookSender, for the deliveries API
    headers: dict[str, str] = field(default_factory=dict)  # response headers to add

    def param_int(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise ApiError(404, "Not Found") from None

    def field(self, name: str, default: Any = None, *, required: bool = False) -> Any:
        if not isinstance(self.body, dict):
            if required:
                raise ApiError(400, "Problems parsing JSON")
            return default
        if required and name not in self.body:
            raise ApiError(422, "Invalid request.", errors=[{"field": name, "code": "missing_field"}])
        return self.body.get(name, default)

    def repo(self) -> Repository:
        found = self.world.repo(f"{self.params['owner']}/{self.params['repo']}")
        if found.private and not self.can_see(found):  # GitHub answers 404, not 403, for a private repo
            raise ApiError(404, "Not Found")
        return found

    def can_see(self, repo: Repository) -> bool:
        """Whether the caller may read a private repo: an installation on it, or one of its people."""
        actor = self.actor
        if actor.kind == "app":  # the App's JWT: only GET /repos/{owner}/{repo}/installation takes a repo
            return True
        if actor.installation is not None:
            return repo.full_name in actor.installation.repos
        return actor.user is not None and actor.user.login.lower() in repo.collaborators | repo.admins

    def is_admin(self, user: User, repo: Repository) -> bool:
        return user.login.lower() == repo.owner.login.lower() or user.login.lower() in repo.admins

    def need_user(self) -> User:
        if self.actor.user is None:
            raise ApiError(401 if self.actor.kind == "anonymous" else 403, "Requires authentication")
        return self.actor.user

    def need_app(self) -> App:
        if self.actor.app is None or self.actor.kind != "app":
            raise ApiError(401, "A JSON web token could not be decoded")
        return self.actor.app

    def need_write(self, repo: Repository, permission: str = "contents") -> User:
        """The acting identity, if it may write to `repo` (an installation on it, or a collaborator)."""
        inst = self.actor.installation
        if inst is not None:
            if repo.full_name not in inst.repos:
                raise ApiError(404, "Not Found")
            if inst.permissions.get(permission) != "write":
                raise ApiError(403, "Resource not accessible by integration")
            assert inst.app.bot is not None
            return inst.app.bot
        user = self.need_user()
        if user.login.lower() not in repo.collaborators:
            raise ApiError(403, "Must have admin rights to Repository.")
        return user

    def writer(self) -> User:
        """Who is acting, for a write any signed-in identity may make (comment, open a PR)."""
        if self.actor.installation is not None and self.actor.installation.app.bot is not None:
            return self.actor.installation.app.bot
        return self.need_user()

    def page(self, items: list[Any]) -> list[Any]:
        """Slice a listing as GitHub pages it, setting the Link header (absolute URLs)."""
        per_page = max(1, min(100, int(self.query.get("per_page", 30))))
        page = max(1, int(self.query.get("page", 1)))
        last = max(1, (len(items) + per_page - 1) // per_page)
        links = []
        base = f"{self.shapes.api}{self.path}"

        def url(n: int) -> str:
            return base + "?" + urlencode({**self.query, "page": n, "per_page": per_page})

        if page < last:
            links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
        if page > 1:
            links += [f'<{url(1)}>; rel="first"', f'<{url(page - 1)}>; rel="prev"']
        if links:
            self.headers["Link"] = ", ".join(links)
        return items[(page - 1) * per_page : page * per_page]


Handler = Callable[[Ctx], Any]
ROUTES: list[tuple[str, str, Handler]] = []


def route(method: str, path: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        ROUTES.append((method, path, fn))
        return fn

    return register
