"""GitHub access as the App: PyGithub for auth, tokens, retries and timeouts; exact calls, counted and paced."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from github import Auth, GithubException, GithubIntegration, GithubRetry
from github.Requester import Requester
from prometheus_client import Counter

from app.settings import Settings
from app.store import Store

REQUESTS = Counter("undersigned_github_requests_total", "GitHub API requests made", ["installation", "kind"])
Json = dict[str, Any]


class Pacer:
    """Keeps mutating requests of one installation at least `interval` seconds apart, across threads.

    GitHub asks integrators to make mutating requests serially, 1 s apart (secondary rate limits)."""

    def __init__(self, interval: float) -> None:
        self.interval, self.lock, self.last = interval, threading.Lock(), 0.0

    def wait(self) -> None:
        if self.interval <= 0:
            return
        with self.lock:
            delay = self.last + self.interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.last = time.monotonic()


class SharedPacer(Pacer):
    """A Pacer whose last-write time lives in the shared store (Redis), so several processes keep the
    pace together. The local lock orders this process's threads; the store's claim orders processes."""

    def __init__(self, interval: float, store: Store, installation_id: int) -> None:
        super().__init__(interval)
        self.store, self.key = store, f"pace:{installation_id}"

    def wait(self) -> None:
        if self.interval <= 0:
            return
        with self.lock:
            while not self.store.claim(f"{self.key}:lock", stale_after=30):
                time.sleep(0.002)
            try:
                delay = float(self.store.get(self.key) or 0) + self.interval - time.time()
                if delay > 0:
                    time.sleep(delay)
                self.store.put(self.key, f"{time.time():.6f}")
            finally:
                self.store.delete(f"{self.key}:lock")


class Api:
    """The calls undersigned makes for one installation. Every request is counted."""

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
        """Every item of a paginated listing, following Link rel="next" (items under `key` if wrapped)."""
        next_url: str | None = url
        query: Json | None = {"per_page": 100, **(params or {})}
        while next_url:
            headers, data = self._call("GET", next_url, query)
            items = data.get(key, []) if key and isinstance(data, dict) else data
            yield from items if isinstance(items, list) else []
            query, next_url = None, _next_link(headers.get("link", ""))

    # --- reads ---------------------------------------------------------------------------------
    def pull(self, repo: str, number: int) -> Json:
        return dict(self.get(f"/repos/{repo}/pulls/{number}"))

    def installation_repos(self) -> list[str]:
        return [str(r["full_name"]) for r in self.pages("/installation/repositories", key="repositories")]

    def open_pulls(self, repo: str) -> list[Json]:
        return list(self.pages(f"/repos/{repo}/pulls", {"state": "open"}))

    def compare(self, repo: str, base: str, head: str) -> Json:
        return dict(self.get(f"/repos/{repo}/compare/{quote(base, safe='')}...{quote(head, safe='')}"))

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

    def tree(self, repo: str, ref: str) -> list[Json]:
        return list(self.get(f"/repos/{repo}/git/trees/{ref}", {"recursive": "1"}).get("tree", []))

    def user(self, login: str) -> Json:
        return dict(self.get(f"/users/{quote(login)}"))

    def branch_sha(self, repo: str, branch: str) -> str:
        return str(self.get(f"/repos/{repo}/git/ref/heads/{quote(branch)}")["object"]["sha"])

    def comments(self, repo: str, number: int) -> list[Json]:
        return list(self.pages(f"/repos/{repo}/issues/{number}/comments"))

    # --- writes --------------------------------------------------------------------------------
    def create_check_run(self, repo: str, body: Json) -> Json:
        return dict(self.send("POST", f"/repos/{repo}/check-runs", body))

    def update_check_run(self, repo: str, run_id: int, body: Json) -> Json:
        return dict(self.send("PATCH", f"/repos/{repo}/check-runs/{run_id}", body))

    def create_comment(self, repo: str, number: int, body: str) -> Json:
        return dict(self.send("POST", f"/repos/{repo}/issues/{number}/comments", {"body": body}))

    def edit_comment(self, repo: str, comment_id: int, body: str) -> Json:
        return dict(self.send("PATCH", f"/repos/{repo}/issues/comments/{comment_id}", {"body": body}))

    def set_labels(self, repo: str, number: int, labels: list[str]) -> None:
        self.send("PUT", f"/repos/{repo}/issues/{number}/labels", {"labels": labels})

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


class GitHubApp:
    """The App's clients: one integration (JWT), one Api per installation (token refreshed by PyGithub)."""

    def __init__(self, settings: Settings, shared: Store | None = None) -> None:
        """`shared`: pace writes through this store (set when several processes share Redis)."""
        if settings.app_id is None or settings.private_key is None:
            raise RuntimeError("the App's ID and private key are not set")
        retry = GithubRetry(
            total=settings.http_retries,
            backoff_factor=settings.retry_backoff,
            secondary_rate_wait=settings.secondary_rate_wait,
        )
        self.integration = GithubIntegration(
            auth=Auth.AppAuth(settings.app_id, settings.private_key.get_secret_value()),
            base_url=settings.github_api_url,
            timeout=settings.http_timeout,
            retry=retry,
            per_page=100,
            seconds_between_requests=None,
            seconds_between_writes=None,  # pacing is ours: thread-safe, see Pacer
        )
        self.mutation_interval, self.shared = settings.mutation_interval, shared
        self._apis: dict[int, Api] = {}
        self._pacers: dict[int, Pacer] = {}
        self._lock = threading.Lock()

    def api(self, installation_id: int) -> Api:
        with self._lock:
            found = self._apis.get(installation_id)
            if found is None:
                gh = self.integration.get_github_for_installation(installation_id)
                pacer = self._pacers.get(installation_id)
                if pacer is None:
                    pacer = self._pacers[installation_id] = (
                        SharedPacer(self.mutation_interval, self.shared, installation_id)
                        if self.shared is not None
                        else Pacer(self.mutation_interval)
                    )
                found = self._apis[installation_id] = Api(gh.requester, installation_id, pacer)
            return found
