"""Batch reads over GitHub's GraphQL API: what evaluating a burst of one letter's PRs needs, one query per 100 PRs.

One query (`pulls_query`) reads, for up to 100 PRs, each one's head, its commit and that commit's parent, its
changed files, and the letter's tree entry at the parent, the head and the default branch's tip; a second
(`blobs_query`) reads the letter's texts by blob id, each distinct blob once. GraphQL has no merge base: a PR of
exactly one commit with exactly one parent has that parent as its merge base (every other commit of the head is
in the base). Anything else, or anything we cannot see completely, is `Unusable` and the caller reads it over
REST as before (principle 1). Every text is kept only if its git blob id is the one GitHub gave.
https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from github import GithubException
from github.Requester import Requester
from prometheus_client import Counter

from app.github.patches import is_blob

PAGE = 100  # PRs per query, and files per PR: GitHub's `first` goes to 100
MAX_LINES = 200  # lines changed in the letter: more and GitHub's compare may leave out the patch (REST decides)
MAX_BYTES = 4_000_000  # letter bytes per blobs query
TEXT_MODES = (0o100644, 0o100755)
NOT_TEXT = ""  # a letter path that is there but is no plain text file (a symbolic link, a binary, a folder)
_OID = re.compile(r"^[0-9a-f]{40}$")  # SHA-1 repositories (a SHA-256 blob id cannot be checked here)
TRIES, BACKOFF = 4, 0.5  # a query's attempts after a 5xx or no answer, and the first wait between them (s)
QUERIES = Counter("undersigned_github_graphql_total", "GitHub GraphQL queries", ["kind"])
POINTS = Counter("undersigned_github_graphql_points_total", "GitHub GraphQL rate-limit points spent")

_ENTRY = (
    "fragment Entry on TreeEntry { mode type oid object { __typename ... on Blob { byteSize isBinary isTruncated } } }"
)
_HEAD = _ENTRY.replace("fragment Entry", "fragment Head").replace("isTruncated", "isTruncated text")
_PULL = """fragment Pull on PullRequest {
  number state headRefOid baseRefName changedFiles
  commits(first: 1) { totalCount nodes { commit { oid file(path: $path) { ...HEAD }
    parents(first: 1) { totalCount nodes { oid file(path: $path) { ...Entry } } } } } }
  files(first: 100) { totalCount pageInfo { hasNextPage } nodes { path changeType additions deletions } }
}"""


def pulls_query(numbers: list[int], *, texts: bool = False) -> str:
    """The query for these PRs (aliases p<number>); variables: owner, name, path. With `texts`, each head's
    letter comes with its text (a PR's own: no other PR shares it), saving the blobs query for small batches."""
    pulls = "\n    ".join(f"p{int(n)}: pullRequest(number: {int(n)}) {{ ...Pull }}" for n in numbers)
    return f"""query Pulls($owner: String!, $name: String!, $path: String!) {{
  rateLimit {{ cost limit remaining resetAt }}
  repository(owner: $owner, name: $name) {{
    defaultBranchRef {{ name target {{ oid ... on Commit {{ file(path: $path) {{ ...Entry }} }} }} }}
    {pulls}
  }}
}}
{_ENTRY}
{_HEAD if texts else ""}
{_PULL.replace("HEAD", "Head" if texts else "Entry")}"""


def blobs_query(oids: list[str]) -> str:
    """The query for these blobs (aliases b0, b1...); variables: owner, name."""
    blobs = "\n    ".join(
        f'b{i}: object(oid: "{oid}") {{ __typename ... on Blob {{ oid isBinary isTruncated text }} }}'
        for i, oid in enumerate(oids)
        if _OID.match(oid)
    )
    return f"""query Blobs($owner: String!, $name: String!) {{
  rateLimit {{ cost limit remaining resetAt }}
  repository(owner: $owner, name: $name) {{
    {blobs}
  }}
}}"""


@dataclass(frozen=True)
class Rate:
    """The GraphQL budget after a query: what it cost, what is left, when it refills (epoch seconds)."""

    cost: int
    limit: int
    remaining: int
    reset_at: float


@dataclass(frozen=True)
class Pull:
    """What one PR's evaluation needs, seen completely: its letter is `path`, changed `status` (modified or
    added) and nothing else; blob ids of the letter at the merge base (None: absent), the head and the tip."""

    number: int
    head: str
    merge_base: str
    tip: str
    status: str
    blobs: tuple[str | None, str, str | None]


@dataclass(frozen=True)
class Unusable:
    """Why a PR is read over REST instead (a word for the logs)."""

    number: int
    why: str


class GraphQLError(RuntimeError):
    """GitHub answered with errors (or not at all): the batch is read over REST. `resume_at`: past the primary
    limit (RATE_LIMITED, still a 200), when the budget refills (epoch seconds)."""

    def __init__(self, message: str, resume_at: float = 0.0) -> None:
        super().__init__(message)
        self.resume_at = resume_at


def post(req: Requester, query: str, variables: dict[str, Any]) -> tuple[dict[str, Any], Rate | None]:
    """One query; its data and the budget it left. Any error raises GraphQLError (the batch falls back)."""
    QUERIES.labels("query").inc()
    headers, answer = _send(req, {"query": query, "variables": variables})
    errors = answer.get("errors") if isinstance(answer, dict) else None
    # A PR that is gone (NOT_FOUND, at its own alias) is null, and read over REST: the others stand.
    serious = [e for e in errors or [] if not (isinstance(e, dict) and _gone_pull(e))]
    if not isinstance(answer, dict) or serious or not isinstance(answer.get("data"), dict):
        QUERIES.labels("error").inc()
        limited = any(isinstance(e, dict) and e.get("type") == "RATE_LIMITED" for e in serious)
        resume = float(headers.get("x-ratelimit-reset") or 0) if limited else 0.0
        raise GraphQLError(str(serious)[:300] if serious else "no data", resume)
    data: dict[str, Any] = answer["data"]
    rate = _rate(data.get("rateLimit"))
    if rate is not None:
        POINTS.inc(rate.cost)
    return data, rate


def _send(req: Requester, body: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The query, sent again after a 5xx or no answer (a query changes nothing; the transport resends no POST:
    app.github.retry), TRIES times in all, BACKOFF seconds apart and doubling; then GraphQLError."""
    for attempt in range(TRIES):
        try:
            headers, answer = req.requestJsonAndCheck("POST", req.graphql_url, input=body)
            return headers, answer
        except GithubException as exc:
            if exc.status < 500 or attempt == TRIES - 1:
                raise
        except OSError as exc:  # requests' timeouts and connection errors
            if attempt == TRIES - 1:
                raise GraphQLError(f"no answer: {type(exc).__name__}") from exc
        time.sleep(BACKOFF * 2**attempt)
    raise AssertionError("unreachable")  # the last attempt returns or raises


def _gone_pull(error: dict[str, Any]) -> bool:
    where = error.get("path")
    return error.get("type") == "NOT_FOUND" and isinstance(where, list) and len(where) == 2 and where[0] == "repository"


def _rate(found: Any) -> Rate | None:
    if not isinstance(found, dict):
        return None
    try:
        reset = datetime.fromisoformat(str(found["resetAt"]).replace("Z", "+00:00")).timestamp()
        return Rate(int(found["cost"]), int(found["limit"]), int(found["remaining"]), reset)
    except (KeyError, TypeError, ValueError):
        return None


@dataclass
class Seen:
    """What a PRs query showed of the letter's blobs: each one's byte size, and the texts it carried (checked)."""

    sizes: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


def read_pulls(
    req: Requester, repo: str, numbers: list[int], path: str, *, texts: bool = False
) -> tuple[list[Pull | Unusable], Seen, Rate | None]:
    """Each PR as a Pull or Unusable, and what the query showed of the blobs they need."""
    owner, name = repo.split("/", 1)
    data, rate = post(req, pulls_query(numbers, texts=texts), {"owner": owner, "name": name, "path": path})
    repository = data.get("repository") or {}
    branch = repository.get("defaultBranchRef") or {}
    target = branch.get("target") or {}
    seen = Seen()
    tip_blob = _text_entry(target.get("file"), seen)
    out: list[Pull | Unusable] = []
    for n in numbers:
        if tip_blob == NOT_TEXT or not isinstance(target.get("oid"), str):
            out.append(Unusable(n, "tip"))
            continue
        found = _pull(repository.get(f"p{n}"), n, path, str(branch.get("name")), seen)
        if isinstance(found, Unusable):
            out.append(found)
            continue
        head, merge_base, status, base_blob, head_blob = found
        out.append(Pull(n, head, merge_base, str(target["oid"]), status, (base_blob, head_blob, tip_blob)))
    return out, seen, rate


def _pull(pr: Any, n: int, path: str, default: str, seen: Seen) -> Unusable | tuple[str, str, str, str | None, str]:
    """(head, merge base, status, letter blob at the merge base, at the head), or why not."""
    if not isinstance(pr, dict):
        return Unusable(n, "missing")
    if pr.get("state") != "OPEN" or pr.get("baseRefName") != default:
        return Unusable(n, "not open on the default branch")
    commits = pr.get("commits") or {}
    nodes = commits.get("nodes") or []
    if commits.get("totalCount") != 1 or len(nodes) != 1:
        return Unusable(n, "commits")  # more than one commit: the merge base cannot be derived
    commit = (nodes[0] or {}).get("commit") or {}
    parents = commit.get("parents") or {}
    if commit.get("oid") != pr.get("headRefOid") or parents.get("totalCount") != 1:
        return Unusable(n, "parents")
    files = pr.get("files") or {}
    listed = files.get("nodes") or []
    complete = files.get("totalCount") == pr.get("changedFiles") == len(listed)
    if not complete or (files.get("pageInfo") or {}).get("hasNextPage"):
        return Unusable(n, "files incomplete")
    if len(listed) != 1 or listed[0].get("path") != path:
        return Unusable(n, "other files")  # renames and copies too (no old path in GraphQL): REST judges them
    change = listed[0]
    status = {"MODIFIED": "modified", "ADDED": "added"}.get(str(change.get("changeType")))
    if status is None or int(change.get("additions", 0)) + int(change.get("deletions", 0)) > MAX_LINES:
        return Unusable(n, "change")
    parent = (parents.get("nodes") or [{}])[0] or {}
    base_blob, head_blob = _text_entry(parent.get("file"), seen), _text_entry(commit.get("file"), seen)
    if NOT_TEXT in (base_blob, head_blob) or head_blob is None or (base_blob is None) != (status == "added"):
        return Unusable(n, "not a text file")
    if base_blob == head_blob or not isinstance(parent.get("oid"), str):
        return Unusable(n, "mode")
    return str(pr["headRefOid"]), str(parent["oid"]), status, base_blob, head_blob


def _text_entry(entry: Any, seen: Seen) -> str | None:
    """A letter's blob id (None: no such path), or NOT_TEXT when it is not a plain text file we can check."""
    if entry is None:
        return None
    blob = entry.get("object") if isinstance(entry, dict) else None
    if not isinstance(blob, dict) or blob.get("__typename") != "Blob" or entry.get("type") != "blob":
        return NOT_TEXT  # a folder, a submodule
    oid = str(entry.get("oid"))
    if entry.get("mode") not in TEXT_MODES or blob.get("isBinary") or blob.get("isTruncated") or not _OID.match(oid):
        return NOT_TEXT  # a symbolic link, a binary file, a text GitHub cuts short
    seen.sizes[oid] = int(blob.get("byteSize") or 0)
    text = _checked({**blob, "oid": oid}, oid) if "text" in blob else None
    if text is not None:
        seen.texts[oid] = text
    return oid


def read_blobs(req: Requester, repo: str, sizes: dict[str, int]) -> dict[str, str]:
    """The text of each blob, in queries of at most MAX_BYTES; only texts whose blob id checks out."""
    owner, name = repo.split("/", 1)
    texts: dict[str, str] = {}
    chunk: list[str] = []
    total = 0
    for oid, size in [*sizes.items(), ("", 0)]:
        if chunk and (not oid or total + size > MAX_BYTES or len(chunk) >= PAGE):
            data, _ = post(req, blobs_query(chunk), {"owner": owner, "name": name})
            found = data.get("repository") or {}
            for i, want in enumerate(chunk):
                text = _checked((found.get(f"b{i}") or {}), want)
                if text is not None:
                    texts[want] = text
            chunk, total = [], 0
        if oid and size <= MAX_BYTES:
            chunk.append(oid)
            total += size
    return texts


def _checked(blob: dict[str, Any], oid: str) -> str | None:
    """The blob's text, if it is exactly the blob's bytes (not binary, not cut, not re-encoded)."""
    text = blob.get("text")
    if blob.get("oid") != oid or blob.get("isBinary") or blob.get("isTruncated") or not isinstance(text, str):
        return None
    return text if is_blob(text, oid) else None
