"""Our check run on many heads in one GraphQL query, instead of one REST read per head before its report.

A run must know whether a head already shows our check run (to edit it in place, or to take it as decided).
Over REST that is one `GET /commits/{sha}/check-runs` per head; here one query asks up to PAGE heads, each
commit's check suites (GITHUB_TOKEN's runs are in the GitHub Actions app's suite) and, in each, the latest
run of our name. GraphQL has a budget of its own (for GITHUB_TOKEN, 1,000 points an hour per repository), so
the REST hour is kept for the reads and writes that need it. A head whose answer is incomplete (more suites
than asked, an error) is left out, and read over REST as before.
https://docs.github.com/en/graphql/reference/objects#commit (checkSuites)
https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from github import GithubException
from github.Requester import Requester

from app.github.graphql import GraphQLError, post
from app.logs import event

log = logging.getLogger("undersigned.action")
PAGE = 100  # heads per query (GitHub's cap on `first` is per connection; aliases are bounded by the cost)
SUITES = 3  # check suites asked per commit: more, and that head is read over REST
POINTS_RESERVE = 50  # GraphQL points left for anything else: below it, heads are read over REST
_OID = re.compile(r"^[0-9a-f]{40}$")

_RUN = "databaseId name status conclusion title summary externalId annotations(first: 1) { totalCount }"
_COMMIT = (
    "... on Commit {{ checkSuites(first: {suites}) {{ totalCount nodes {{ "
    "checkRuns(first: 1, filterBy: {{checkName: $check, checkType: LATEST}}) {{ nodes {{ {run} }} }} }} }} }}"
)


def checks_query(heads: list[str], numbers: Sequence[int] = ()) -> str:
    """The query for these heads (aliases h0, h1...) and these PRs' comment counts (p0, p1...); variables:
    owner, name, check (our check run's name)."""
    commit = _COMMIT.format(suites=SUITES, run=_RUN)
    objects = "\n    ".join(
        [f'h{i}: object(oid: "{sha}") {{ {commit} }}' for i, sha in enumerate(heads)]
        + [f"p{i}: pullRequest(number: {n}) {{ comments(first: 1) {{ totalCount }} }}" for i, n in enumerate(numbers)]
    )
    return f"""query Checks($owner: String!, $name: String!, $check: String!) {{
  rateLimit {{ cost limit remaining resetAt }}
  repository(owner: $owner, name: $name) {{
    {objects}
  }}
}}"""


def read_runs(
    req: Requester, repo: str, heads: list[str], name: str, numbers: Sequence[int] = ()
) -> tuple[dict[str, dict[str, Any] | None], dict[int, int]]:
    """Each head's newest check run named `name`, in REST's shape (id, name, status, conclusion, output's
    title, summary and annotations_count), None when it has none; heads not answered completely are absent.
    And, in the same queries, the issue comments on each of the PRs `numbers` (REST's `comments`, which the
    listing of PRs leaves out): PRs not answered are absent.
    (The Action's Requester keeps REST's rate-limit figures through a GraphQL call: app.action.hourly.)"""
    found: dict[str, dict[str, Any] | None] = {}
    comments: dict[int, int] = {}
    wanted = [h for h in dict.fromkeys(heads) if _OID.match(h)]
    prs = list(dict.fromkeys(n for n in numbers if n > 0))
    owner, repo_name = repo.split("/", 1)
    for start in range(0, max(len(wanted), len(prs)), PAGE):
        chunk, pulls = wanted[start : start + PAGE], prs[start : start + PAGE]
        query = checks_query(chunk, pulls)
        try:
            data, rate = post(req, query, {"owner": owner, "name": repo_name, "check": name})
        except (GraphQLError, GithubException) as exc:
            why = str(exc)[:200]
            event(log, "check runs not read in bulk", logging.WARNING, repo=repo, heads=len(chunk), error=why)
            return found, comments
        repository = data.get("repository") or {}
        for i, sha in enumerate(chunk):
            complete, answer = _run(repository.get(f"h{i}"))
            if complete:
                found[sha] = answer
        for i, number in enumerate(pulls):
            count = ((repository.get(f"p{i}") or {}).get("comments") or {}).get("totalCount")
            if isinstance(count, int) and count >= 0:
                comments[number] = count
        if rate is not None and rate.remaining < POINTS_RESERVE:
            break  # the rest over REST: GraphQL's hour is nearly spent
    return found, comments


def newest(commit: Any) -> tuple[bool, dict[str, Any] | None]:
    """Whether a commit's answer lists all its check suites, and the newest run they show (as GraphQL gave it;
    None: none). Incomplete: no such commit, an error at its alias, or more suites than asked."""
    suites = commit.get("checkSuites") if isinstance(commit, dict) else None
    if not isinstance(suites, dict) or not isinstance(suites.get("nodes"), list):
        return False, None
    if suites.get("totalCount", 0) > len(suites["nodes"]):
        return False, None  # ours may be among the others
    runs = [r for s in suites["nodes"] for r in ((s or {}).get("checkRuns") or {}).get("nodes") or [] if r]
    if not runs:
        return True, None
    run = max(runs, key=lambda r: int(r.get("databaseId") or 0))
    return (True, run) if isinstance(run.get("databaseId"), int) else (False, None)


def _run(commit: Any) -> tuple[bool, dict[str, Any] | None]:
    """Whether the answer is complete, and our newest run on this commit (REST's shape; None for none)."""
    complete, run = newest(commit)
    if run is None:
        return complete, None
    return True, {
        "id": run["databaseId"],
        "name": run.get("name"),
        "status": str(run.get("status") or "").lower(),
        "conclusion": str(run["conclusion"]).lower() if run.get("conclusion") else None,
        "external_id": run.get("externalId"),  # a stamp: the run's tally (app.action.tally)
        "output": {
            "title": run.get("title"),
            "summary": run.get("summary"),
            "annotations_count": (run.get("annotations") or {}).get("totalCount"),
        },
    }
