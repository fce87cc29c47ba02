"""The comment a landed PR is owed (the thank-you), kept in the store until the content budget lets it go.

A landing is the signer's outcome: GitHub shows the PR merged. The thank-you (`report.thank_you`) is one
more content-creating write per signer, and at launch-day rates there are more signers than GitHub's 500
such writes an hour allow. So the landing records what each landed PR is owed before it forgets the PR, and
the comments are posted at the thank-you's own priority, the lowest (app.github.window): after landings and
every report, in the hour's room those leave, never while a report waits for the budget, and never lost.
Posting one twice is a no-op (the Reporter's digest)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from app.github.budget import BudgetShortError, Use, spending
from app.jobs.store import Keys, Store
from app.review.report import Reporter


@dataclass(frozen=True)
class Owed:
    """One landed PR's comment: its body, whether it may create a comment (else only edit ours), and how
    many comments the PR had when it was read (0: none to look for)."""

    number: int
    body: str
    create: bool
    comments: int = 0


class Thanks:
    """Each repo's owed comments, as JSON in the shared store, edited under a short lock (as app.jobs.ready)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _edit(self, repo: str, fn: Callable[[dict[str, Any]], None]) -> None:
        self.store.edit_json(Keys.thanks(repo), Keys.thanks_lock(repo), fn)

    def owe(self, repo: str, owed: list[Owed]) -> None:
        if owed:
            self._edit(repo, lambda d: d.update({str(o.number): asdict(o) for o in owed}))

    def items(self, repo: str) -> list[Owed]:
        data = json.loads(self.store.get(Keys.thanks(repo)) or "{}")
        return sorted((Owed(**v) for v in data.values()), key=lambda o: o.number)

    def drop(self, repo: str, done: Owed) -> None:
        def remove(data: dict[str, Any]) -> None:
            if data.get(str(done.number), {}).get("body") == done.body:  # a newer one owed stays
                del data[str(done.number)]

        self._edit(repo, remove)

    def pay(self, repo: str, reporter: Reporter) -> float | None:
        """Post what is owed, oldest PR first: None when all went, else the seconds until the budget has
        room for the next (what is left stays owed). Until the time the budget named, it is not asked again:
        each refusal would move the comments' turn further back."""
        owed_now = self.items(repo)
        turn = float(self.store.get(Keys.thanks_turn(repo)) or 0) - time.time()
        if owed_now and turn > 0:
            return turn
        # A store that does not outlive the process (an Action run's) cannot owe: there the thank-you is
        # paid at the landing's priority, as part of it (what a short budget still refuses is not posted).
        use: Use = "thanks" if self.store.durable else "landing"
        for owed in owed_now:
            try:
                with spending(use):
                    reporter.comment_on(owed.number, owed.comments, owed.body, only_if_exists=not owed.create)
            except BudgetShortError as short:
                wait = max(short.retry_in, 0.05)
                self.store.put(Keys.thanks_turn(repo), f"{time.time() + wait:.3f}", ttl=wait + 60)
                return wait
            self.drop(repo, owed)
        return None
