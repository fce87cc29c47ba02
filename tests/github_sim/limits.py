"""GitHub's documented rate limits, enforced: primary (per hour), secondary (concurrency, points, content), scaled.

https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
- Primary: an installation gets 5,000 requests an hour, plus 50 per repository above 20, up to 12,500; a
  user token 5,000; an Actions run's GITHUB_TOKEN 1,000 per repository (every run of the repository draws on
  one bucket). The hour is a fixed window with a reset time. Past it: 403, `x-ratelimit-remaining: 0` and the
  reset. A 304 to a conditional request costs nothing.
- Secondary: at most 100 concurrent requests; 900 points a minute per endpoint (a GET 1, a mutation 5);
  80 content-creating requests a minute and 500 an hour. Past it: 403 with `retry-after`. Keeping on while
  limited "may result in the banning of your integration": the simulator counts such requests and flags
  the client.

GraphQL (https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api) has its own
primary budget, in points (a query's cost, tests/github_sim/graphql_cost.py), with the same figures per identity,
in buckets "graphql:<bucket>"; its endpoint's secondary limit is 2,000 points a minute (a query 1, a mutation 5),
and it shares the 100 concurrent requests. GitHub's CPU-time secondary limit is not simulated.

`scale` shrinks every window by one factor (scale 60: an hour lasts a minute), so a launch day replays in
minutes; the service's pacing must shrink by the same factor. Headers carry clock seconds (the world's clock).
The primary limit is always enforced (as the simulator always did); `secondary=False` (unit tests that run
the service unpaced) counts the secondary limits' hits without refusing anything.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.github_sim.models import ApiError

HOUR, MINUTE = 3600.0, 60.0
SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
PRIMARY = "API rate limit exceeded for installation."
# Mutations that create or change no content: tokens, GraphQL queries (a POST that reads), redelivery.
NOT_CONTENT = ("/access_tokens", "/graphql", "/attempts", "/login/oauth/")
GRAPHQL = "POST /graphql"  # the GraphQL endpoint, as an endpoint of the secondary limits


@dataclass(frozen=True)
class Policy:
    """The documented figures (defaults) and the time scale."""

    scale: float = 1.0  # every window lasts 1/scale of its real length
    installation: int = 5000  # per installation per hour, at least
    per_repo_above_20: int = 50
    installation_cap: int = 12500
    user: int = 5000  # per user token per hour
    github_token: int = 1000  # per repository per hour (Actions' GITHUB_TOKEN)
    concurrent: int = 100
    endpoint_points: int = 900  # per endpoint per minute
    graphql_points: int = 2000  # the GraphQL endpoint's, per minute (queries only: 1 point each)
    get_points: int = 1
    mutation_points: int = 5
    content_per_minute: int = 80
    content_per_hour: int = 500
    retry_after: float = 60.0  # simulated seconds GitHub asks a secondary-limited client to wait

    def installation_limit(self, repos: int) -> int:
        return min(self.installation_cap, self.installation + self.per_repo_above_20 * max(0, repos - 20))


@dataclass
class Ticket:
    """One admitted request: whom it was charged to (and in which hour), so it can be released and refunded."""

    key: str
    window: int


@dataclass
class Client:
    """One rate-limited identity: its sliding windows, its requests in flight, when it is limited until."""

    in_flight: int = 0
    points: dict[str, deque[tuple[float, int]]] = field(default_factory=dict)
    content: deque[float] = field(default_factory=deque)
    limited_until: float = 0.0


@dataclass
class Tally:
    """What the limits did: hits by kind, requests made while limited, clients flagged."""

    hits: Counter[str] = field(default_factory=Counter)  # "primary", "concurrency", "points", "content_minute"...
    while_limited: Counter[str] = field(default_factory=Counter)
    flagged: set[str] = field(default_factory=set)

    @property
    def primary(self) -> int:
        return self.hits["primary"]

    @property
    def secondary(self) -> int:
        return sum(v for k, v in self.hits.items() if k != "primary")


class Limits:
    """Admit or refuse each request as GitHub would. `used` maps "<bucket>:<hour window>" to requests charged
    (tests read and set it; a bucket is "installation:<id>", "user:<login>" or "actions:<owner/repo>")."""

    FLAG_AFTER = 3  # requests sent while limited before a client is flagged

    def __init__(
        self, policy: Policy | None = None, *, secondary: bool = True, clock: Callable[[], float] | None = None
    ) -> None:
        self.policy, self.secondary = policy or Policy(), secondary
        self.clock: Callable[[], float] = clock or time.time
        self.own_clock = clock is not None  # else the simulator gives it its world's clock (World.now)
        self.used: dict[str, int] = {}
        self.peaks: dict[str, int] = {}  # bucket -> the most used in any one hour
        self.clients: dict[str, Client] = {}
        self.tally = Tally()
        self.lock = threading.Lock()

    def seconds(self, simulated: float) -> float:
        """Clock seconds for a span of simulated time."""
        return simulated / self.policy.scale

    def window(self, now: float | None = None) -> int:
        """The current hour's number (scaled): the primary limit's fixed window."""
        return int((self.clock() if now is None else now) * self.policy.scale // HOUR)

    # --- admission -------------------------------------------------------------------------------------
    def admit(
        self, key: str, limit: int, method: str, endpoint: str, path: str, *, cost: int = 1
    ) -> tuple[Ticket, dict[str, str]]:
        """Charge one request to `key` (limit: its hourly budget), `cost` points of it (a GraphQL query's cost);
        raises the 403 GitHub would send."""
        now = self.clock()
        window = self.window(now)
        with self.lock:
            # One identity's secondary limits cover its REST and GraphQL calls (100 concurrent, shared).
            client = self.clients.setdefault(key.removeprefix("graphql:"), Client())
            if now < client.limited_until:
                self.tally.while_limited[key] += 1
                if self.tally.while_limited[key] >= self.FLAG_AFTER:
                    self.tally.flagged.add(key)
            slot = f"{key}:{window}"
            used = self.used.get(slot, 0) + cost
            self.used[slot] = used
            headers = self._headers(limit, used, window, "graphql" if key.startswith("graphql:") else "core")
            if used > limit:  # the request counts, and is refused (as main's simulator always did)
                client.limited_until = self._reset(window)
                self.tally.hits["primary"] += 1
                raise ApiError(403, PRIMARY, {**headers, "x-ratelimit-remaining": "0"})
            kind, free_at = self._which_secondary(client, now, method, endpoint, path)
            if kind is not None:
                self.tally.hits[kind] += 1
                if self.secondary:
                    wait = max(free_at - now, self.seconds(self.policy.retry_after) if kind == "concurrency" else 0.0)
                    client.limited_until = now + wait
                    raise ApiError(403, SECONDARY, {**headers, "retry-after": str(max(1, math.ceil(wait)))})
            client.in_flight += 1
            self._charge(client, now, method, endpoint, path)
            self.peaks[key] = max(self.peaks.get(key, 0), used)
            return Ticket(key, window), headers

    def peek(self, key: str, limit: int) -> dict[str, str]:
        """The headers for `key` without charging it: GET /rate_limit "does not count against your primary rate
        limit". https://docs.github.com/en/rest/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user"""
        window = self.window()
        with self.lock:
            return self._headers(limit, self.used.get(f"{key}:{window}", 0), window)

    def _which_secondary(
        self, client: Client, now: float, method: str, endpoint: str, path: str
    ) -> tuple[str | None, float]:
        """Which secondary limit this request would break, and when it frees up (clock time)."""
        policy = self.policy
        if client.in_flight >= policy.concurrent:
            return "concurrency", now
        minute, hour = self.seconds(MINUTE), self.seconds(HOUR)
        points = client.points.setdefault(endpoint, deque())
        while points and points[0][0] <= now - minute:
            points.popleft()
        cap = policy.graphql_points if endpoint == GRAPHQL else policy.endpoint_points
        if sum(p for _, p in points) + self._points(method, endpoint) > cap:
            return "points", points[0][0] + minute
        if is_content(method, path):
            while client.content and client.content[0] <= now - hour:
                client.content.popleft()
            recent = [t for t in client.content if t > now - minute]
            if len(recent) >= policy.content_per_minute:
                return "content_minute", recent[0] + minute
            if len(client.content) >= policy.content_per_hour:
                return "content_hour", client.content[0] + hour
        return None, now

    def _charge(self, client: Client, now: float, method: str, endpoint: str, path: str) -> None:
        client.points.setdefault(endpoint, deque()).append((now, self._points(method, endpoint)))
        if is_content(method, path):
            client.content.append(now)

    def _points(self, method: str, endpoint: str) -> int:
        """Secondary-limit points: a GET (or a GraphQL query: the simulator serves no mutations) 1, else 5."""
        return self.policy.get_points if method == "GET" or endpoint == GRAPHQL else self.policy.mutation_points

    def release(self, ticket: Ticket, status: int) -> None:
        """The request is answered: no longer in flight; a 304 gives its charge back (it costs nothing)."""
        with self.lock:
            client = self.clients.get(ticket.key.removeprefix("graphql:"))
            if client is not None:
                client.in_flight = max(0, client.in_flight - 1)
            if status == 304:
                slot = f"{ticket.key}:{ticket.window}"
                self.used[slot] = max(0, self.used.get(slot, 1) - 1)

    def _reset(self, window: int) -> float:
        return (window + 1) * HOUR / self.policy.scale

    def _headers(self, limit: int, used: int, window: int, resource: str = "core") -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(max(0, limit - used)),
            "x-ratelimit-used": str(used),
            "x-ratelimit-reset": str(math.ceil(self._reset(window))),
            "x-ratelimit-resource": resource,
        }

    # --- reading ---------------------------------------------------------------------------------------
    def peak_used(self, prefix: str = "installation:") -> int:
        """The most any bucket of this kind has used in one hour."""
        with self.lock:
            return max((v for k, v in self.peaks.items() if k.startswith(prefix)), default=0)


def is_content(method: str, path: str) -> bool:
    """A POST, PATCH, PUT or DELETE that creates or changes content (check runs, comments, labels, commits,
    refs, merges, PRs); token requests, GraphQL reads and redeliveries change none."""
    return method in ("POST", "PATCH", "PUT", "DELETE") and not any(part in path for part in NOT_CONTENT)
