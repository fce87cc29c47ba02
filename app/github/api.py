"""The calls undersigned makes for one installation: exact REST calls, counted, with writes paced."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from github import GithubException
from github.Requester import Requester
from prometheus_client import Counter

from app.github.budget import ContentBudget
from app.github.models import Account, Comment, Comparison, PullRequest, Repo, TreeEntry
from app.github.pacing import Pacer
from app.github.reach import Reach

REQUESTS = Counter("undersigned_github_requests_total", "GitHub API requests made", ["installation", "kind"])
Json = dict[str, Any]
ETAGS_KEPT = 4096  # responses kept per installation for conditional requests
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
PAGE = 100  # items a listing page holds: we ask GitHub for its most (per_page=100)


class NotUtf8Error(ValueError):
    """A file that is not valid UTF-8 text: read as text it would be altered, so it is refused (principle 1)."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path} is not valid UTF-8")
        self.path = path


class Api:
    """One installation's client. Every request is counted; every mutation spends from the content budget
    (app.github.budget), then waits for the pacer."""

    def __init__(
        self,
        requester: Requester,
        installation_id: int,
        pacer: Pacer,
        reach: Reach | None = None,
        budget: ContentBudget | None = None,
    ) -> None:
        self.req, self.installation_id, self.pacer, self.budget = requester, installation_id, pacer, budget
        self.reach = reach or Reach(requester.base_url)
        self.reads = self.writes = self.not_modified = 0
        self._lock = threading.Lock()
        self._etags: OrderedDict[str, tuple[str, dict[str, Any], Any]] = OrderedDict()

    def _call(self, verb: str, url: str, params: Json | None = None, body: Any = None) -> tuple[dict[str, Any], Any]:
        mutation = verb != "GET"
        if mutation:
            if self.budget is not None:
                self.budget.charge(url)  # content-creating: the installation's budget first (may defer the job)
            self.pacer.wait()
        with self._lock:
            if mutation:
                self.writes += 1
            else:
                self.reads += 1
        REQUESTS.labels(str(self.installation_id), "write" if mutation else "read").inc()
        with self.reach.watch():
            return self.req.requestJsonAndCheck(verb, url, parameters=params, input=body)

    def get(self, url: str, params: Json | None = None) -> Any:
        return self._call("GET", url, params)[1]

    def cached_get(self, url: str, params: Json | None = None) -> tuple[dict[str, Any], Any]:
        """A conditional GET: sends the ETag of the last answer; a 304 (which costs no rate limit) gives that
        answer again. https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
        """
        key = url + "?" + "&".join(f"{k}={v}" for k, v in sorted((params or {}).items()))
        with self._lock:
            kept = self._etags.get(key)
        with self.reach.watch():
            status, headers, raw = self.req.requestJson(
                "GET", url, parameters=params, headers={"If-None-Match": kept[0]} if kept else None
            )
        if status == 304 and kept is not None:
            with self._lock:
                self.not_modified += 1
                self._etags.move_to_end(key)
            REQUESTS.labels(str(self.installation_id), "not_modified").inc()
            return kept[1], kept[2]
        with self._lock:
            self.reads += 1
        REQUESTS.labels(str(self.installation_id), "read").inc()
        data = _json(raw)
        if status >= 400:
            raise self.req.createException(status, headers, data)
        etag = headers.get("etag")
        if etag:
            with self._lock:
                self._etags[key] = (etag, {"link": headers.get("link", "")}, data)
                self._etags.move_to_end(key)
                while len(self._etags) > ETAGS_KEPT:
                    self._etags.popitem(last=False)
        return headers, data

    def send(self, verb: str, url: str, body: Any = None) -> Any:
        return self._call(verb, url, None, body)[1]

    def pages(
        self, url: str, params: Json | None = None, key: str | None = None, *, conditional: bool = False
    ) -> Iterator[Any]:
        """Every item of a paginated listing, following Link rel="next" (items under `key` if wrapped).

        https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api"""
        next_url: str | None = url
        query: Json | None = {"per_page": PAGE, **(params or {})}
        while next_url:
            headers, data = self.cached_get(next_url, query) if conditional else self._call("GET", next_url, query)
            items = data.get(key, []) if key and isinstance(data, dict) else data
            yield from items if isinstance(items, list) else []
            query, next_url = None, _next_link(headers.get("link", ""))

    # --- reads ---------------------------------------------------------------------------------
    def pull(self, repo: str, number: int) -> PullRequest:
        """Conditional: reading again a PR that did not change is a 304, which costs no rate limit."""
        return PullRequest.model_validate(self.cached_get(f"/repos/{repo}/pulls/{number}")[1])

    def repository(self, repo: str) -> Repo:
        return Repo.model_validate(self.cached_get(f"/repos/{repo}")[1])

    def installation_repos(self) -> list[str]:
        listing = self.pages("/installation/repositories", key="repositories", conditional=True)
        return [str(r["full_name"]) for r in listing]

    def open_pulls(self, repo: str) -> list[PullRequest]:
        """The open PRs; conditional, so asking again when nothing changed costs no rate limit."""
        listing = self.pages(f"/repos/{repo}/pulls", {"state": "open"}, conditional=True)
        return [PullRequest.model_validate(p) for p in listing]

    def open_pulls_among(self, repo: str, numbers: set[int]) -> dict[int, PullRequest]:
        """The open PRs among `numbers`, from the listing of open PRs, newest first (GitHub's default order), a
        page of 100 per conditional read: a landing's PRs are recent, but on launch day hundreds of newer ones
        may be open. Paging stops once every number is found or passed (what the listing passed is not open),
        or once the pages read are as many as the numbers still missing (reading those by number costs no more).
        Listed PRs lack `comments` and `changed_files`. https://docs.github.com/en/rest/pulls/pulls#list-pull-requests"""
        found: dict[int, PullRequest] = {}
        listing = self.pages(f"/repos/{repo}/pulls", {"state": "open"}, conditional=True)
        for seen, raw in enumerate(listing, 1):
            pr = PullRequest.model_validate(raw)
            if pr.number in numbers:
                found[pr.number] = pr
            missing = numbers.difference(found)
            if not missing or pr.number < min(missing) or (seen % PAGE == 0 and seen // PAGE >= len(missing)):
                break
        return found

    def compare(self, repo: str, base: str, head: str) -> Comparison:
        """Conditional: the same comparison again (a job deferred and back, the tip unmoved) is a free 304."""
        url = f"/repos/{repo}/compare/{quote(base, safe='')}...{quote(head, safe='')}"
        return Comparison.model_validate(self.cached_get(url)[1])

    def file(self, repo: str, path: str, ref: str) -> tuple[str, str] | None:
        """(text, blob sha) of a file at a ref, or None when it does not exist there."""
        url, params = f"/repos/{repo}/contents/{quote(path)}", {"ref": ref}
        try:
            # By branch name the answer may change: ask conditionally. By commit it never does (TextCache).
            data = self.get(url, params) if _SHA.match(ref) else self.cached_get(url, params)[1]
        except GithubException as exc:
            if exc.status == 404:
                return None
            raise
        if not isinstance(data, dict) or data.get("type") != "file":
            return None  # a folder, a symlink or a submodule: not a file of text
        if data.get("path", path) != path.strip("/"):
            # A symlink to a file in the repo: GitHub answers with the target's content (and path).
            # https://docs.github.com/en/rest/repos/contents#get-repository-content
            return None
        raw = base64.b64decode(data.get("content") or "")
        try:
            return raw.decode("utf-8"), str(data["sha"])
        except UnicodeDecodeError:
            # Decoded with replacement characters, the text would not be the file: what is judged, and what a
            # landing writes back, must be the bytes themselves.
            raise NotUtf8Error(path) from None

    def tree(self, repo: str, ref: str) -> list[TreeEntry]:
        found = self.get(f"/repos/{repo}/git/trees/{ref}", {"recursive": "1"})
        return [TreeEntry.model_validate(entry) for entry in found.get("tree", [])]

    def tree_listing(self, repo: str, ref: str, *, recursive: bool = True) -> tuple[list[TreeEntry], bool]:
        """Every entry under a commit, and whether GitHub cut the listing short (`truncated`: over 100,000
        entries or 7 MB). https://docs.github.com/en/rest/git/trees#get-a-tree"""
        params = {"recursive": "1"} if recursive else None  # not recursive: one folder's own entries
        found = self.get(f"/repos/{repo}/git/trees/{quote(ref, safe='')}", params)
        return [TreeEntry.model_validate(e) for e in found.get("tree", [])], bool(found.get("truncated"))

    def pulls_from(self, repo: str, branch: str) -> list[PullRequest]:
        """Every PR, open or closed, whose head is `branch` of the repo itself; conditional.
        https://docs.github.com/en/rest/pulls/pulls#list-pull-requests ("head": `user:ref-name`)"""
        owner = repo.split("/", 1)[0]
        listing = self.pages(f"/repos/{repo}/pulls", {"state": "all", "head": f"{owner}:{branch}"}, conditional=True)
        return [PullRequest.model_validate(p) for p in listing]

    def ever_had(self, repo: str, path: str, ref: str) -> bool:
        """Whether any commit in `ref`'s history touched `path`; conditional.
        https://docs.github.com/en/rest/commits/commits#list-commits ("path")"""
        _, found = self.cached_get(f"/repos/{repo}/commits", {"sha": ref, "path": path, "per_page": 1})
        return bool(found)

    def user(self, login: str) -> Account:
        return Account.model_validate(self.get(f"/users/{quote(login)}"))

    def public_member(self, org: str, login: str) -> bool:
        """Whether `login` is a public member of `org`: 204 yes, 404 no (private members read as no: only the
        public endpoint is asked). https://docs.github.com/en/rest/orgs/members#check-public-organization-membership-for-a-user
        """
        with self._lock:
            self.reads += 1
        REQUESTS.labels(str(self.installation_id), "read").inc()
        url = f"/orgs/{quote(org, safe='')}/public_members/{quote(login, safe='')}"
        with self.reach.watch():
            status, headers, raw = self.req.requestJson("GET", url)
        if status in (204, 404):
            return status == 204
        raise self.req.createException(status, headers, _json(raw))

    def branch_sha(self, repo: str, branch: str) -> str:
        return str(self.get(f"/repos/{repo}/git/ref/heads/{quote(branch)}")["object"]["sha"])

    def comments(self, repo: str, number: int) -> list[Comment]:
        return [Comment.model_validate(c) for c in self.pages(f"/repos/{repo}/issues/{number}/comments")]

    def check_run_ids(self, repo: str, sha: str, name: str) -> list[int]:
        """Our check runs on a commit, newest first.
        https://docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference"""
        url = f"/repos/{repo}/commits/{quote(sha, safe='')}/check-runs"
        return [int(r["id"]) for r in self.pages(url, {"check_name": name}, key="check_runs")]

    def repo_labels(self, repo: str) -> list[str]:
        """The repository's label names; conditional, so asking again when none changed costs no rate limit."""
        return [str(x.get("name", "")) for x in self.pages(f"/repos/{repo}/labels", conditional=True)]

    def issue_comment(self, repo: str, comment_id: int) -> Json:
        """https://docs.github.com/en/rest/issues/comments#get-an-issue-comment"""
        return dict(self.get(f"/repos/{repo}/issues/comments/{comment_id}"))

    def commits(self, repo: str, ref: str, path: str, page: int = 1) -> list[Json]:
        """One page (100, newest first) of the commits from `ref` that touched `path`; conditional.
        https://docs.github.com/en/rest/commits/commits#list-commits"""
        params = {"sha": ref, "path": path, "per_page": 100, "page": page}
        found = self.cached_get(f"/repos/{repo}/commits", params)[1]
        return [dict(c) for c in found] if isinstance(found, list) else []

    # --- writes --------------------------------------------------------------------------------
    def create_label(self, repo: str, name: str, color: str, description: str) -> None:
        """A repository label; one that exists already (422) is what we wanted.
        https://docs.github.com/en/rest/issues/labels#create-a-label"""
        try:
            self.send("POST", f"/repos/{repo}/labels", {"name": name, "color": color, "description": description})
        except GithubException as exc:
            if exc.status != 422:
                raise

    def delete_label(self, repo: str, name: str) -> None:
        """https://docs.github.com/en/rest/issues/labels#delete-a-label (one already gone, 404, is fine)"""
        try:
            self.send("DELETE", f"/repos/{repo}/labels/{quote(name, safe='')}")
        except GithubException as exc:
            if exc.status != 404:
                raise

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

    def create_branch(self, repo: str, branch: str, sha: str) -> bool:
        """Create a branch at `sha`; False when it exists already (GitHub answers 422).
        https://docs.github.com/en/rest/git/refs#create-a-reference"""
        try:
            self.send("POST", f"/repos/{repo}/git/refs", {"ref": f"refs/heads/{branch}", "sha": sha})
        except GithubException as exc:
            if exc.status == 422:
                return False
            raise
        return True

    def put_file(self, repo: str, path: str, text: str, branch: str, message: str) -> Json:
        """Create a file on a branch in one commit. https://docs.github.com/en/rest/repos/contents#create-or-update-file-contents"""
        body = {"message": message, "content": base64.b64encode(text.encode()).decode(), "branch": branch}
        return dict(self.send("PUT", f"/repos/{repo}/contents/{quote(path)}", body))

    def create_pull(self, repo: str, head: str, base: str, title: str, body: str) -> PullRequest:
        """Open a PR. https://docs.github.com/en/rest/pulls/pulls#create-a-pull-request"""
        data = self.send("POST", f"/repos/{repo}/pulls", {"head": head, "base": base, "title": title, "body": body})
        return PullRequest.model_validate(data)

    def close_pull(self, repo: str, number: int) -> None:
        self.send("PATCH", f"/repos/{repo}/pulls/{number}", {"state": "closed"})


class AppApi:
    """Calls made as the App itself (JWT): the webhook delivery log.
    https://docs.github.com/en/rest/apps/webhooks#list-deliveries-for-an-app-webhook"""

    def __init__(self, requester: Requester) -> None:
        self.req = requester

    def deliveries(self, per_page: int = 100) -> Iterator[Json]:
        """The App's deliveries, newest first, paged by `cursor` (follow Link rel="next")."""
        next_url: str | None = "/app/hook/deliveries"
        query: Json | None = {"per_page": per_page}
        while next_url:
            headers, data = self.req.requestJsonAndCheck("GET", next_url, parameters=query)
            yield from data if isinstance(data, list) else []
            query, next_url = None, _next_link(headers.get("link", ""))

    def redeliver(self, delivery_id: int) -> None:
        """https://docs.github.com/en/rest/apps/webhooks#redeliver-a-delivery-for-an-app-webhook"""
        self.req.requestJsonAndCheck("POST", f"/app/hook/deliveries/{delivery_id}/attempts")


def _json(raw: str) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return {"data": raw}


def _next_link(header: str) -> str | None:
    for part in header.split(","):
        url, _, rel = part.partition(";")
        if 'rel="next"' in rel:
            return url.strip().strip("<>")
    return None
