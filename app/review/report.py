"""Report a verdict on the PR: one check run per head, one comment edited in place, labels in sync."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from app.github.api import Api
from app.github.budget import BudgetShortError
from app.github.models import Label, PullRequest
from app.jobs.store import Keys, Store
from app.review.render import CHECK_NAME, MARKER, CheckReport
from config import Config

ANNOTATIONS_PER_REQUEST = 50  # GitHub's cap: further updates append more
INTENT_KEPT = 7 * 86400.0  # seconds a comment being made is remembered: past a job's last retry


class Reporter:
    """Writes to one repo. Each write is skipped when it would repeat the last, so replays cost nothing."""

    def __init__(self, api: Api, repo: str, store: Store) -> None:
        self.api, self.repo, self.store = api, repo, store

    def check(self, head_sha: str, report: CheckReport) -> None:
        self._post(head_sha, report)
        self.store.delete(Keys.check_deferred(self.repo, head_sha))  # posted: nothing is owed any more

    def check_later(self, head_sha: str, report: CheckReport) -> None:
        """Owe this head `report` instead of posting it: the PR is about to land, and a merged PR is its
        own outcome. Whoever does not land it pays with `settle_check` (or posts another check). A head
        that already shows a check gets this one now, so a stale failure never waits on a landing."""
        if self.store.get(Keys.check_run(self.repo, head_sha)) is not None:
            self.check(head_sha, report)
            return
        self.store.put(Keys.check_deferred(self.repo, head_sha), json.dumps(asdict(report)))

    def settle_check(self, head_sha: str) -> None:
        """Post the check this head is owed, if any: it did not land (yet)."""
        owed = self.store.get(Keys.check_deferred(self.repo, head_sha))
        if owed is not None:
            data = json.loads(owed)
            self.check(head_sha, CheckReport(**{**data, "annotations": tuple(data["annotations"])}))

    def forget_check(self, head_sha: str) -> None:
        """Nothing is owed: the head landed (shown merged), or it is no longer the PR's head."""
        self.store.delete(Keys.check_deferred(self.repo, head_sha))

    def _post(self, head_sha: str, report: CheckReport) -> None:
        digest_key = Keys.check_digest(self.repo, head_sha)
        content = repr((report.conclusion, report.title, report.summary, report.annotations))
        if self.store.same(digest_key, content):
            return
        annotations = list(report.annotations)
        output: dict[str, Any] = {"title": report.title, "summary": report.summary}
        output["annotations"] = annotations[:ANNOTATIONS_PER_REQUEST]
        body = {"name": CHECK_NAME, "head_sha": head_sha, "status": "completed", "conclusion": report.conclusion}
        run_key = Keys.check_run(self.repo, head_sha)
        run_id = self.store.get(run_key)
        intent = Keys.check_intent(self.repo, head_sha)
        if run_id is None and self.store.get(intent) is not None:
            # A run of this job died between creating the check run and recording its id: find it.
            found = self.api.check_run_ids(self.repo, head_sha, CHECK_NAME)
            run_id = str(found[-1]) if found else None
        if run_id is None:
            self.store.put(intent, "1")
            try:
                created = self.api.create_check_run(self.repo, {**body, "output": output})
            except BudgetShortError:
                self.store.delete(intent)  # refused before anything was sent: there is no run to look for
                raise
            run_id = str(created["id"])
            self.store.put(run_key, run_id)
        else:
            self.api.update_check_run(self.repo, int(run_id), {**body, "output": output})
        for start in range(ANNOTATIONS_PER_REQUEST, len(annotations), ANNOTATIONS_PER_REQUEST):
            more = {**output, "annotations": annotations[start : start + ANNOTATIONS_PER_REQUEST]}
            self.api.update_check_run(self.repo, int(run_id), {"output": more})
        self.store.remember(digest_key, content)

    def comment(self, pr: PullRequest, body: str, *, only_if_exists: bool, enabled: bool = True) -> None:
        """Create or edit our one comment. With `only_if_exists`, a PR without one gets none; with
        `enabled` false (report.comment: false), no comment at all: the check run says it all."""
        if enabled:
            self.comment_on(pr.number, pr.comments, body, only_if_exists=only_if_exists)

    def comment_on(self, number: int, comments: int, body: str, *, only_if_exists: bool) -> None:
        """`comment` on PR `number`, which had `comments` comments when read (0: there is none to look for)."""
        digest_key = Keys.comment_digest(self.repo, number)
        if self.store.same(digest_key, body):
            return
        id_key, intent = Keys.comment(self.repo, number), Keys.comment_intent(self.repo, number)
        comment_id = self.store.get(id_key)
        if comment_id is None and (comments > 0 or self.store.get(intent) is not None):
            # An attempt that failed (a timeout, a 502) may have made the comment: find it, never make a second.
            comment_id = self._find(number)
            if comment_id is not None:
                self.store.put(id_key, comment_id)
        if comment_id is None:
            if only_if_exists:
                return
            self.store.put(intent, "1", ttl=INTENT_KEPT)
            try:
                created = self.api.create_comment(self.repo, number, body)
            except BudgetShortError:
                self.store.delete(intent)  # refused before anything was sent
                raise
            self.store.put(id_key, str(created["id"]))
            self.store.delete(intent)
        else:
            self.api.edit_comment(self.repo, int(comment_id), body)
        self.store.remember(digest_key, body)

    def _find(self, number: int) -> str | None:
        for comment in self.api.comments(self.repo, number):
            if comment.user is not None and comment.user.type == "Bot" and comment.body.startswith(MARKER):
                return str(comment.id)
        return None

    def labels(self, pr: PullRequest, config: Config, role: str | None) -> None:
        """Make our labels say `role` ("valid", "invalid", "landed", or None for none of them). Labels
        are added and removed one by one, so a maintainer's label added meanwhile is never clobbered."""
        mapping = config.report.labels
        ours = {name for name in mapping.values() if name}
        wanted = mapping.get(role) if role else None  # type: ignore[call-overload]
        current = pr.label_names
        stale = [name for name in current if name in ours and name != wanted]
        for name in stale:
            self.api.remove_label(self.repo, pr.number, name)
        missing = wanted is not None and wanted not in current
        if missing:
            self.api.add_labels(self.repo, pr.number, [str(wanted)])
        pr.labels = [label for label in pr.labels if label.name not in stale]
        if missing:
            pr.labels.append(Label(name=str(wanted)))
