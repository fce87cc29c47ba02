"""The catch-up's watermark, kept on GitHub: every open PR updated before it has a verdict of ours (or landed).

An Action run keeps nothing between runs, and pending runs of one concurrency group cancel each other, so a
run's catch-up finds the PRs of cancelled runs. Reading every open PR's check run is one request per PR per
run, and open invalid PRs pile up (a spam wave: hundreds). So a run that caught up completely (nothing
failed, nothing left for later) records how far: the newest `updated_at` among the open PRs it listed. The
next run lists only the PRs updated since (the listing sorted by update, newest first: one page), and reads
the check runs of those alone. A PR's run can only be cancelled by a later event, and every event that
starts a run (a push, an edit, a reopen, a comment) updates the PR, so what a cancelled run owed is always
updated after the last watermark. https://docs.github.com/en/rest/pulls/pulls#list-pull-requests

Where: a check run of ours named `STATE_NAME` on the default branch's tip, its `external_id` holding the
state (GitHub lists it with the check run: one read). When the tip moves (a landing, a maintainer's push),
the state is gone until a run writes it again on the new tip; until then a run reads everything, as it
would without a watermark. The configuration's fingerprint is kept too: under another config every verdict
may change, so a run that finds a different one reads everything. https://docs.github.com/en/rest/checks/runs
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from app.action.tally import Tally
from app.github.api import Api
from app.github.models import PullRequest

STATE_NAME = "undersigned catch-up"
VERSION = "v2"  # v2: the tally counts content writes by when (app.action.tally)
MARGIN = 1.0  # seconds before the newest update seen: a listing may lag a PR updated that very second
FULL_EVERY = 6 * 3600.0  # a scheduled run reads every open PR again at least this often (seconds)


@dataclass(frozen=True)
class Watermark:
    """`since`: every open PR updated before it (epoch seconds) is decided; `full_at`: when a run last read
    every open PR; `config`: the fingerprint of the config they were decided under; `tally`: see Tally."""

    since: float
    full_at: float
    config: str
    tally: Tally = field(default_factory=Tally)

    def encode(self) -> str:
        return f"{VERSION}:{self.since:.0f}:{self.full_at:.0f}:{self.config}:{self.tally.encode()}"

    @staticmethod
    def decode(text: object) -> Watermark | None:
        """The state from a check run's external_id; None for anything else (a foreign or older format)."""
        parts = text.split(":") if isinstance(text, str) else []
        if len(parts) != 8 or parts[0] != VERSION or not parts[1].isdigit() or not parts[2].isdigit():
            return None
        tally = Tally.decode(parts[4:])
        return None if tally is None else Watermark(float(parts[1]), float(parts[2]), parts[3], tally)


def read(api: Api, repo: str, branch: str) -> tuple[Watermark | None, dict[str, Any] | None]:
    """The watermark on `branch`'s tip (one read), and the check run holding it (None: none there)."""
    url = f"/repos/{repo}/commits/{quote(branch, safe='')}/check-runs"  # a branch name: its tip
    found = next(iter(api.pages(url, {"check_name": STATE_NAME}, key="check_runs")), None)
    if not isinstance(found, dict):
        return None, None
    return Watermark.decode(found.get("external_id")), found


def write(api: Api, repo: str, branch: str, mark: Watermark, held_by: dict[str, Any] | None, *, moved: bool) -> None:
    """Record `mark` on `branch`'s tip: the check run already there is updated, else one is created (the tip
    is read first: it moves with every landing). A run that did not move the tip (`moved`: it landed) updates
    the run it read the watermark from without reading the tip: should a maintainer have pushed meanwhile, the
    next run finds no watermark on the new tip and reads every open PR, as it would without one."""
    summary = (
        "undersigned's own bookkeeping for its GitHub Action: every open pull request updated before "
        f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(mark.since))} has a verdict, so a run looks only "
        "at the pull requests updated since. Nothing to do here."
    )
    output = {"title": "Caught up", "summary": summary}
    body = {"name": STATE_NAME, "status": "completed", "conclusion": "neutral", "external_id": mark.encode()}
    tip = api.branch_sha(repo, branch) if moved or held_by is None else held_by.get("head_sha")
    if held_by is not None and held_by.get("head_sha") == tip:
        api.update_check_run(repo, int(held_by["id"]), {**body, "output": output})
        return
    api.create_check_run(repo, {**body, "head_sha": tip, "output": output})


def updated_since(api: Api, repo: str, since: float) -> tuple[list[tuple[PullRequest, float]], float]:
    """The open PRs updated at or after `since`, each with its `updated_at` (newest first, read page by page
    until an older one), and the newest `updated_at` among them (`since` when there is none)."""
    found: list[tuple[PullRequest, float]] = []
    newest = since
    params = {"state": "open", "sort": "updated", "direction": "desc"}
    for raw in api.pages(f"/repos/{repo}/pulls", params):
        updated = stamp(raw.get("updated_at"))
        if updated is not None and updated < since:
            break
        newest = max(newest, updated or since)  # an unreadable time: looked at, and moves nothing
        found.append((PullRequest.model_validate(raw), since if updated is None else updated))
    return found, newest


def stamp(value: object) -> float | None:
    """Epoch seconds of one of GitHub's ISO 8601 timestamps (None for anything else)."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
