"""The simulator's state under one lock: ids and time, people, apps and installations, and its events."""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.github_sim.models import (
    ApiError,
    App,
    CheckRun,
    CheckSuite,
    Comment,
    Installation,
    PullRequest,
    Repository,
    Token,
    User,
)

PERMISSIONS = {"contents": "write", "pull_requests": "write", "issues": "write", "checks": "write", "metadata": "read"}
Listener = Callable[[str, str | None, dict[str, Any], "Installation | None"], None]


class Accounts:
    """All state, guarded by one lock: every HTTP request runs its whole mutation under it. World adds the
    repositories, pull requests and checks."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lock = threading.RLock()
        self.ids = itertools.count(1000)
        self.offset = 0.0  # added to the wall clock, so tests can make tokens expire
        self.users: dict[str, User] = {}
        self.apps: dict[int, App] = {}
        self.installations: dict[int, Installation] = {}
        self.tokens: dict[str, Token] = {}
        self.repos: dict[str, Repository] = {}
        self.pulls: dict[tuple[str, int], PullRequest] = {}
        self.comments: dict[int, Comment] = {}
        self.check_runs: dict[int, CheckRun] = {}
        self.check_suites: dict[int, CheckSuite] = {}
        self.listeners: list[Listener] = []
        self.acting: str | None = None  # the token of the request being handled (None: a test acting directly)
        # Organizations' members: org login (lower) -> member login (lower) -> whether the membership is public.
        self.orgs: dict[str, dict[str, bool]] = {}
        # Commits carrying a signature made with a key of an account: sha -> that account's login.
        self.signed: dict[str, str] = {}

    # --- time and ids ---------------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self.offset

    def to_top_of_hour(self) -> None:
        """Move the clock on to the next top of the hour: a test's requests then fall in one window of
        the hourly limits (fixed windows of the clock), whenever it runs."""
        self.offset += 3600 - self.now() % 3600

    def next_id(self) -> int:
        return next(self.ids)

    # --- people and apps ------------------------------------------------------------------------
    def add_user(
        self, login: str, type: str = "User", created_at: float | None = None, name: str | None = None
    ) -> User:
        with self.lock:
            user = User(login, self.next_id(), type, created_at or self.now() - 400 * 86400, "", name)
            user.token = f"ghp_{secrets.token_hex(18)}"
            self.users[login.lower()] = user
            self.tokens[user.token] = Token(user.token, user=user)
            return user

    def rename_user(self, user: User, login: str) -> None:
        """GitHub Enterprise Server's rename: the id stays, the old login is free for a new account at once."""
        with self.lock:
            if login.lower() in self.users and self.users[login.lower()] is not user:
                raise ApiError(422, "Validation Failed", errors=[{"field": "login", "code": "already_exists"}])
            old = user.login
            del self.users[old.lower()]
            owned = [r for r in self.repos.values() if r.owner is user]
            for repo in owned:
                del self.repos[repo.full_name.lower()]
            user.login = login
            self.users[login.lower()] = user
            for repo in owned:
                self.repos[repo.full_name.lower()] = repo
            for repo in self.repos.values():
                if old.lower() in repo.collaborators:
                    repo.collaborators.discard(old.lower())
                    repo.collaborators.add(login.lower())

    def user_token(self, user: User) -> str:
        """A new token that acts as `user` (an impersonation token, as a site administrator makes one)."""
        with self.lock:
            token = f"ghp_{secrets.token_hex(18)}"
            self.tokens[token] = Token(token, user=user)
            return token

    def user(self, login: str) -> User:
        found = self.users.get(login.lower())
        if found is None:
            raise ApiError(404, "Not Found")
        return found

    def add_app(self, slug: str, owner: User, public_key: str, webhook_url: str | None, secret: str | None) -> App:
        with self.lock:
            app = App(self.next_id(), slug, slug.replace("-", " ").title(), owner, public_key, webhook_url, secret)
            app.bot = self.add_user(f"{slug}[bot]", type="Bot")
            app.permissions = dict(PERMISSIONS)
            self.apps[app.id] = app
            return app

    def install(self, app: App, account: User, repos: list[str]) -> Installation:
        with self.lock:
            inst = Installation(self.next_id(), app, account, set(repos), dict(app.permissions), self.now())
            self.installations[inst.id] = inst
        self.emit("installation", "created", {"repositories": [self.repo_brief(self.repo(r)) for r in repos]}, inst)
        return inst

    def add_installation_repos(self, inst: Installation, repos: list[str]) -> None:
        with self.lock:
            inst.repos |= set(repos)
        brief = [self.repo_brief(self.repo(r)) for r in repos]
        body = {
            "repository_selection": "selected",
            "repositories_added": brief,
            "repositories_removed": [],
            "requester": None,
        }
        self.emit("installation_repositories", "added", body, inst)

    def issue_installation_token(self, inst: Installation) -> Token:
        with self.lock:
            token = Token(f"ghs_{secrets.token_hex(18)}", installation=inst, expires_at=self.now() + 3600)
            self.tokens[token.value] = token
            return token

    def installation_for(self, repo: Repository) -> Installation | None:
        return next((i for i in self.installations.values() if repo.full_name in i.repos), None)

    def repo(self, full_name: str) -> Repository:
        found = self.repos.get(full_name.lower())
        if found is None:
            raise ApiError(404, "Not Found")
        return found

    # --- events ---------------------------------------------------------------------------------
    def emit(self, event: str, action: str | None, body: dict[str, Any], inst: Installation | None) -> None:
        for listener in self.listeners:
            listener(event, action, body, inst)

    def pr_event(self, pr: PullRequest) -> dict[str, Any]:
        """The parts of a pull_request payload that name the PR; the sender adds the rest."""
        return {"number": pr.number, "_pull": pr, "_repo": pr.repo}

    def repo_brief(self, repo: Repository) -> dict[str, Any]:
        return {
            "id": repo.id,
            "node_id": f"R_{repo.id}",
            "name": repo.name,
            "full_name": repo.full_name,
            "private": repo.private,
        }
