"""GitHub as the signer: fork, branch, commit and open the PR with their own token; then read its progress."""

from __future__ import annotations

import base64
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from app.affiliations.match import domain_of
from app.github.api import Api
from app.review.render import CHECK_NAME
from app.web.signing import Letter, Plan

FORK_WAIT = 20.0  # seconds: "Forking a Repository happens asynchronously" (docs.github.com/rest/repos/forks)
_LANDED = re.compile(r"landed in ([0-9a-f]{7,40})", re.IGNORECASE)
_BRANCH = re.compile(r"undersigned-(sign|amend|withdraw)-[0-9a-f]+$")  # the branch open_pull names
TITLES = {
    "sign": "Sign the letter as @{login}",
    "withdraw": "Withdraw the signature of @{login}",
    "amend": "Change the signature of @{login}",
}


class SendError(Exception):
    """GitHub refused a step; the message says which, in words (never with the token)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class UserGitHub:
    """One signer's client. The token is sent to GitHub only, and the client is closed after use."""

    def __init__(self, api_url: str, token: str, timeout: float) -> None:
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "undersigned-signing-page",
        }
        self.http = httpx.Client(base_url=api_url.rstrip("/"), headers=headers, timeout=timeout)

    def __enter__(self) -> UserGitHub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def _call(self, method: str, url: str, step: str, **kwargs: Any) -> Any:
        try:
            response = self.http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise SendError(f"GitHub did not answer while {step}; please try again.") from exc
        if response.is_error:
            try:
                message = str(response.json().get("message", ""))
            except ValueError:
                message = ""
            status = response.status_code
            raise SendError(f"GitHub refused {step} ({status}{': ' + message if message else ''}).", status)
        return response.json() if response.content else None

    def me(self) -> dict[str, Any]:
        return dict(self._call("GET", "/user", "reading your account"))

    def verified_domains(self) -> list[str]:
        """The domains of the signer's verified addresses; the addresses themselves never leave this function.
        Needs the App's "Email addresses" user permission; without it (403) there are none.
        https://docs.github.com/en/rest/users/emails#list-email-addresses-for-the-authenticated-user"""
        try:
            found = self._call("GET", "/user/emails", "reading your verified addresses", params={"per_page": 100})
        except SendError as exc:
            if exc.status in (403, 404):
                return []
            raise
        listed = found if isinstance(found, list) else []
        domains = (domain_of(str(e.get("email", ""))) for e in listed if isinstance(e, dict) and e.get("verified"))
        return sorted({d for d in domains if d})

    def administered(self) -> dict[int, set[str]]:
        """The App's installations this person can reach, each with the repos (lower-cased full names) they
        administer; installations where they administer none are left out. First 100 of each listing.
        https://docs.github.com/en/rest/apps/installations#list-repositories-accessible-to-the-user-access-token"""
        step, out = "listing your installations", {}
        found = self._call("GET", "/user/installations", step, params={"per_page": 100}) or {}
        for inst in found.get("installations", []):
            number = int(inst["id"])
            url = f"/user/installations/{number}/repositories"
            listing = self._call("GET", url, step, params={"per_page": 100}) or {}
            repos = {
                str(r["full_name"]).lower()
                for r in listing.get("repositories", [])
                if (r.get("permissions") or {}).get("admin") is True
            }
            if repos:
                out[number] = repos
        return out

    def open_pull(self, letter: Letter, plan: Plan, login: str) -> dict[str, Any]:
        """Fork (or reuse the fork), branch from the letter's tip, commit the change, open the PR."""
        repo = letter.repo
        fork = str(self._call("POST", f"/repos/{repo}/forks", "making your fork")["full_name"])
        own = fork.lower() == repo.lower()  # the letter's owner signs in their own repository
        branch = f"undersigned-{plan.action}-{secrets.token_hex(3)}"
        self._branch(fork, branch, letter.sha)
        title = TITLES[plan.action].format(login=login)
        for path, text in plan.writes.items():
            self._write(fork, branch, path, text, title)
        body = {
            "title": title,
            "head": branch if own else f"{fork.split('/')[0]}:{branch}",
            "base": letter.default_branch,
            "body": f"Opened for @{login} from undersigned's signing page.",
            "maintainer_can_modify": False,
        }
        return dict(self._call("POST", f"/repos/{repo}/pulls", "opening the pull request", json=body))

    def _branch(self, fork: str, branch: str, sha: str) -> None:
        # A fork shares its network's objects, so the branch can start at the letter's own tip even when the
        # fork's default branch is behind. A fresh fork may not be ready yet: retry for a while.
        deadline = time.monotonic() + FORK_WAIT
        body = {"ref": f"refs/heads/{branch}", "sha": sha}
        while True:
            try:
                self._call("POST", f"/repos/{fork}/git/refs", "making a branch in your fork", json=body)
                return
            except SendError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def _write(self, fork: str, branch: str, path: str, text: str | None, message: str) -> None:
        url = f"/repos/{fork}/contents/{quote(path)}"
        try:
            sha: str | None = str(self._call("GET", url, "reading the letter", params={"ref": branch})["sha"])
        except SendError:
            sha = None  # a new file (one file per signer)
        step = "committing your change"
        if text is None:
            self._call("DELETE", url, step, json={"message": message, "sha": sha, "branch": branch})
            return
        body = {"message": message, "content": base64.b64encode(text.encode()).decode(), "branch": branch}
        self._call("PUT", url, step, json={**body, **({"sha": sha} if sha else {})})


@dataclass(frozen=True)
class Progress:
    """Where a signature's pull request is: opened, checked (the check's conclusion), landed (the commit)."""

    number: int
    pr_url: str
    state: str
    checked: str | None  # success, failure, neutral; None while undersigned is still checking
    title: str | None  # the check's title, e.g. what is wrong
    landed: str | None  # the commit's sha
    commit_url: str | None
    action: str | None = None  # sign, amend or withdraw: what the signing page opened it for (its branch says)

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "pr_url": self.pr_url,
            "state": self.state,
            "checked": self.checked,
            "title": self.title,
            "landed": self.landed,
            "commit_url": self.commit_url,
            "action": self.action,
        }


def progress(api: Api, repo: str, number: int, app_id: int | None) -> Progress:
    """Read the PR, undersigned's check run on its head, and where it landed, through the App. Only what the
    App itself wrote counts: its check run, and its own "landed in" comment (anyone can comment that)."""
    pr = api.get(f"/repos/{repo}/pulls/{number}")
    head = str(pr["head"]["sha"])
    runs = api.get(f"/repos/{repo}/commits/{head}/check-runs", {"check_name": CHECK_NAME}).get("check_runs", [])
    done = [r for r in runs if r.get("status") == "completed" and _ours(r.get("app"), app_id)]
    checked = str(done[0]["conclusion"]) if done else None
    title = str((done[0].get("output") or {}).get("title") or "") or None if done else None
    landed: str | None = str(pr["merge_commit_sha"]) if pr.get("merged") else None
    if landed is None and pr.get("state") == "closed":
        # Landed by undersigned's own commit (the PR is then closed with a comment naming it).
        for comment in api.pages(f"/repos/{repo}/issues/{number}/comments"):
            if not _ours(comment.get("performed_via_github_app"), app_id):
                continue
            found = _LANDED.search(str(comment.get("body", "")))
            if found:
                landed = found.group(1)
    if landed and checked is None:
        checked, title = "success", "valid"  # a valid PR that lands at once gets no interim check: merged says it
    base_url = str((pr.get("base") or {}).get("repo", {}).get("html_url") or "")
    commit_url = f"{base_url}/commit/{landed}" if landed and base_url else None
    action = _BRANCH.match(str((pr.get("head") or {}).get("ref") or ""))
    return Progress(
        number,
        str(pr.get("html_url", "")),
        str(pr.get("state")),
        checked,
        title,
        landed,
        commit_url,
        action.group(1) if action else None,
    )


def _ours(app: Any, app_id: int | None) -> bool:
    """Whether GitHub says this App wrote it (`app` of a check run, `performed_via_github_app` of a comment)."""
    return app_id is not None and isinstance(app, dict) and app.get("id") == app_id


class ProgressCache:
    """Answers for a moment (for good once landed), so many pollers cost GitHub few reads."""

    def __init__(self, ttl: float = 0.4, size: int = 1024) -> None:
        self.ttl, self.size, self.lock = ttl, size, threading.Lock()
        self.items: OrderedDict[tuple[str, int], tuple[float, Progress]] = OrderedDict()

    def get(self, api: Api, repo: str, number: int, app_id: int | None) -> Progress:
        key = (repo.lower(), number)
        with self.lock:
            found = self.items.get(key)
        if found is not None and (found[1].landed or time.monotonic() < found[0]):
            return found[1]
        fresh = progress(api, repo, number, app_id)
        with self.lock:
            self.items[key] = (time.monotonic() + self.ttl, fresh)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return fresh
