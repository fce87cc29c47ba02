"""What the maintainer's dashboard shows of one letter, read back from GitHub (and our record of decisions)."""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from github import GithubException

from app.affiliations.public import marks_at
from app.affiliations.recheck import dropped_key
from app.github.api import Api
from app.github.models import PullRequest
from app.github.reach import describe
from app.landing.hold import on_hold
from app.landing.roster_read import READER
from app.review.render import CHECK_NAME
from app.rules.export import records
from app.rules.roster import signatories
from app.runtime import Runtime
from config import CONFIG_PATH, Config

log = logging.getLogger("undersigned.dashboard")
TTL = 60.0  # seconds one letter's figures are kept (a build costs API calls; unchanged answers are 304s, free)
MAX_PRS = 20  # open pull requests looked at per letter (one check-run read each)
LAPSED = 10  # marks dropped by the weekly re-check shown per letter, newest first


@dataclass
class Pull:
    number: int
    title: str
    url: str
    author: str
    state: str  # "valid", "invalid", "waiting", "unchecked", "other"
    reason: str = ""
    check_url: str = ""


@dataclass
class LetterView:
    repo: str
    url: str
    config: str  # "valid", "errors", "none"
    config_check: str = ""  # the check run that explains the config's state
    total: int = 0
    today: int = 0
    held: bool = False
    pulls: list[Pull] = field(default_factory=list)
    more_pulls: bool = False
    budget: dict[str, int] = field(default_factory=dict)
    problem: str | None = None
    verified: int = 0  # signatures whose affiliation is verified (issue 24), as the public outputs show them
    lapsed: list[dict[str, str]] = field(default_factory=list)  # marks the weekly re-check dropped, newest first


class LetterViews:
    """Builds and keeps each letter's view for TTL seconds, shared by every maintainer of it."""

    def __init__(self, rt: Runtime) -> None:
        self.rt, self.lock = rt, threading.Lock()
        self.kept: dict[str, tuple[float, LetterView]] = {}

    def view(self, installation_id: int, repo: str) -> LetterView | None:
        """None: the repo is no letter (it has no config)."""
        key = repo.lower()
        with self.lock:
            found = self.kept.get(key)
            if found is not None and time.monotonic() - found[0] < TTL:
                return found[1]
        github, dispatcher = self.rt.github, self.rt.dispatcher
        if github is None or dispatcher is None:
            return None
        api = github.api(installation_id)
        try:
            built = self._build(api, dispatcher.configs.get, dispatcher.ready.items, repo)
            if built is not None and built.problem is None:
                told = json.loads(dispatcher.ready.store.get(dropped_key(built.repo)) or "[]")
                built.lapsed = [{k: str(v) for k, v in t.items()} for t in reversed(told[-LAPSED:])]
        except Exception as exc:  # GitHub unreachable or refusing: the card says so, never a 500
            built = LetterView(repo, "", "none", problem=f"GitHub did not answer ({describe(exc)})")
            log.warning("dashboard letter failed", extra={"fields": {"repo": repo, "error": built.problem}})
        if built is not None:
            with self.lock:
                if len(self.kept) > 500:
                    self.kept.clear()
                self.kept[key] = (time.monotonic(), built)
        return built

    def _build(self, api: Api, configs: Any, ready: Any, repo: str) -> LetterView | None:
        repository = api.repository(repo)
        name, branch = repository.full_name or repo, repository.default_branch
        config = configs(api, name, branch)
        if config is None:
            return None
        out = LetterView(name, f"{_site(api, name)}", "valid" if isinstance(config, Config) else "errors")
        out.config_check = _config_check(api, name, branch)
        tip = api.branch_sha(name, branch)
        if isinstance(config, Config):
            people = signatories(config.letter, READER.files(api, name, tip, config.letter))
            rows = records(people, READER.dates(api, name, tip, config.letter), marks_at(api, name, tip, config))
            out.verified = sum(1 for r in rows if r.get("verified"))
            today = datetime.now(UTC).strftime("%Y-%m-%d")
            out.total, out.today = len(rows), sum(1 for r in rows if r["landed"] == today)
        out.held = on_hold(api, name)
        waiting = {r.number for r in ready(name)}
        pulls = api.open_pulls(name)
        out.more_pulls = len(pulls) > MAX_PRS
        out.pulls = [_pull(api, name, p, waiting, isinstance(config, Config)) for p in pulls[:MAX_PRS]]
        out.budget = _budget(api)
        return out


def _site(api: Api, repo: str) -> str:
    web = api.req.base_url.rstrip("/")
    web = "https://github.com" if web == "https://api.github.com" else web.removesuffix("/api/v3")
    return f"{web}/{repo}"


def _config_check(api: Api, repo: str, branch: str) -> str:
    """The check run on the last commit that changed the config: it says what is right or wrong with it."""
    found = api.commits(repo, branch, CONFIG_PATH)
    if not found:
        return ""
    runs = api.cached_get(f"/repos/{repo}/commits/{found[0]['sha']}/check-runs", {"check_name": CHECK_NAME})[1]
    listed = runs.get("check_runs", []) if isinstance(runs, dict) else []
    return str(listed[0].get("html_url") or "") if listed else ""


def _pull(api: Api, repo: str, pr: PullRequest, waiting: set[int], config_ok: bool) -> Pull:
    out = Pull(pr.number, pr.title, pr.html_url, pr.author, "unchecked")
    if not config_ok:
        out.state, out.reason = "waiting", "waiting for the config to be fixed"
        return out
    if pr.number in waiting:
        out.state, out.reason = "valid", "valid, waiting to land"
        return out
    try:
        runs = api.cached_get(f"/repos/{repo}/commits/{pr.head_sha}/check-runs", {"check_name": CHECK_NAME})[1]
    except GithubException:
        return out
    listed = runs.get("check_runs", []) if isinstance(runs, dict) else []
    if listed:
        run = listed[0]
        conclusion = str(run.get("conclusion") or "")
        out.state = {"failure": "invalid", "success": "valid", "neutral": "other", "action_required": "invalid"}.get(
            conclusion, "unchecked"
        )
        out.reason = str((run.get("output") or {}).get("title") or "")
        out.check_url = str(run.get("html_url") or "")
    return out


def _budget(api: Api) -> dict[str, int]:
    """The installation's REST budget as GitHub counts it (reading it costs none of it), and this process's
    reads and writes. https://docs.github.com/en/rest/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user"""
    try:
        core = (api.get("/rate_limit") or {}).get("resources", {}).get("core", {})
    except GithubException:
        core = {}
    return {
        "remaining": int(core.get("remaining", -1)),
        "limit": int(core.get("limit", -1)),
        "reset": int(core.get("reset", 0)),
        "reads": api.reads,
        "writes": api.writes,
    }
