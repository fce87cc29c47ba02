"""The values the rules pass around: one change to land, and what a PR's diff reads as."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from app.rules.letter import Signature
from app.rules.problems import Problem


@dataclass(frozen=True)
class Change:
    """One signature to land: a line (or file) to add, remove, or replace."""

    action: Literal["add", "remove", "replace"]
    path: str
    login: str
    text: str | None  # the new line or file content
    old: str | None = None  # the line or file content it removes or replaces
    sort: tuple[str, str] | None = None  # sort key of the new line, for placement

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "path": self.path,
            "login": self.login,
            "text": self.text,
            "old": self.old,
        }


@dataclass(frozen=True)
class Reading:
    changes: tuple[Change, ...] = ()
    signatures: tuple[Signature, ...] = ()
    problems: tuple[Problem, ...] = ()
    text_changed: bool = False
    missing_marker: bool = False
    placement_fixed: bool = False

    @property
    def empty(self) -> bool:
        return not self.changes and not self.problems
