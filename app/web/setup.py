"""The setup page: create the GitHub App from a manifest (GitHub's manifest flow, as Probot does it),
store what GitHub gives back in the data folder, and start using it without a restart.

https://docs.github.com/en/apps/sharing-github-apps/registering-a-github-app-from-a-manifest"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app.logs import event
from app.runtime import Runtime
from app.settings import write_credentials
from app.web.notices import next_steps, relay_notice, unreachable
from app.web.pages import e, page
from app.web.setup_guard import Gate, bind_state, state_of

log = logging.getLogger("undersigned.setup")
EVENTS = ["pull_request", "issue_comment", "check_run", "push"]  # installation events come to every App
PERMISSIONS = {
    "contents": "write",
    "pull_requests": "write",
    "issues": "write",
    "checks": "write",
    "metadata": "read",
    # A user permission: the signing page reads the signer's verified addresses to verify an affiliation by its
    # domain (only the domain is kept). Asked only when a letter verifies affiliations (app.affiliations).
    "emails": "read",
}
OAUTH_CALLBACK = "/sign/callback"  # the signing page's OAuth callback (app/web/sign.py serves it)
STATE_TTL = 3600.0


def manifest(public_url: str, webhook_path: str = "/webhooks", name: str = "undersigned") -> dict[str, Any]:
    """The App's manifest: the events and permissions undersigned needs, and nothing more."""
    base = public_url.rstrip("/")
    return {
        "name": name,
        "url": base,
        "hook_attributes": {"url": base + webhook_path, "active": True},
        "redirect_url": base + "/setup/callback",
        "callback_urls": [base + OAUTH_CALLBACK],
        "setup_url": base + "/setup/installed",
        "public": False,
        "default_permissions": dict(PERMISSIONS),
        "default_events": list(EVENTS),
    }


def install_url(web_url: str, slug: str | None) -> str | None:
    return f"{web_url}/apps/{quote(slug)}/installations/new" if slug else None


def public_url_of(request: Request, configured: str | None) -> str:
    """The URL GitHub and browsers reach us at: the setting, else what the request (or its proxy) says."""
    if configured:
        return configured.rstrip("/")
    proto = request.headers.get("x-forwarded-proto") or request.url.scheme
    host = request.headers.get("x-forwarded-host") or request.headers.get("host") or request.url.netloc
    return f"{proto}://{host}"


def usable_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class States:
    """The `state` we send with each manifest: the callback must bring one back (no forged setups)."""

    def __init__(self) -> None:
        self.items: dict[str, float] = {}
        self.lock = threading.Lock()

    def new(self) -> str:
        value = secrets.token_urlsafe(24)
        with self.lock:
            now = time.monotonic()
            self.items = {k: t for k, t in self.items.items() if now - t < STATE_TTL}
            self.items[value] = now
        return value

    def take(self, value: str) -> bool:
        with self.lock:
            issued = self.items.pop(value, None)
        return issued is not None and time.monotonic() - issued < STATE_TTL


def convert(api_url: str, code: str, timeout: float) -> dict[str, Any]:
    """POST /app-manifests/{code}/conversions: the new App's ID, key, secrets. The code is good for an hour."""
    url = f"{api_url.rstrip('/')}/app-manifests/{quote(code, safe='')}/conversions"
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"the GitHub API URL must be http(s): {api_url}")
    headers = {"Accept": "application/vnd.github+json"}
    request = urllib.request.Request(url, method="POST", data=b"", headers=headers)  # noqa: S310 (checked above)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the connection
        raise ValueError(f"GitHub answered {exc.code} (the code is good once, for an hour)") from None
    if not isinstance(data, dict) or not data.get("id") or not data.get("pem"):
        raise ValueError("GitHub's answer has no App ID or private key")
    return data


def confirm_body(got: dict[str, Any], state: str) -> str:
    """Who owns the App GitHub made, said before anything is stored: an App made under someone else's account
    would hand them this service (GitHub's conversion answer names the owner)."""
    found = got.get("owner")
    owner: dict[str, Any] = found if isinstance(found, dict) else {}
    login, kind = str(owner.get("login") or "?"), str(owner.get("type") or "account")
    return (
        f"<h1>Check the App</h1><p>GitHub created <b>{e(got.get('name') or got.get('slug') or got['id'])}</b> "
        f'(App ID {e(got["id"])}), owned by the {e(kind.lower())} <b id="app-owner">{e(login)}</b>.</p>'
        "<p>Use it only if that is you or your organisation. Nothing is stored until you do.</p>"
        f'<form method="post" action="/setup/confirm"><input type="hidden" name="state" value="{e(state)}">'
        '<button type="submit">Use this App</button></form>'
        '<p><a href="/setup">Not mine: start again</a></p>'
    )


def build_setup(rt: Runtime) -> APIRouter:
    router, states, lock = APIRouter(), States(), threading.Lock()
    token = rt.settings.setup_token
    gate = Gate(token.get_secret_value() if token is not None else None)
    pending: dict[str, tuple[float, dict[str, Any]]] = {}  # state -> (when, GitHub's answer), not yet stored
    if rt.settings.app_id is None and not rt.settings.credentials_path.exists():
        gate.announce(rt.settings.public_url or f"http://{rt.settings.host}:{rt.settings.port}")

    def closed() -> HTMLResponse | None:
        settings = rt.settings
        if settings.app_id is None and not settings.credentials_path.exists():
            return None
        link = install_url(settings.web_url, settings.app_slug)
        install = f'<p><a class="button" href="{e(link)}">Install it on your repositories</a></p>' if link else ""
        body = (
            "<h1>Setup is closed</h1>"
            f"<p>This service already runs as GitHub App {e(settings.app_id or '')}. "
            "To start over, remove the App's settings (or the stored credentials in the data folder) and restart.</p>"
            f'{install}<p><a href="/">The status page</a></p>'
        )
        return HTMLResponse(page("Setup is closed", body), 403)

    def refused(request: Request) -> HTMLResponse | None:
        """Closed, or not the operator: only the token from the log (or a browser on this machine) opens it."""
        shut = closed()
        if shut is not None or gate.allows(request):
            return shut
        body = (
            "<h1>Setup needs its token</h1><p>Only the operator can create this service's GitHub App. Open the "
            "address the service printed in its log at start-up (<code>…/setup?token=…</code>), or set "
            "<code>UNDERSIGNED_SETUP_TOKEN</code> and add <code>?token=</code> with it to this address.</p>"
        )
        return HTMLResponse(page("Set up", body), 403)

    def secure(request: Request) -> bool:
        return request.url.scheme == "https" or (rt.settings.public_url or "").startswith("https://")

    @router.get("/setup", response_class=HTMLResponse)
    def setup_form(request: Request, token: str = "") -> Response:
        shut = refused(request)
        if shut is not None:
            return shut
        if token:  # the token leaves the address bar (and the Referer): a cookie stands for it from now on
            moved = RedirectResponse("/setup", 303)
            gate.remember(moved, secure=secure(request))
            return moved
        configured = rt.settings.public_url
        url = public_url_of(request, configured)
        fixed = " readonly" if configured else ""
        body = (
            "<h1>Create the GitHub App</h1>"
            "<p>undersigned runs as a GitHub App. This page asks GitHub to create one with exactly the "
            "permissions and events it needs; GitHub then sends you back here, and the service starts using "
            "it at once, without a restart.</p>"
            '<form method="get" action="/setup/manifest">'
            '<label for="public_url">Public URL <small>where GitHub and browsers reach this service</small></label>'
            f'<input type="url" id="public_url" name="public_url" value="{e(url)}" required{fixed}>'
            '<label for="org">Organisation <small>optional: create the App under an organisation you '
            "administer instead of your own account</small></label>"
            '<input type="text" id="org" name="org" placeholder="my-org" autocomplete="off">'
            '<button type="submit">Continue</button></form>'
        )
        if unreachable(url) and rt.settings.web_url == "https://github.com":
            body += relay_notice(url, rt.settings.webhook_path)
        return HTMLResponse(page("Set up", body))

    @router.get("/setup/manifest", response_class=HTMLResponse)
    def setup_manifest(request: Request, public_url: str = "", org: str = "") -> HTMLResponse:
        shut = refused(request)
        if shut is not None:
            return shut
        # The operator's setting wins over the form: the webhook URL is where GitHub sends every secret event.
        url, org = (rt.settings.public_url or public_url).strip().rstrip("/"), org.strip()
        if not usable_url(url) or (org and not org.replace("-", "").isalnum()):
            problem = "an organisation name" if usable_url(url) else "a public URL that starts with https://"
            body = f'<h1>Almost</h1><p>Please give {problem}.</p><p><a href="/setup">Back</a></p>'
            return HTMLResponse(page("Set up", body), 400)
        data = manifest(url, rt.settings.webhook_path)
        web = rt.settings.web_url
        target = f"{web}/organizations/{quote(org)}/settings/apps/new" if org else f"{web}/settings/apps/new"
        owner = f"the organisation {e(org)}" if org else "your account"
        local = unreachable(url) and web == "https://github.com"
        warning = relay_notice(url, rt.settings.webhook_path) if local else ""
        state = states.new()
        body = (
            "<h1>Create the GitHub App</h1>"
            f"<p>GitHub will show you this App for {owner}; you can change its name there. "
            f"It will not be public.</p>{warning}"
            f'<form method="post" action="{e(target)}?state={e(state)}">'
            f'<input type="hidden" name="manifest" value="{e(json.dumps(data))}">'
            '<button type="submit">Create the App on GitHub</button></form>'
            f"<h2>The manifest</h2><pre>{e(json.dumps(data, indent=2))}</pre>"
            '<p><a href="/setup">Back</a></p>'
        )
        answer = HTMLResponse(page("Set up", body))
        bind_state(answer, state, secure=secure(request))
        return answer

    @router.get("/setup/callback", response_class=HTMLResponse)
    async def setup_callback(request: Request, code: str = "", state: str = "") -> HTMLResponse:
        shut = refused(request)
        if shut is not None:
            return shut
        if not code or not state_of(request, state) or not states.take(state):
            body = '<h1>This link has expired</h1><p>Please <a href="/setup">start again</a>.</p>'
            return HTMLResponse(page("Set up", body), 400)
        settings = rt.settings
        try:
            got = await run_in_threadpool(convert, settings.github_api_url, code, float(settings.http_timeout))
        except (OSError, ValueError) as exc:
            reason = str(exc)
            event(log, "manifest conversion failed", reason=reason)
            body = f'<h1>GitHub did not create the App</h1><p>{e(reason)}.</p><p><a href="/setup">Try again</a></p>'
            return HTMLResponse(page("Set up", body), 502)
        with lock:
            now = time.monotonic()
            for key in [k for k, (t, _) in pending.items() if now - t > STATE_TTL]:
                del pending[key]
            pending[state] = (now, got)
        return HTMLResponse(page("Check the App", confirm_body(got, state)))

    @router.post("/setup/confirm", response_class=HTMLResponse)
    async def setup_confirm(request: Request) -> HTMLResponse:
        shut = refused(request)
        if shut is not None:
            return shut
        state = str((await request.form()).get("state", ""))
        with lock:
            found = pending.pop(state, None) if state_of(request, state) else None
        if found is None or time.monotonic() - found[0] > STATE_TTL:
            body = '<h1>This link has expired</h1><p>Please <a href="/setup">start again</a>.</p>'
            return HTMLResponse(page("Set up", body), 400)
        got, settings = found[1], rt.settings
        stored = {
            "app_id": int(got["id"]),
            "app_slug": got.get("slug"),
            "private_key": got["pem"],
            "webhook_secret": got.get("webhook_secret"),
            "client_id": got.get("client_id"),
            "client_secret": got.get("client_secret"),
        }
        with lock:  # one setup wins; a second one finds the file there (O_EXCL) and is told setup is closed
            try:
                write_credentials(settings.credentials_path, stored)
            except FileExistsError:
                return closed() or HTMLResponse(page("Setup is closed", "<h1>Setup is closed</h1>"), 403)
            rt.reload(settings.with_stored())
        event(log, "app created", app_id=stored["app_id"], slug=stored["app_slug"], path=str(settings.credentials_path))
        link = install_url(rt.settings.web_url, stored["app_slug"])
        body = (
            f"<h1>The App is ready</h1><p>GitHub created <b>{e(got.get('name') or stored['app_slug'])}</b> "
            f"(App ID {e(stored['app_id'])}). Its private key, webhook secret and OAuth client are stored in "
            "the data folder, readable by this service only, and already in use.</p>"
            f'<p><a class="button" href="{e(link)}">Install it on your repositories</a></p>'
            '<p class="muted">Then open a letter\'s repository and add <code>.github/undersigned.yml</code>. '
            'The <a href="/">status page</a> shows what arrives.</p>'
        )
        return HTMLResponse(page("The App is ready", body))

    @router.get("/setup/installed", response_class=HTMLResponse)
    def setup_installed(installation_id: int | None = None) -> HTMLResponse:
        body = (
            "<h1>Installed</h1><p>undersigned now checks signature pull requests on the repositories you chose"
            f"{f' (installation {e(installation_id)})' if installation_id else ''}.</p>"
            f'{next_steps()}<p><a href="/">The status page</a></p>'
        )
        return HTMLResponse(page("Installed", body))

    return router
