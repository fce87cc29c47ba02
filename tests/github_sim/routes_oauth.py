"""GitHub's OAuth web flow for Apps: /login/oauth/authorize (a plain-HTML sign-in page) and access_token.

https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
The token it issues is a user access token (`ghu_...`): every other route then treats it as that user.
"""

from __future__ import annotations

import base64
import html
import secrets
import threading
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.github_sim.models import App, Token, User
from tests.github_sim.world import World

CODE_TTL = 600  # GitHub: "codes expire after 10 minutes"
TOKEN_TTL = 8 * 3600  # user access tokens expire after 8 hours when expiry is on


@dataclass
class Grant:
    """A code handed to the browser: for whom, for which client, to which redirect_uri."""

    user: User
    client_id: str
    redirect_uri: str | None
    expires_at: float


class OAuthServer:
    """The OAuth side of the simulator. `credentials(app)` gives an App's client ID and secret."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.clients: dict[str, tuple[App, str]] = {}  # client_id -> (App, client_secret)
        self.grants: dict[str, Grant] = {}
        self.lock = threading.Lock()

    def credentials(self, app: App) -> tuple[str, str]:
        with self.lock:
            for client_id, (known, secret) in self.clients.items():
                if known is app:
                    return client_id, secret
            client_id, secret = f"Iv23{secrets.token_hex(8)}", secrets.token_hex(20)
            self.clients[client_id] = (app, secret)
            return client_id, secret

    def routes(self) -> list[Route]:
        return [
            Route("/login/oauth/authorize", self.authorize_page, methods=["GET"]),
            Route("/login/oauth/authorize", self.authorize, methods=["POST"]),
            Route("/login/oauth/access_token", self.access_token, methods=["POST"]),
        ]

    # --- the browser's side -----------------------------------------------------------------------
    async def authorize_page(self, request: Request) -> Response:
        client_id = request.query_params.get("client_id", "")
        found = self.clients.get(client_id)
        if found is None:
            return _page("Application not found", "<p>The <code>client_id</code> is not known.</p>", 404)
        hidden = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(request.query_params.get(k, ""))}">'
            for k in ("client_id", "redirect_uri", "state")
        )
        body = (
            f"<p><strong>{html.escape(found[0].name)}</strong> by {html.escape(found[0].owner.login)} wants to act "
            "as you: fork repositories, push to your forks and open pull requests.</p>"
            f'<form method="post" action="/login/oauth/authorize">{hidden}'
            '<p><label for="login">Username</label><br>'
            '<input id="login" name="login" autocomplete="username" required></p>'
            '<p><button type="submit">Authorize</button></p></form>'
        )
        return _page("Sign in to GitHub (simulator)", body)

    async def authorize(self, request: Request) -> Response:
        form = await request.form()
        client_id, login = str(form.get("client_id", "")), str(form.get("login", ""))
        redirect_uri = str(form.get("redirect_uri", "")) or None
        state = str(form.get("state", ""))
        if client_id not in self.clients:
            return _page("Application not found", "<p>The <code>client_id</code> is not known.</p>", 404)
        user = self.world.users.get(login.strip().lower())
        if user is None:
            return _page("Sign in to GitHub (simulator)", "<p role='alert'>Incorrect username.</p>", 401)
        if redirect_uri is None:
            return _page("Redirect URI missing", "<p>This simulator needs a <code>redirect_uri</code>.</p>", 400)
        code = secrets.token_hex(10)
        with self.lock:
            self.grants[code] = Grant(user, client_id, redirect_uri, self.world.now() + CODE_TTL)
        query = urlencode({"code": code, **({"state": state} if state else {})})
        return RedirectResponse(f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}", status_code=302)

    # --- the App's side ---------------------------------------------------------------------------
    async def access_token(self, request: Request) -> Response:
        form = dict(await request.form())
        client_id, client_secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("basic "):  # client_secret_basic, which GitHub also accepts
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
        known = self.clients.get(client_id)
        if known is None or not secrets.compare_digest(known[1], client_secret):
            return _error("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.")
        with self.lock:
            grant = self.grants.pop(str(form.get("code", "")), None)  # a code works once
        redirect_uri = str(form.get("redirect_uri", "")) or None
        if grant is None or grant.client_id != client_id or grant.expires_at < self.world.now():
            return _error("bad_verification_code", "The code passed is incorrect or expired.")
        if redirect_uri is not None and redirect_uri != grant.redirect_uri:
            return _error("redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL.")
        with self.world.lock:
            app = self.clients[client_id][0]
            token = Token(f"ghu_{secrets.token_hex(18)}", grant.user, expires_at=self.world.now() + TOKEN_TTL, app=app)
            self.world.tokens[token.value] = token
        answer = {"access_token": token.value, "token_type": "bearer", "scope": "", "expires_in": TOKEN_TTL}
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse(answer)
        return Response(urlencode(answer), media_type="application/x-www-form-urlencoded")


def _error(code: str, description: str) -> Response:
    # GitHub answers token errors with 200 and an `error` field.
    return JSONResponse({"error": code, "error_description": description})


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head><body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return HTMLResponse(page, status)
