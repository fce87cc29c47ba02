"""The FastAPI app factory: webhook intake, health, readiness, metrics, the setup page and the status page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from app.jobs.activity import attach, detach
from app.runtime import Runtime
from app.settings import Settings
from app.web.dashboard import Dashboard
from app.web.intake import Bounds, Intake
from app.web.limits import BodyLimit
from app.web.oauth import STATUS_COOKIE
from app.web.outage import StoreOutage
from app.web.pages import assets, not_found
from app.web.public import PublicLetters, public_router
from app.web.setup import build_setup
from app.web.sign import signing_app
from app.web.status import Status


class StartupError(RuntimeError):
    """The service cannot start; the message is one line for the operator."""


class Service(FastAPI):
    """The FastAPI app, with webhook deliveries sent to intake before any framework layer sees them.

    Starlette wraps every request in its error, exception and middleware layers (a `send` wrapper each); a
    delivery needs none of them, and skipping them is about a fifth of intake's time per request.
    """

    intake_route: tuple[str, Intake] | None = None  # (path, endpoint)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        front = self.intake_route
        if front is not None and scope["type"] == "http" and scope["path"] == front[0]:
            await front[1](scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, runtime: Runtime | None = None) -> Service:
    """Build the service. Nothing happens at import time; the consumer starts with the app."""
    if settings.webhook_secret is None and settings.app_id is not None:
        raise StartupError("UNDERSIGNED_WEBHOOK_SECRET is not set: refusing to accept unsigned webhooks")
    rt = runtime or Runtime(settings)
    status = Status(rt)
    rt.gauges()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        handler = attach(status.activity)
        rt.start()
        try:
            yield
        finally:
            rt.stop()
            detach(handler)

    app = Service(title="undersigned", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.runtime = rt
    app.add_middleware(StoreOutage)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, seconds=settings.intake_read_seconds)
    app.include_router(build_setup(rt))
    app.include_router(assets())  # the pages' stylesheet and scripts, at /-/NAME
    app.add_exception_handler(HTTPException, not_found)  # an unknown URL: a page for browsers, JSON for the rest
    signing = signing_app(rt)
    app.mount("/sign", signing)  # the "Sign with GitHub" page (issue 14)
    sessions = signing.state.signing.sessions
    public = PublicLetters(signing.state.signing)
    signing.state.public = public  # the signing page lists the signatories of a public letter
    app.include_router(public_router(public))  # /letters/{owner}/{repo}/signatures.json, .csv, badge.svg

    # The webhook route is plain ASGI, ahead of every layer: verify, parse, fsync (group commit), answer. The
    # secret is read per delivery, so one stored by the setup page works without a restart.
    def secret() -> bytes | None:
        value = rt.settings.webhook_secret
        return value.get_secret_value().encode() if value is not None else None

    bounds = Bounds(
        settings.max_body_bytes, settings.intake_read_seconds, settings.intake_reading, settings.intake_held_bytes
    )
    intake = Intake(secret, rt.router, rt.intake, bounds)
    app.intake_route = (settings.webhook_path, intake)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        problems = rt.not_ready()
        body = {"ready": not problems, "problems": problems, **rt.workers_report()}
        return JSONResponse(body, 200 if not problems else 503)

    @app.get("/metrics")
    def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(rt.metrics).decode(), media_type=CONTENT_TYPE_LATEST)

    dashboard = Dashboard(rt, status)

    @app.get("/dashboard", response_model=None)
    async def dashboard_page(request: Request) -> Response:
        signer = sessions.get({"sid": request.cookies.get(STATUS_COOKIE)})  # signed in: see app/web/sign.py
        headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
        return HTMLResponse(await run_in_threadpool(dashboard.html, signer), headers=headers)

    @app.get("/", response_model=None)
    async def index(request: Request) -> Response:
        if "text/html" in request.headers.get("accept", ""):  # a browser: the status page
            signer = sessions.get({"sid": request.cookies.get(STATUS_COOKIE)})  # signed in: see app/web/sign.py
            return HTMLResponse(await run_in_threadpool(status.html, signer))
        current = rt.settings
        missing = current.missing()
        lines = ["undersigned: gathers open-letter signatures through pull requests.", ""]
        if missing:
            lines += ["Not set up yet. Open /setup in a browser to create the GitHub App, or set these and restart:"]
            lines += [*(f"  - {m}" for m in missing)]
        else:
            lines += [f"Ready: App {current.app_id}, webhooks at {current.webhook_path}."]
            lines += [f"Jobs waiting: {rt.queue.pending()}"]
        return PlainTextResponse("\n".join(lines) + "\n")

    return app
