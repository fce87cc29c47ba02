"""A small router: handlers register the (event, action) pairs they handle and return jobs to run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from app.jobs.job import Job

Payload = dict[str, Any]


Handler = Callable[[Payload], list[Job]]


class BadPayloadError(ValueError):
    """A payload whose fields do not have the types GitHub documents; the message names the first."""


class Router:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str | None], list[Handler]] = {}

    def register(self, event: str, *actions: str | None) -> Callable[[Handler], Handler]:
        def decorate(fn: Handler) -> Handler:
            for action in actions or (None,):
                self.routes.setdefault((event, action), []).append(fn)
            return fn

        return decorate

    def knows(self, event: str) -> bool:
        """Whether any handler takes this event, whatever its action (checked before parsing the body)."""
        return any(name == event for name, _ in self.routes)

    def handles(self, event: str, action: str | None) -> bool:
        return (event, action) in self.routes or (event, None) in self.routes

    def dispatch(self, event: str, payload: Payload) -> list[Job]:
        action = payload.get("action") if isinstance(payload.get("action"), str) else None
        handlers = self.routes.get((event, action), []) + (self.routes.get((event, None), []) if action else [])
        jobs: list[Job] = []
        for handler in handlers:
            try:
                jobs += handler(payload)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "payload"
                raise BadPayloadError(f"{where}: {first['msg']}") from None
        return jobs

    def include(self, other: Router) -> None:
        for key, handlers in other.routes.items():
            self.routes.setdefault(key, []).extend(handlers)
