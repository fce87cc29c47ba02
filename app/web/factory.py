"""The FastAPI app factory: webhook intake, health, readiness, metrics, and a setup page at /."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from app.runtime import Runtime
from app.settings import Settings
from app.web.intake import accept
from app.web.sign import signing_app


class StartupError(RuntimeError):
    """The service cannot start; the message is one line for the operator."""


def create_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    """Build the service. Nothing happens at import time; the consumer starts with the app."""
    if settings.webhook_secret is None:
        raise StartupError("UNDERSIGNED_WEBHOOK_SECRET is not set: refusing to accept unsigned webhooks")
    rt = runtime or Runtime(settings)
    secret = settings.webhook_secret.get_secret_value().encode()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        rt.start()
        try:
            yield
        finally:
            rt.stop()

    app = FastAPI(title="undersigned", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.runtime = rt
    app.mount("/sign", signing_app(rt))  # the "Sign with GitHub" page (issue 14)

    @app.post(settings.webhook_path)
    async def webhooks(request: Request) -> JSONResponse:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > settings.max_body_bytes:
            return JSONResponse({"error": f"payload over {settings.max_body_bytes} bytes"}, 413)
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        answer = await run_in_threadpool(accept, secret, rt.router, rt.queue, headers, body, settings.max_body_bytes)
        return JSONResponse(answer.body, answer.status)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        problems = rt.not_ready()
        return JSONResponse({"ready": not problems, "problems": problems}, 200 if not problems else 503)

    @app.get("/metrics")
    def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest().decode(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/")
    def index() -> PlainTextResponse:
        missing = settings.missing()
        lines = ["undersigned: gathers open-letter signatures through pull requests.", ""]
        if missing:
            lines += ["Not set up yet. Set these environment variables, then restart:", *(f"  - {m}" for m in missing)]
            lines += ["", "See the README (Run it as a GitHub App) for how to create the App."]
        else:
            lines += [f"Ready: App {settings.app_id}, webhooks at {settings.webhook_path}."]
            lines += [f"Jobs waiting: {rt.queue.pending()}"]
        return PlainTextResponse("\n".join(lines) + "\n")

    return app
