"""The values the rules pass around: the letter's texts, one change to land, and what a PR's diff reads as."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from app.rules.letter import Signature
from app.rules.problems import Problem

T = TypeVar("T", covariant=True)  # a folder of lazy files is still a folder of texts


@dataclass(frozen=True)
class Snapshots(Generic[T]):
    """The letter at three points: where the PR branched off (its merge base), the PR's head, and the default
    branch as it is now (None: not known, or the same as `base`). A list letter is one text; a folder maps paths
    to texts (a missing path: absent)."""

    base: T
    head: T
    current: T | None = None


@dataclass(frozen=True)
class Change:
    """One signature to land: a line (or file) to add, remove, or replace."""

    action: Literal["add", "remove", "replace"]
    path: str
    login: str
    text: str | None  # the new line or file content
    old: str | None = None  # the line or file content it removes or replaces
    sort: tuple[str, str] | None = None  # sort key of the new line, for placement
    account: int | None = None  # the owner's numeric GitHub id, recorded in the ledger when landing
    by: str | None = None  # a trusted maintainer who adds this signature for someone else (then no login)
    mark: str | None = None  # a verified affiliation (app.affiliations.match.Mark, encoded), recorded when landing
    part: str | None = None  # in a letter of several lists or folders, the one it is in (app.rules.parts)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "action": self.action,
            "path": self.path,
            "login": self.login,
            "text": self.text,
            "old": self.old,
            "account": self.account,
        }
        if self.by is not None:
            out["by"] = self.by
        if self.mark is not None:
            out["mark"] = self.mark
        if self.part:
            out["part"] = self.part
        return out


@dataclass(frozen=True)
class FileChange:
    """One file of the PR's comparison as GitHub lists it: `status` is added, removed, modified, renamed,
    copied, changed (its mode or type) or unchanged; `readable` is False when GitHub gave no patch (a binary
    file, a diff too large to show, or a change of mode or type only)."""

    path: str
    status: str = "modified"
    previous: str | None = None
    readable: bool = True


@dataclass(frozen=True)
class ChangedFiles:
    """What the PR changes, as GitHub lists it, and how many files the PR says it changes (`total`, when
    known): a list that may be truncated is never judged."""

    files: tuple[FileChange, ...]
    total: int | None = None

    @property
    def paths(self) -> list[str]:
        """Every path the PR touches; a rename counts as both its old and its new name."""
        return [f.path for f in self.files] + [f.previous for f in self.files if f.previous]


@dataclass(frozen=True)
class Author:
    """The facts about the PR author; a fact left as None skips the rule that needs it."""

    login: str
    id: int | None = None
    type: str | None = None  # "User", "Bot" or "Organization", as GitHub says
    created_at: datetime | None = None


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
