"""GITHUB_TOKEN's hourly requests, never overdrawn: a run stops a few requests short of the limit.

Every run of a repository draws on one bucket of 1,000 requests an hour, and a request past it is refused
with a 403 that counts as a limit hit (repeated ones can get a client flagged). A run is a new process that
knows nothing of the others, so it first asks GET /rate_limit, which costs nothing, and then keeps the last
response's `x-ratelimit-remaining` (PyGithub's `rate_limiting`): below RESERVE, it sends nothing more and
stops as if refused, and the first run after the reset goes on from GitHub's state.
https://docs.github.com/en/rest/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from github import GithubException, RateLimitExceededException
from github.Requester import Requester

from app.action.tally import Tally
from app.github.api import Api, Json

RESERVE = 10  # requests left for whatever else uses the token this hour (another workflow's steps)
AFTER = 1  # writes a report makes after its check run (its comment): a stamp counts them ahead


class TokenApi(Api):
    """The Action's client: the App's, plus the hourly guard."""

    graphql_left: int | None = None  # GraphQL's points left this hour, as GET /rate_limit said (None: unknown)
    primed: dict[tuple[str, str, str], tuple[str, str] | None] | None = None  # see prime
    stamp: Callable[[int], Tally] | None = None  # the run's tally with n writes ahead (app.action.tally)
    covered = 0  # this run's writes its last stamp counts

    def create_check_run(self, repo: str, body: Json) -> Json:
        body, covers = self._stamped(body)
        created = super().create_check_run(repo, body)
        self.covered = max(self.covered, covers)
        return created

    def update_check_run(self, repo: str, run_id: int, body: Json) -> Json:
        body, covers = self._stamped(body)
        updated = super().update_check_run(repo, run_id, body)
        self.covered = max(self.covered, covers)
        return updated

    def _stamped(self, body: Json) -> tuple[Json, int]:
        """Our check run's body with the run's tally in its `external_id` (the watermark's has its own state),
        and the run's writes that tally counts: those made, this one, and the report's comment after it."""
        if self.stamp is None or "external_id" in body:
            return body, self.covered
        ahead = 1 + AFTER
        return {**body, "external_id": self.stamp(ahead).stamp()}, self.writes + ahead

    def prime(self, repo: str, path: str, ref: str, found: tuple[str, str] | None) -> None:
        """Answer the next `file(repo, path, ref)` with `found` (as it gives it), read otherwise: once only, so
        whoever reads it again (the landing, just before writing) reads it fresh."""
        self.primed = {**(self.primed or {}), (repo.lower(), path, ref): found}

    def file(self, repo: str, path: str, ref: str) -> tuple[str, str] | None:
        key = (repo.lower(), path, ref)
        if self.primed and key in self.primed:
            return self.primed.pop(key)
        return super().file(repo, path, ref)

    def start(self) -> None:
        """Learn what this hour has left, for free (a GitHub without the endpoint: learnt from the first call),
        REST's and GraphQL's (`resources.graphql`, a budget of its own)."""
        try:
            _, body = self.req.requestJsonAndCheck("GET", "/rate_limit")
        except GithubException:
            return
        graphql = ((body or {}).get("resources") or {}).get("graphql") if isinstance(body, dict) else None
        if isinstance(graphql, dict) and isinstance(graphql.get("remaining"), int):
            self.graphql_left = graphql["remaining"]

    def guard(self) -> None:
        """Raise RateLimitExceededException, as GitHub's 403 would, when the hour has RESERVE requests left."""
        remaining, limit = self.req.rate_limiting
        if 0 <= remaining <= RESERVE and limit > 0:
            reset = {"x-ratelimit-reset": str(self.req.rate_limiting_resettime), "x-ratelimit-remaining": "0"}
            message = f"{remaining} of the hour's {limit} requests left: kept in reserve, nothing more is sent"
            raise RateLimitExceededException(403, {"message": message}, reset)

    def _call(self, verb: str, url: str, params: Json | None = None, body: Any = None) -> tuple[dict[str, Any], Any]:
        self.guard()
        return super()._call(verb, url, params, body)


class RestFigures:
    """GITHUB_TOKEN's Requester, whose rate-limit figures stay REST's. PyGithub keeps the last response's
    `x-ratelimit-*` headers whatever the endpoint, and a GraphQL answer's are GraphQL's own budget (points,
    not the hour's requests): after one, the guard above would read the wrong figures. So a GraphQL call's
    figures are put back as they were. https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api
    """

    def __init__(self, req: Requester) -> None:
        self._req = req

    def __getattr__(self, name: str) -> Any:
        return getattr(self._req, name)

    def requestJsonAndCheck(self, verb: str, url: str, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 (PyGithub's)
        if url != self._req.graphql_url:
            return self._req.requestJsonAndCheck(verb, url, *args, **kwargs)
        kept = self._req.rate_limiting, self._req.rate_limiting_resettime
        try:
            return self._req.requestJsonAndCheck(verb, url, *args, **kwargs)
        finally:
            self._req.rate_limiting, self._req.rate_limiting_resettime = kept
