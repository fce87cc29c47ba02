"""GitHub's App manifest flow and the App's install page, as a browser meets them.

https://docs.github.com/en/apps/sharing-github-apps/registering-a-github-app-from-a-manifest
POST /settings/apps/new (or /organizations/ORG/settings/apps/new) with a `manifest` form field shows the
App to create; confirming creates it and redirects to the manifest's redirect_url with ?code=&state=;
POST /app-manifests/{code}/conversions trades the code (once, within an hour) for the App's credentials."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.github_sim.keys import app_key
from tests.github_sim.models import App, User
from tests.github_sim.webpage import first, form, html_page

if TYPE_CHECKING:
    from tests.github_sim.server import Simulator

CODE_TTL = 3600.0


@dataclass
class Created:
    app: App
    manifest: dict[str, Any]
    private_key: str
    client_id: str
    client_secret: str
    code: str
    issued: float
    converted: bool = False


@dataclass
class Manifests:
    """Apps made through the manifest flow, by conversion code and by slug."""

    sim: Simulator
    by_code: dict[str, Created] = field(default_factory=dict)
    by_slug: dict[str, Created] = field(default_factory=dict)

    def web_user(self, org: str | None) -> User:
        """Who is signed in to the simulated github.com: the organisation's owner stands in for its admin."""
        world = self.sim.world
        if org:
            return world.user(org)
        found = world.users.get("operator") or next((u for u in world.users.values() if u.type == "User"), None)
        return found or world.add_user("operator", name="The Operator")

    async def new_app(self, request: Request) -> Response:
        raw, state = first(await form(request), "manifest"), request.query_params.get("state", "")
        try:
            manifest = json.loads(raw)
            assert isinstance(manifest, dict) and manifest.get("hook_attributes", {}).get("url")
        except (ValueError, AssertionError, AttributeError):
            return HTMLResponse(html_page("Invalid manifest", "<p>The manifest is not valid JSON.</p>"), 422)
        org = request.path_params.get("org")
        owner = self.web_user(org)
        hidden = (
            f'<input type="hidden" name="manifest" value="{escape(raw)}">'
            f'<input type="hidden" name="state" value="{escape(state)}">'
            f'<input type="hidden" name="org" value="{escape(org or "")}">'
        )
        body = (
            f"<h1>Create GitHub App for {escape(owner.login)}</h1>"
            f'<form method="post" action="/settings/apps/new/confirm">{hidden}'
            f'<label>GitHub App name <input name="name" value="{escape(str(manifest.get("name", "")))}"></label>'
            f"<p>Webhook URL: <code>{escape(str(manifest['hook_attributes']['url']))}</code></p>"
            f"<p>Permissions: {escape(', '.join(f'{k}: {v}' for k, v in manifest.get('default_permissions', {}).items()))}</p>"
            f"<p>Events: {escape(', '.join(manifest.get('default_events', [])))}</p>"
            '<button type="submit" id="create">Create GitHub App</button></form>'
        )
        return HTMLResponse(html_page("Create GitHub App", body))

    async def confirm(self, request: Request) -> Response:
        values = await form(request)
        manifest = json.loads(first(values, "manifest"))
        owner = self.web_user(first(values, "org") or None)
        world = self.sim.world
        name = (first(values, "name") or str(manifest.get("name") or "app")).strip()
        slug = name.lower().replace(" ", "-")
        if slug in self.by_slug or any(a.slug == slug for a in world.apps.values()):
            slug = f"{slug}-{secrets.token_hex(2)}"
        private, public = app_key(len(self.by_slug) + 1)
        secret = secrets.token_hex(20)
        app = world.add_app(slug, owner, public, manifest["hook_attributes"]["url"], secret)
        app.name = name
        # The OAuth client the signing page signs people in with (routes_oauth.py knows it).
        client_id, client_secret = self.sim.oauth.credentials(app)
        created = Created(app, manifest, private, client_id, client_secret, secrets.token_hex(10), time.time())
        self.by_code[created.code] = self.by_slug[slug] = created
        query = urlencode({"code": created.code, "state": first(values, "state")})
        return RedirectResponse(f"{manifest['redirect_url']}?{query}", 302)

    async def conversion(self, request: Request) -> Response:
        created = self.by_code.get(request.path_params["code"])
        if created is None or created.converted or time.time() - created.issued > CODE_TTL:
            return JSONResponse({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, 404)
        created.converted = True  # a code is good once
        app, shapes = created.app, self.sim.shapes
        return JSONResponse(
            {
                **shapes.app(app),
                "description": None,
                "external_url": created.manifest.get("url"),
                "html_url": f"{shapes.api}/apps/{app.slug}",
                "permissions": created.manifest.get("default_permissions", {}),
                "events": created.manifest.get("default_events", []),
                "client_id": created.client_id,
                "client_secret": created.client_secret,
                "webhook_secret": app.webhook_secret,
                "pem": created.private_key,
            },
            201,
        )

    def install_page(self, request: Request) -> Response:
        created = self.by_slug.get(request.path_params["slug"])
        if created is None:
            return HTMLResponse(html_page("Not found", "<p>No such App.</p>"), 404)
        owner = created.app.owner
        repos = sorted(r.full_name for r in self.sim.world.repos.values() if r.owner is owner)
        boxes = "".join(
            f'<label><input type="checkbox" name="repo" value="{escape(r)}" checked> {escape(r)}</label><br>'
            for r in repos
        )
        body = (
            f"<h1>Install {escape(created.app.name)}</h1><p>on {escape(owner.login)}'s repositories:</p>"
            f'<form method="post">{boxes}<button type="submit" id="install">Install</button></form>'
        )
        return HTMLResponse(html_page(f"Install {created.app.name}", body))

    async def install(self, request: Request) -> Response:
        created = self.by_slug.get(request.path_params["slug"])
        if created is None:
            return HTMLResponse(html_page("Not found", "<p>No such App.</p>"), 404)
        repos = (await form(request)).get("repo", [])
        inst = self.sim.world.install(created.app, created.app.owner, repos)
        setup = created.manifest.get("setup_url")
        if setup:
            return RedirectResponse(
                f"{setup}?{urlencode({'installation_id': inst.id, 'setup_action': 'install'})}", 302
            )
        return HTMLResponse(html_page("Installed", f"<p>Installed on {len(repos)} repositories.</p>"))


def manifest_routes(sim: Simulator) -> list[Route]:
    flow = Manifests(sim)
    sim.manifests = flow  # type: ignore[attr-defined]  # tests reach the created Apps through it
    return [
        Route("/settings/apps/new", flow.new_app, methods=["POST"]),
        Route("/organizations/{org}/settings/apps/new", flow.new_app, methods=["POST"]),
        Route("/settings/apps/new/confirm", flow.confirm, methods=["POST"]),
        Route("/app-manifests/{code}/conversions", flow.conversion, methods=["POST"]),
        Route("/apps/{slug}/installations/new", flow.install_page, methods=["GET"]),
        Route("/apps/{slug}/installations/new", flow.install, methods=["POST"]),
    ]
