"""Report a verdict on the PR: one check run per head, one comment edited in place, labels in sync."""

from __future__ import annotations

from typing import Any

from app.github import Api
from app.render import CHECK_NAME, MARKER, CheckReport
from app.store import Store
from config import Config

ANNOTATIONS_PER_REQUEST = 50  # GitHub's cap: further updates append more


class Reporter:
    """Each write is skipped when it would repeat the last one, so replayed deliveries cost nothing."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def check(self, api: Api, repo: str, head_sha: str, report: CheckReport) -> None:
        digest_key = f"check-digest:{repo}:{head_sha}"
        content = repr((report.conclusion, report.title, report.summary, report.annotations))
        if self.store.same(digest_key, content):
            return
        annotations = list(report.annotations)
        output: dict[str, Any] = {"title": report.title, "summary": report.summary}
        output["annotations"] = annotations[:ANNOTATIONS_PER_REQUEST]
        body = {"name": CHECK_NAME, "head_sha": head_sha, "status": "completed", "conclusion": report.conclusion}
        run_key = f"check:{repo}:{head_sha}"
        run_id = self.store.get(run_key)
        if run_id is None:
            created = api.create_check_run(repo, {**body, "output": output})
            run_id = str(created["id"])
            self.store.put(run_key, run_id)
        else:
            api.update_check_run(repo, int(run_id), {**body, "output": output})
        for start in range(ANNOTATIONS_PER_REQUEST, len(annotations), ANNOTATIONS_PER_REQUEST):
            more = {**output, "annotations": annotations[start : start + ANNOTATIONS_PER_REQUEST]}
            api.update_check_run(repo, int(run_id), {"output": more})
        self.store.remember(digest_key, content)

    def comment(
        self, api: Api, repo: str, pr: dict[str, Any], body: str, only_if_exists: bool, enabled: bool = True
    ) -> None:
        """Create or edit our one comment. With `only_if_exists`, a PR without one gets none; with
        `enabled` false (report.comment: false), no comment at all: the check run says it all."""
        if not enabled:
            return
        number = int(pr["number"])
        digest_key = f"comment-digest:{repo}:{number}"
        if self.store.same(digest_key, body):
            return
        id_key = f"comment:{repo}:{number}"
        comment_id = self.store.get(id_key)
        if comment_id is None and int(pr.get("comments") or 0) > 0:
            comment_id = self._find(api, repo, number)
            if comment_id is not None:
                self.store.put(id_key, comment_id)
        if comment_id is None:
            if only_if_exists:
                return
            created = api.create_comment(repo, number, body)
            self.store.put(id_key, str(created["id"]))
        else:
            api.edit_comment(repo, int(comment_id), body)
        self.store.remember(digest_key, body)

    @staticmethod
    def _find(api: Api, repo: str, number: int) -> str | None:
        for comment in api.comments(repo, number):
            user = comment.get("user") or {}
            if user.get("type") == "Bot" and str(comment.get("body", "")).startswith(MARKER):
                return str(comment["id"])
        return None

    def labels(self, api: Api, repo: str, pr: dict[str, Any], config: Config, role: str | None) -> None:
        """Make our labels say `role` ("valid", "invalid", "landed", or None for none of them)."""
        mapping = config.report.labels
        ours = {name for name in mapping.values() if name}
        wanted = mapping.get(role) if role else None  # type: ignore[call-overload]
        current = [str(label["name"]) for label in pr.get("labels") or []]
        new = [name for name in current if name not in ours] + ([wanted] if wanted else [])
        if sorted(new) != sorted(current):
            api.set_labels(repo, int(pr["number"]), new)
            pr["labels"] = [{"name": name} for name in new]
