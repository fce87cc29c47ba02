"""`undersigned worker --alive`: a worker container's health check. It imports no web framework and no
GitHub client, so it answers within a health check's timeout even on a busy machine."""

from __future__ import annotations

import socket
import sys

from pydantic import ValidationError

from app.jobs.push import backend_at
from app.jobs.workers import alive_here
from app.settings import Settings, in_words


def _say(text: str) -> None:
    print(f"undersigned: {text}", file=sys.stderr)


def worker_alive() -> int:
    """0 when a worker process of this host (this container) is on the workers' roster in the shared queue,
    1 when none is or the queue does not answer, 2 when the settings are wrong."""
    try:
        settings = Settings()
    except ValidationError as exc:
        for line in in_words(exc):
            _say(line)
        return 2
    url = settings.redis_url.get_secret_value() if settings.redis_url is not None else None
    try:
        backend = backend_at(settings.data_dir, url)
        try:
            here = alive_here(backend)
        finally:
            backend.close()
    except Exception as exc:
        _say(f"the job queue does not answer: {type(exc).__name__}")
        return 1
    if not here:
        _say(f"no worker process on {socket.gethostname()} beat in the last {settings.job_lease:g} s")
        return 1
    for beat in here:
        print(f"alive: {beat.process} ({beat.threads} threads, {beat.running} jobs running)")
    return 0
