"""`undersigned serve` and `undersigned worker`: processes around the app factory and the queue."""

from __future__ import annotations

import sqlite3
import sys
import uuid
from pathlib import Path

import uvicorn
from pydantic import ValidationError

from app import logs
from app.jobs.activity import Activity, attach
from app.jobs.quiet import quiet_outages
from app.runtime import Runtime
from app.settings import Settings, in_words
from app.web.factory import StartupError, create_app


def _say(text: str) -> None:
    print(f"undersigned: {text}", file=sys.stderr)


def _settings() -> Settings | None:
    try:
        settings = Settings()
    except ValidationError as exc:
        for line in in_words(exc):
            _say(line)
        return None
    problem = data_dir_problem(settings.data_dir)  # it holds the App's credentials even with Redis
    if problem is not None:
        _say(f"UNDERSIGNED_DATA_DIR: {problem}")
        return None
    try:
        settings = settings.with_stored()
    except ValueError as exc:  # the stored credentials cannot be read
        _say(str(exc))
        return None
    logs.setup(settings.log_level)
    quiet_outages()
    return settings


def data_dir_problem(path: Path) -> str | None:
    """Why the data folder cannot hold the queue and the App's credentials, in one line; None when it can."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".probe-{uuid.uuid4().hex}"
        probe.write_bytes(b"")
        probe.unlink()
    except FileExistsError:
        return f"{path} is a file, not a folder"
    except OSError as exc:
        return f"cannot use {path}: {exc.strerror or exc}"
    return None


def serve(host: str | None = None, port: int | None = None) -> int:
    settings = _settings()
    if settings is None:
        return 2
    try:
        app = create_app(settings)
    except StartupError as exc:
        _say(str(exc))
        return 2
    except (OSError, sqlite3.Error) as exc:
        _say(f"UNDERSIGNED_DATA_DIR: cannot open the job queue in {settings.data_dir}: {exc}")
        return 2
    where = f"http://{host or settings.host}:{port or settings.port}"
    if settings.app_id is None:
        _say(f"no GitHub App yet: open {where}/setup in a browser to create one")
    elif settings.missing():
        _say(f"starting without {'; '.join(settings.missing())}: see {where}/")
    # uvloop and httptools when installed: several times the intake throughput of asyncio + h11.
    uvicorn.run(
        app, host=host or settings.host, port=port or settings.port, log_config=None, access_log=False, loop="auto"
    )
    return 0


def run_worker(threads: int | None = None, metrics_port: int | None = None) -> int:
    """A separate worker process; useful with UNDERSIGNED_REDIS_URL, where many share one queue. With
    `metrics_port`, its counters (jobs, GitHub requests, verdicts, landings) at http://HOST:PORT/metrics."""
    settings = _settings()
    if settings is None:
        return 2
    if not settings.has_app_credentials:
        _say("a worker needs UNDERSIGNED_APP_ID and the App's private key")
        return 2
    runtime = Runtime(settings)
    if metrics_port is not None:
        from prometheus_client import start_http_server

        runtime.gauges()
        start_http_server(metrics_port, addr=settings.host)  # a thread of its own; dies with the process
    attach(Activity(runtime.queue.store))  # its decisions reach the status page through the shared store
    runtime.queue.run_forever(threads or settings.workers or 1)
    return 0
