"""`undersigned serve` and `undersigned worker`: processes around the app factory and the queue."""

from __future__ import annotations

import sys

import uvicorn
from pydantic import ValidationError

from app import logs
from app.runtime import Runtime
from app.settings import Settings, get_settings
from app.web.factory import StartupError, create_app


def _settings() -> Settings | None:
    try:
        settings = get_settings()
    except ValidationError as exc:
        for err in exc.errors():
            name = "UNDERSIGNED_" + "_".join(str(p) for p in err["loc"]).upper()
            print(f"undersigned: {name}: {err['msg']}", file=sys.stderr)
        return None
    logs.setup(settings.log_level)
    return settings


def serve(host: str | None = None, port: int | None = None) -> int:
    settings = _settings()
    if settings is None:
        return 2
    try:
        app = create_app(settings)
    except StartupError as exc:
        print(f"undersigned: {exc}", file=sys.stderr)
        return 2
    missing = settings.missing()
    if missing:
        where = f"http://{host or settings.host}:{port or settings.port}/"
        print(f"undersigned: starting without {'; '.join(missing)}: see {where}", file=sys.stderr)
    # uvloop and httptools when installed (the `fast` extra): several times the intake throughput of asyncio + h11.
    uvicorn.run(
        app, host=host or settings.host, port=port or settings.port, log_config=None, access_log=False, loop="auto"
    )
    return 0


def run_worker(threads: int | None = None) -> int:
    """A separate worker process; useful with UNDERSIGNED_REDIS_URL, where many share one queue."""
    settings = _settings()
    if settings is None:
        return 2
    if not settings.has_app_credentials:
        print("undersigned: a worker needs UNDERSIGNED_APP_ID and the App's private key", file=sys.stderr)
        return 2
    runtime = Runtime(settings)
    runtime.queue.run_forever(threads or settings.workers or 1)
    return 0
