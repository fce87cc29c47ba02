"""The store's second implementation: what GitHub already holds is read back from it, not remembered.

The review and landing layers keep a little state through the Store interface (get, put, claim, lock,
same, remember). The App's Store keeps it in SQLite or Redis between jobs. An Action run has nowhere to keep
anything between runs, so this one keeps the run's own notes in memory (locks, the ready set, the check a
valid head is owed while it lands) and answers the two questions whose answer lives on GitHub from GitHub:
  - `check:{repo}:{sha}`: our check run on a head, found by name on the commit (learnt for many heads at
    once in one GraphQL query, app.action.checks, else one REST read per head);
  - `check-digest:{repo}:{sha}`: whether that run already says what we would post (so a re-run of the same
    verdict writes nothing).
Our one comment is found by its hidden marker already (app.review.report), the ledger is a file, and the
open PRs are listed. What one run leaves the next, how far its catch-up got and the hour's writes, is a check
run of ours on the default branch's tip (app.action.watermark). https://docs.github.com/en/rest/checks/runs
"""

from __future__ import annotations

import ast
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from app.action.checks import read_runs
from app.action.memory import MemoryBackend
from app.action.tally import Tally, latest
from app.action.watermark import Watermark
from app.github.api import Api
from app.jobs.store import Store
from app.review.render import CHECK_NAME


class GitHubStore(Store):
    """A Store for one Action run: memory for the run, GitHub for what GitHub holds."""

    durable = False  # nothing outlives the run: what it would owe (a thank-you) is paid now or not at all

    def __init__(self, api: Api, *, bulk: bool = False) -> None:
        """`bulk`: learn our runs on many heads in one GraphQL query (learn) rather than one read each."""
        self.memory = MemoryBackend()
        super().__init__(self.memory)
        self.api, self.bulk = api, bulk
        self.runs: dict[tuple[str, str], dict[str, Any] | None] = {}  # (repo, head) -> our newest run, as read
        self.posted: set[tuple[str, str]] = set()  # heads this run posted to: the run as read is out of date
        self.comments: dict[tuple[str, int], int] = {}  # (repo, PR) -> its issue comments, as learnt

    def our_run(self, repo: str, sha: str) -> dict[str, Any] | None:
        """Our newest check run on `sha` (one read per head per run; what this run posts is known locally)."""
        key = (repo.lower(), sha)
        if key not in self.runs:
            url = f"/repos/{repo}/commits/{quote(sha, safe='')}/check-runs"
            found = next(iter(self.api.pages(url, {"check_name": CHECK_NAME}, key="check_runs")), None)
            self.runs[key] = found if isinstance(found, dict) else None
        return self.runs[key]

    def learn(self, repo: str, heads: list[str], numbers: Sequence[int] = ()) -> None:
        """Our newest run on each of these heads not known yet, in one GraphQL query (app.action.checks); a
        head it does not answer is read over REST when asked (our_run). With it, the comment count of the PRs
        `numbers` (see comment_count)."""
        key = repo.lower()
        wanted = [sha for sha in dict.fromkeys(heads) if (key, sha) not in self.runs]
        if self.bulk and (wanted or numbers):
            runs, comments = read_runs(self.api.req, repo, wanted, CHECK_NAME, numbers)
            for sha, run in runs.items():
                self.runs[(key, sha)] = run
            self.comments.update({(key, number): count for number, count in comments.items()})

    def newest_tally(self, mark: Watermark | None) -> Tally:
        """The newest tally of the earlier runs' writes: the watermark's, or a stamp on a check run of ours
        learnt so far (app.action.tally)."""
        stamps = [Tally.unstamp(run.get("external_id")) for run in self.runs.values() if run is not None]
        found = [*([mark.tally] if mark is not None else []), *[t for t in stamps if t is not None]]
        return latest(found, time.time())

    def comment_count(self, repo: str, number: int) -> int | None:
        """The issue comments on PR `number` as learnt (None: not learnt). With the listing's PR, it makes the
        PR as `GET /pulls/N` gives it, for what an evaluation reads (our one comment is looked for when there
        are comments): the catch-up's PRs need no read each."""
        return self.comments.get((repo.lower(), number))

    def get(self, key: str) -> str | None:
        value = super().get(key)
        target = _target(key, "check")
        if value is None and target is not None and (run := self.our_run(*target)) is not None:
            value = str(run["id"])
            super().put(key, value)
        return value

    def same(self, key: str, content: str) -> bool:
        if super().same(key, content):
            return True
        target = _target(key, "check-digest")
        if target is None or (target[0].lower(), target[1]) in self.posted:
            return False
        run = self.our_run(*target)
        return run is not None and says(run, content)

    def remember(self, key: str, content: str) -> None:
        super().remember(key, content)
        if (target := _target(key, "check-digest")) is not None:
            self.posted.add((target[0].lower(), target[1]))


def _target(key: str, kind: str) -> tuple[str, str] | None:
    """(repo, sha) from a `kind:{repo}:{sha}` key of app.jobs.keys (repo names hold no colon)."""
    parts = key.split(":")
    return (parts[1], parts[2]) if len(parts) == 3 and parts[0] == kind else None


def says(run: dict[str, Any], content: str) -> bool:
    """Whether the check run as GitHub shows it is the report `content` stands for (the Reporter's
    `repr((conclusion, title, summary, annotations))`); annotations are compared by count, as listed."""
    try:
        conclusion, title, summary, annotations = ast.literal_eval(content)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    output = run.get("output") or {}
    return (
        run.get("status") == "completed"
        and run.get("conclusion") == conclusion
        and output.get("title") == title
        and output.get("summary") == summary
        and output.get("annotations_count") == len(annotations)
    )
