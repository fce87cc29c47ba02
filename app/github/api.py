"""The calls undersigned makes for one installation: exact REST calls, counted, with writes paced."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from github import GithubException
from github.Requester import Requester
from prometheus_client import Counter

from app.github.models import Account, Comment, Comparison, PullRequest, Repo, TreeEntry
from app.github.pacing import Pacer

REQUESTS = Counter("undersigned_github_requests_total", "GitHub API requests made", ["installation", "kind"])
Json = dict[str, Any]


class Api:
    """One installation's client. Every request is counted; every mutation waits for the pacer."""

    def __init__(self, requester: Requester, installation_id: int, pacer: Pacer) -> None:
        self.req, self.installation_id, self.pacer = requester, installation_id, pacer
        self.reads = self.writes = 0
        self._lock = threading.Lock()

    def _call(self, verb: str, url: str, params: Json | None = None, body: Any = None) -> tuple[dict[str, Any], Any]:
        mutation = verb != "GET"
        if mutation:
            self.pacer.wait()
        with self._lock:
            if mutation:
                self.writes += 1
            else:
                self.reads += 1
        REQUESTS.labels(str(self.installation_id), "write" if mutation else "read").inc()
        return self.req.requestJsonAndCheck(verb, url, parameters=params, input=body)

    def get(self, url: str, params: Json | None = None) -> Any:
        return self._call("GET", url, params)[1]

    def send(self, verb: str, url: str, body: Any = None) -> Any:
        return self._call(verb, url, None, body)[1]

    def pages(self, url: str, params: Json | None = None, key: str | None = None) -> Iterator[Any]:
        """Every item of a paginated listing, following Link rel="next" (items under `key` if wrapped).

        https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api"""
        next_url: str | None = url
        query: Json | None = {"per_page": 100, **(params or {})}
        while next_url:
            headers, data = self._call("GET", next_url, query)
            items = data.get(key, []) if key and isinstance(data, dict) else data
            yield from items if isinstance(items, list) else []
            query, next_url = None, _next_link(headers.get("link", ""))

    # --- reads ---------------------------------------------------------------------------------
    def pull(self, repo: str, number: int) -> PullRequest:
        return PullRequest.model_validate(self.get(f"/repos/{repo}/pulls/{number}"))

    def repository(self, repo: str) -> Repo:
        return Repo.model_validate(self.get(f"/repos/{repo}"))

    def installation_repos(self) -> list[str]:
        return [str(r["full_name"]) for r in self.pages("/installation/repositories", key="repositories")]

    def open_pulls(self, repo: str) -> list[PullRequest]:
        return [PullRequest.model_validate(p) for p in self.pages(f"/repos/{repo}/pulls", {"state": "open"})]

    def compare(self, repo: str, base: str, head: str) -> Comparison:
        url = f"/repos/{repo}/compare/{quote(base, safe='')}...{quote(head, safe='')}"
        return Comparison.model_validate(self.get(url))

    def file(self, repo: str, path: str, ref: str) -> tuple[str, str] | None:
        """(text, blob sha) of a file at a ref, or None when it does not exist there."""
        try:
            data = self.get(f"/repos/{repo}/contents/{quote(path)}", {"ref": ref})
        except GithubException as exc:
            if exc.status == 404:
                return None
            raise
        if not isinstance(data, dict) or data.get("type") != "file":
            return None
        raw = base64.b64decode(data.get("content") or "")
        return raw.decode("utf-8", "replace"), str(data["sha"])

    def tree(self, repo: str, ref: str) -> list[TreeEntry]:
        found = self.get(f"/repos/{repo}/git/trees/{ref}", {"recursive": "1"})
        return [TreeEntry.model_validate(entry) for entry in found.get("tree", [])]

    def user(self, login: str) -> Account:
        return Account.model_validate(self.get(f"/users/{quote(login)}"))

    def branch_sha(self, repo: str, branch: str) -> str:
        return str(self.get(f"/repos/{repo}/git/ref/heads/{quote(branch)}")["object"]["sha"])

    def comments(self, repo: str, number: int) -> list[Comment]:
        return [Comment.model_validate(c) for c in self.pages(f"/repos/{repo}/issues/{number}/comments")]

    # --- writes --------------------------------------------------------------------------------
    def create_check_run(self, repo: str, body: Json) -> Json:
        return dict(self.send("POST", f"/repos/{repo}/check-runs", body))

    def update_check_run(self, repo: str, run_id: int, body: Json) -> Json:
        return dict(self.send("PATCH", f"/repos/{repo}/check-runs/{run_id}", body))

    def create_comment(self, repo: str, number: int, body: str) -> Json:
        return dict(self.send("POST", f"/repos/{repo}/issues/{number}/comments", {"body": body}))

    def edit_comment(self, repo: str, comment_id: int, body: str) -> Json:
        return dict(self.send("PATCH", f"/repos/{repo}/issues/comments/{comment_id}", {"body": body}))

    def add_labels(self, repo: str, number: int, labels: list[str]) -> None:
        """Add labels, keeping the others. https://docs.github.com/en/rest/issues/labels#add-labels-to-an-issue"""
        self.send("POST", f"/repos/{repo}/issues/{number}/labels", {"labels": labels})

    def remove_label(self, repo: str, number: int, name: str) -> None:
        """Remove one label; one already gone (404) is what we wanted.
        https://docs.github.com/en/rest/issues/labels#remove-a-label-from-an-issue"""
        try:
            self.send("DELETE", f"/repos/{repo}/issues/{number}/labels/{quote(name, safe='')}")
        except GithubException as exc:
            if exc.status != 404:
                raise

    def merge(self, repo: str, number: int, sha: str, method: str, title: str | None = None) -> Json:
        body: Json = {"sha": sha, "merge_method": method}
        if title:
            body["commit_title"] = title
        return dict(self.send("PUT", f"/repos/{repo}/pulls/{number}/merge", body))

    def create_tree(self, repo: str, base_tree: str, entries: list[Json]) -> str:
        return str(self.send("POST", f"/repos/{repo}/git/trees", {"base_tree": base_tree, "tree": entries})["sha"])

    def create_commit(self, repo: str, message: str, tree: str, parents: list[str]) -> Json:
        # No author or committer: GitHub then signs the App's commit and shows it as Verified.
        return dict(
            self.send("POST", f"/repos/{repo}/git/commits", {"message": message, "tree": tree, "parents": parents})
        )

    def update_branch(self, repo: str, branch: str, sha: str) -> None:
        self.send("PATCH", f"/repos/{repo}/git/refs/heads/{quote(branch)}", {"sha": sha, "force": False})

    def close_pull(self, repo: str, number: int) -> None:
        self.send("PATCH", f"/repos/{repo}/pulls/{number}", {"state": "closed"})


def _next_link(header: str) -> str | None:
    for part in header.split(","):
        url, _, rel = part.partition(";")
        if 'rel="next"' in rel:
            return url.strip().strip("<>")
    return None
