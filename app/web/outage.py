"""While the queue's store (Redis, SQLite) is unreachable, the pages that read it (status, setup, signing)
answer 503, not 500 with a traceback per request. Webhooks never reach this: intake answers them first and
keeps them in its own log on disk (app.web.intake)."""

from __future__ import annotations

import json
import logging

from starlette.types import ASGIApp, Receive, Scope, Send

from app.jobs.quiet import OUTAGE_LOGGER, STORE_ERRORS
from app.web.limits import Tracked

log = logging.getLogger(OUTAGE_LOGGER)


class StoreOutage:
    """ASGI middleware: a store error escaping a request becomes a 503 and one rate-limited log line
    (app.jobs.quiet collapses these with the workers' own reports: one line a minute in all)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tracked = Tracked(send)
        try:
            await self.app(scope, receive, tracked)
        except STORE_ERRORS as exc:
            log.error("the job queue's store is unreachable", exc_info=exc)
            if tracked.started:
                raise
            body = json.dumps({"error": "the job queue's store is unreachable; try again in a minute"}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 503, "headers": [*headers, (b"retry-after", b"60")]})
            await send({"type": "http.response.body", "body": body})
