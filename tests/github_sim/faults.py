"""Fault injection per route (latency, 5xx, rate limits, dropped webhooks) and the request log."""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Literal, TypedDict, Unpack

# "error": refused before it is made; "error_after": made, then answered with the error. GitHub ends a request
# that takes over 10 seconds with a timeout answer, which does not say whether the write went through.
# https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#timeouts
Kind = Literal["latency", "error", "error_after", "secondary", "primary", "drop_webhook"]


@dataclass
class Fault:
    """A rule: requests whose "METHOD /path" matches `route` suffer it, `times` times (None: always)."""

    kind: Kind
    route: re.Pattern[str]
    status: int = 500
    latency: float = 0.0
    rate: float = 1.0
    times: int | None = None
    retry_after: int = 1
    reset_in: int = 1
    hits: int = 0


class Effect(TypedDict, total=False):
    """How a fault strikes: the fields of a Fault after its kind and route, all optional."""

    status: int
    latency: float
    rate: float
    times: int | None
    retry_after: int
    reset_in: int


@dataclass(frozen=True)
class Call:
    """One request as the simulator saw it."""

    method: str
    path: str
    status: int
    actor: str  # "user:login", "installation:ID", "app:ID" or "anonymous"
    query: str = ""
    names: tuple[str, ...] = ()  # a GraphQL query's PRs and git objects ("number:12", "oid:<sha>": graphql.named)


@dataclass
class Faults:
    rules: list[Fault] = field(default_factory=list)
    log: list[Call] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(1234))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: Kind, route: str = ".*", **effect: Unpack[Effect]) -> Fault:
        fault = Fault(kind, re.compile(route), **effect)
        with self.lock:
            self.rules.append(fault)
        return fault

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()

    def take(self, target: str, kinds: tuple[Kind, ...]) -> list[Fault]:
        """The faults that strike this request now (consuming their counts)."""
        struck = []
        with self.lock:
            for fault in self.rules:
                if fault.kind not in kinds or not fault.route.search(target):
                    continue
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                if fault.rate < 1.0 and self.rng.random() >= fault.rate:
                    continue
                fault.hits += 1
                struck.append(fault)
        return struck

    def record(self, call: Call) -> None:
        with self.lock:
            self.log.append(call)

    def calls(self, method: str | None = None, path: str | None = None, actor: str | None = None) -> list[Call]:
        """Logged calls, filtered by method, a regex on the path, and actor prefix."""
        with self.lock:
            log = list(self.log)
        return [
            c
            for c in log
            if (method is None or c.method == method)
            and (path is None or re.search(path, c.path))
            and (actor is None or c.actor.startswith(actor))
        ]
