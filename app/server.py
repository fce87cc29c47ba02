"""`undersigned serve` and `undersigned worker`: processes around the app factory and the queue."""

from __future__ import annotations

import errno
import fcntl
import os
import secrets
import socket
import sqlite3
import sys
import uuid
from pathlib import Path

import uvicorn
from pydantic import SecretStr, ValidationError

from app import logs
from app.github.keys import key_problem
from app.jobs.activity import Activity, attach
from app.jobs.quiet import quiet_outages
from app.runtime import Runtime
from app.settings import Settings, in_words
from app.web.factory import StartupError, create_app

# `undersigned serve`'s exit codes (its --help lists them): 2 the settings or the data folder cannot be used,
# 3 something another process holds (the port, or the data folder's intake log).
EXIT_CONFIG, EXIT_BUSY = 2, 3
WILDCARDS = ("0.0.0.0", "::", "")  # noqa: S104 (addresses compared, not bound)


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
    except PermissionError as exc:
        # A host folder bind-mounted into the container belongs to a host user; the image runs as UID 10001.
        uid = os.getuid()
        return (
            f"cannot use {path}: {exc.strerror or exc}: this process runs as UID {uid}; make the folder writable "
            f"for it (for a folder mounted into the container: `sudo chown -R {uid} HOST_FOLDER`)"
        )
    except OSError as exc:
        return f"cannot use {path}: {exc.strerror or exc}"
    return None


def bind(host: str, port: int) -> socket.socket | str:
    """The listening socket, bound before anything else starts; or why not, in one line."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            return (
                f"port {port} on {host} is in use by another process (another undersigned?): stop it, "
                "or pick another port with --port N or UNDERSIGNED_PORT (0: any free port)"
            )
        return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return sock


def intake_held(data_dir: Path) -> bool:
    """Whether another `serve` holds this data folder's intake log (its lock is taken and kept while it runs)."""
    lock = data_dir / "intake" / "LOCK"
    if not lock.exists():
        return False
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing drops a lock taken here
    return False


def where_to_open(settings: Settings, host: str, port: int, path: str) -> str:
    """Where a person opens `path`: at the public URL when set; never at 0.0.0.0, which no browser reaches."""
    if settings.public_url:
        return settings.public_url.rstrip("/") + path
    if host in WILDCARDS:  # in a container: the address and port are what `docker run -p` published
        return f"{path} on port {port} of this machine's address (in a container: the port `docker run -p` published)"
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}{path}"


def serve(host: str | None = None, port: int | None = None) -> int:
    settings = _settings()
    if settings is None:
        return EXIT_CONFIG
    host = settings.host if host is None else host
    sock = bind(host, settings.port if port is None else port)
    if isinstance(sock, str):
        _say(sock)
        return EXIT_BUSY
    try:
        return _serve(settings, sock, host)
    finally:
        sock.close()


def _serve(settings: Settings, sock: socket.socket, host: str) -> int:
    if intake_held(settings.data_dir):
        _say(
            f"UNDERSIGNED_DATA_DIR: another undersigned serve is using {settings.data_dir}: stop it, "
            "or give this one its own folder (one serve per data folder)"
        )
        return EXIT_BUSY
    setup = ""
    if settings.app_id is None and not settings.credentials_path.exists():
        # The setup page's one-time token (issue 18): said here, in the one start-up line, with the page's address.
        token = settings.setup_token.get_secret_value() if settings.setup_token else secrets.token_urlsafe(24)
        settings = settings.model_copy(update={"setup_token": SecretStr(token)})
        setup = f"/setup?token={token}"
    try:
        app = create_app(settings, Runtime(settings, apart=settings.worker_process))
    except StartupError as exc:
        _say(str(exc))
        return EXIT_CONFIG
    except (OSError, sqlite3.Error) as exc:
        _say(f"UNDERSIGNED_DATA_DIR: cannot open the job queue in {settings.data_dir}: {exc}")
        return EXIT_CONFIG
    port = int(sock.getsockname()[1])

    def where(path: str) -> str:
        return where_to_open(settings, host, port, path)

    if setup:
        _say(f"no GitHub App yet: to create one, open in a browser {where(setup)}")
    elif settings.has_app_credentials and (bad := key_problem(settings.private_key)) is not None:
        _say(f"UNDERSIGNED_PRIVATE_KEY: {bad}; not ready until it is replaced (see {where('/readyz')})")
    elif settings.missing():
        _say(f"starting without {'; '.join(settings.missing())}: see {where('/')}")
    else:
        _say(f"serving on {where('/')}")
    # uvloop and httptools when installed: several times the intake throughput of asyncio + h11.
    config = uvicorn.Config(app, log_config=None, access_log=False, loop="auto")
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def run_worker(threads: int | None = None, metrics_port: int | None = None, *, of_serve: bool = False) -> int:
    """A separate worker process; useful with UNDERSIGNED_REDIS_URL, where many share one queue. With
    `metrics_port`, its counters (jobs, GitHub requests, verdicts, landings) at http://HOST:PORT/metrics. With
    `of_serve`, it is `serve`'s own (app.jobs.worker_process): it runs until its stdin ends."""
    settings = _settings()
    if settings is None:
        return EXIT_CONFIG
    if not settings.has_app_credentials:
        _say("a worker needs UNDERSIGNED_APP_ID and the App's private key")
        return EXIT_CONFIG
    runtime = Runtime(settings)
    if metrics_port is not None:
        from prometheus_client import start_http_server

        runtime.gauges()
        start_http_server(metrics_port, addr=settings.host)  # a thread of its own; dies with the process
    attach(Activity(runtime.queue.store))  # its decisions reach the status page through the shared store
    runtime.queue.run_forever(threads or settings.workers or 1, follow=sys.stdin.fileno() if of_serve else None)
    return 0
