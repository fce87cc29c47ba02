"""Reading a workflow as GitHub Actions does: its triggers, permissions, concurrency group and steps.

https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

# pull_request_target with no `types` runs on these three (GitHub's documented default).
DEFAULT_TYPES = {"pull_request_target": ["opened", "synchronize", "reopened"]}
PERMISSION_NAMES = {"pull-requests": "pull_requests"}  # the workflow's spelling -> the App permission's
_EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


@dataclass
class Workflow:
    path: str
    name: str
    on: dict[str, Any]
    permissions: dict[str, str]
    concurrency: tuple[str, bool] | None  # (group template, cancel-in-progress)
    steps: list[dict[str, Any]] = field(default_factory=list)

    def triggered(self, event: str, action: str | None, ref: str | None) -> bool:
        """Whether this event starts the workflow (types for actions, branches for pushes)."""
        if event not in self.on:
            return False
        spec = self.on[event] or {}
        if action is not None:
            types = spec.get("types") or DEFAULT_TYPES.get(event)
            if types is not None and action not in types:
                return False
        if event == "push" and spec.get("branches") is not None:
            branch = (ref or "").removeprefix("refs/heads/")
            return any(fnmatch.fnmatchcase(branch, pattern) for pattern in spec["branches"])
        return True


def parse(path: str, text: str) -> Workflow | None:
    """The workflow in `text`, or None when it is not one GitHub would run (GitHub shows an error instead)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    on = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on:` key as True
    if isinstance(on, str):
        on = {on: None}
    elif isinstance(on, list):
        on = dict.fromkeys(on)
    if not isinstance(on, dict):
        return None
    jobs = data.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        return None
    job = next(iter(jobs.values()))  # one job: what undersigned's workflow has
    permissions = job.get("permissions", data.get("permissions"))
    concurrency = job.get("concurrency", data.get("concurrency"))
    return Workflow(
        path,
        str(data.get("name") or path),
        {str(k): v for k, v in on.items()},
        _permissions(permissions),
        _concurrency(concurrency),
        list(job.get("steps") or []),
    )


def _permissions(value: Any) -> dict[str, str]:
    """The token's permissions. With none written, the restricted default: contents read, metadata read.
    https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication"""
    if value == "write-all":
        value = dict.fromkeys(("contents", "pull-requests", "issues", "checks", "actions", "pages"), "write")
    if value == "read-all":
        value = dict.fromkeys(("contents", "pull-requests", "issues", "checks", "actions", "pages"), "read")
    if not isinstance(value, dict):
        value = {"contents": "read"}
    out = {PERMISSION_NAMES.get(str(k), str(k)): str(v) for k, v in value.items() if v in ("read", "write")}
    out.setdefault("metadata", "read")
    return out


def _concurrency(value: Any) -> tuple[str, bool] | None:
    if isinstance(value, str):
        return value, False
    if isinstance(value, dict) and isinstance(value.get("group"), str):
        return value["group"], bool(value.get("cancel-in-progress", False))
    return None


def expand(text: str, context: dict[str, str]) -> str:
    """`${{ name }}` expressions, for the few names a workflow like ours uses (github.*, inputs.*, secrets.*)."""
    return _EXPR.sub(lambda m: context.get(m.group(1), ""), text)
