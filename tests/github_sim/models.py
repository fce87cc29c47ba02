"""The simulator's records: people, Apps, installations, tokens, repositories, PRs, comments, check runs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tests.github_sim.git import Repo
from tests.github_sim.git_cli import Person


class ApiError(Exception):
    """An HTTP error as GitHub would answer it."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.headers, self.extra = status, message, headers or {}, extra


@dataclass
class User:
    login: str
    id: int
    type: str = "User"
    created_at: float = 0.0
    token: str = ""
    name: str | None = None
    site_admin: bool = False  # GitHub Enterprise Server's site administrator: may use /admin
    # The account's email addresses, as GET /user/emails lists them: {email, verified, primary, visibility}.
    emails: list[dict[str, Any]] = field(default_factory=list)

    @property
    def person(self) -> Person:
        return Person(
            self.name or self.login, f"{self.id}+{self.login}@users.noreply.github.com", f"{int(time.time())} +0000"
        )


@dataclass
class App:
    id: int
    slug: str
    name: str
    owner: User
    public_key: str
    webhook_url: str | None = None
    webhook_secret: str | None = None
    bot: User | None = None
    permissions: dict[str, str] = field(default_factory=dict)


@dataclass
class Installation:
    id: int
    app: App
    account: User
    repos: set[str] = field(default_factory=set)  # full names
    permissions: dict[str, str] = field(default_factory=dict)
    created_at: float = 0.0


@dataclass
class Token:
    value: str
    user: User | None = None
    installation: Installation | None = None
    expires_at: float | None = None
    app: App | None = None  # a user access token's App (the OAuth client it was issued to)


@dataclass
class Repository:
    id: int
    owner: User
    name: str
    default_branch: str
    git: Repo
    parent: Repository | None = None
    collaborators: set[str] = field(default_factory=set)
    admins: set[str] = field(default_factory=set)  # besides the owner (lower-case logins)
    private: bool = False  # PATCH /repos/{owner}/{repo} with {"private": true}
    protected: set[str] = field(default_factory=set)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    next_number: int = 1
    created_at: float = 0.0

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"


@dataclass
class PullRequest:
    number: int
    id: int
    repo: Repository
    head_repo: Repository
    head_ref: str
    head_sha: str
    base_ref: str
    user: User
    title: str
    body: str | None
    created_at: float
    updated_at: float
    state: str = "open"
    merged: bool = False
    merged_at: float | None = None
    merged_by: User | None = None
    merge_commit_sha: str | None = None
    closed_at: float | None = None
    labels: list[str] = field(default_factory=list)
    mergeable_key: tuple[str, str] | None = None  # (base sha, head sha) the cached result is for
    mergeable_tree: str | None = None
    stats_key: tuple[str, str] | None = None  # (base sha, head sha) the cached counts are for
    stats: tuple[int, int, int, int] = (0, 0, 0, 0)  # commits, additions, deletions, changed files

    @property
    def base_sha(self) -> str:
        return self.repo.git.ref(f"refs/heads/{self.base_ref}") or ""


@dataclass
class Comment:
    id: int
    repo: Repository
    number: int
    user: User
    body: str
    created_at: float
    updated_at: float
    via: App | None = None  # the App whose installation wrote it (performed_via_github_app)


@dataclass
class CheckSuite:
    """One App's suite for one commit: GitHub makes it with the App's first check run on that commit."""

    id: int
    repo: Repository
    app: App
    head_sha: str
    head_branch: str | None
    before: str | None
    created_at: float
    updated_at: float

    def status(self, runs: list[CheckRun]) -> str:
        if runs and all(r.status == "completed" for r in runs):
            return "completed"
        return "in_progress" if any(r.status == "in_progress" for r in runs) else "queued"

    def conclusion(self, runs: list[CheckRun]) -> str | None:
        if self.status(runs) != "completed":
            return None
        order = ["action_required", "cancelled", "timed_out", "failure", "neutral", "success", "skipped"]
        found = [r.conclusion for r in runs if r.conclusion in order]
        return min(found, key=order.index) if found else "neutral"


@dataclass
class CheckRun:
    id: int
    repo: Repository
    app: App
    head_sha: str
    name: str
    status: str
    conclusion: str | None
    output: dict[str, Any]
    started_at: float
    suite: CheckSuite
    completed_at: float | None = None
    external_id: str | None = None
    details_url: str | None = None
    annotations: list[dict[str, Any]] = field(default_factory=list)
