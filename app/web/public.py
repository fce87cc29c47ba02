"""The letter's public face: /letters/{owner}/{repo}/signatures.json and .csv, and badge.svg.

Public repositories only. A private letter, a repo without the App or without a valid config, and one that
does not exist all get the same 404 (issue 18: nothing tells a stranger which private repos the App is on).
Counts are the letter's lines at the default branch's tip, read back from GitHub, never counted events."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from github import GithubException
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from app.affiliations.public import marks_at
from app.landing.roster_read import READER
from app.rules.export import as_csv, as_json, badge, records
from app.rules.roster import signatories
from app.web.sign_state import SigningPage, repo_name
from app.web.signing import UnavailableError
from config import Config

FRESH = 30.0  # seconds a letter's roster is served without asking GitHub again
KEPT = 256  # letters kept in memory
HEADERS = {"X-Content-Type-Options": "nosniff", "Access-Control-Allow-Origin": "*"}


@dataclass(frozen=True)
class Roster:
    """One public letter's signatures at one commit, rendered once."""

    repo: str
    sha: str
    rows: list[dict[str, Any]]
    json: str
    csv: str
    svg: str

    @property
    def count(self) -> int:
        return len(self.rows)


class PublicLetters:
    """Rosters of public letters, read through the App and kept for FRESH seconds."""

    def __init__(self, state: SigningPage) -> None:
        self.state, self.lock = state, threading.Lock()
        self.kept: dict[str, tuple[float, Roster | None]] = {}

    def roster(self, repo: str) -> Roster | None:
        """The letter's roster, or None for every repo that has none to show the public."""
        key = repo.lower()
        with self.lock:
            found = self.kept.get(key)
            if found is not None and time.monotonic() - found[0] < FRESH:
                return found[1]
        roster = self._read(repo)
        with self.lock:
            if len(self.kept) >= KEPT:
                self.kept.clear()
            self.kept[key] = (time.monotonic(), roster)
        return roster

    def _read(self, repo: str) -> Roster | None:
        try:
            letters = self.state.letters()
            _, api = letters.api(repo)
            repository = api.repository(repo)
            if repository.private:
                return None
            config = letters.configs.get(api, repo, repository.default_branch)
            if not isinstance(config, Config):
                return None
            sha = api.branch_sha(repo, repository.default_branch)
        except UnavailableError:
            return None
        except GithubException as exc:
            if exc.status in (403, 404):
                return None
            raise  # GitHub failing: a 503 (never cached), not a 404 that would say the letter is gone
        name = repository.full_name or repo
        people = signatories(config.letter, READER.files(api, repo, sha, config.letter))
        rows = records(people, READER.dates(api, repo, sha, config.letter), marks_at(api, repo, sha, config))
        return Roster(name, sha, rows, as_json(name, rows), as_csv(rows), badge(len(rows)))


def public_router(letters: PublicLetters) -> APIRouter:
    router = APIRouter()

    async def find(owner: str, name: str) -> Roster:
        repo = repo_name(owner, name)
        try:
            roster = await run_in_threadpool(letters.roster, repo) if repo else None
        except Exception as exc:  # GitHub down or slow: say so, never a traceback
            raise HTTPException(503, "GitHub did not answer; try again in a minute", {"Retry-After": "60"}) from exc
        if roster is None:
            raise HTTPException(404)
        return roster

    def answer(request: Request, body: str, media: str, seconds: int, **more: str) -> Response:
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
        headers = {**HEADERS, "ETag": etag, "Cache-Control": f"public, max-age={seconds}", **more}
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=media, headers=headers)

    @router.get("/letters/{owner}/{name}/signatures.json", include_in_schema=False)
    async def signatures_json(request: Request, owner: str, name: str) -> Response:
        roster = await find(owner, name)
        return answer(request, roster.json, "application/json", 60)

    @router.get("/letters/{owner}/{name}/signatures.csv", include_in_schema=False)
    async def signatures_csv(request: Request, owner: str, name: str) -> Response:
        roster = await find(owner, name)
        filename = f"{roster.repo.replace('/', '-')}-signatures.csv"
        disposition = f'attachment; filename="{filename}"'
        return answer(request, roster.csv, "text/csv; charset=utf-8", 60, **{"Content-Disposition": disposition})

    @router.get("/letters/{owner}/{name}/badge.svg", include_in_schema=False)
    async def badge_svg(request: Request, owner: str, name: str) -> Response:
        roster = await find(owner, name)
        policy = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}
        return answer(request, roster.svg, "image/svg+xml", 300, **policy)

    return router
