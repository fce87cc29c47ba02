"""Complete knowledge, or refuse: the PR's changed files as GitHub lists them, checked against what we read."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from app.rules.model import ChangedFiles, FileChange
from app.rules.problems import Problem, problem

# https://docs.github.com/en/rest/commits/commits#compare-two-commits: "the response includes a maximum of
# 300 changed files". A list of 300 may be cut short, so 300 is already too many to judge.
MAX_LISTED = 300
_TEXT_STATUSES = ("added", "modified", "removed")
_MODE = "changes the mode or type (executable bit, symbolic link, submodule) of"


def incomplete(files: ChangedFiles) -> Problem | None:
    """The refusal when the list may not hold every file: 300 or more listed, or fewer than the PR says."""
    listed = len(files.files)
    if files.total is not None and files.total > listed:
        return problem("changes-incomplete", count=files.total)
    if listed >= MAX_LISTED:
        return problem("changes-incomplete", count=f"{listed} or more")
    return None


def unreadable(path: str | None = None) -> Problem:
    """A comparison GitHub would not give at all (406: a diff too large to show)."""
    return problem("changes-incomplete", path, count="too many")


def not_utf8(path: str) -> Problem:
    """A file of the letter that is not valid UTF-8: it cannot be read without altering it."""
    return problem("not-utf8", path, None, file=path)


def file_problems(
    files: ChangedFiles, ours: Callable[[str], bool], base: Mapping[str, str], head: Mapping[str, str]
) -> list[Problem]:
    """Each listed letter file whose change is not a change of text we read: a mode, type, symlink,
    submodule, rename or copy, or a change GitHub cannot show. `ours` says which paths are the letter's
    (others are refused as other-files-changed); `base` and `head` are the texts the rules read."""
    out: list[Problem] = []
    for f in files.files:
        if not ours(f.path) and not (f.previous and ours(f.previous)):
            continue
        what = _what(f, base.get(f.path), head.get(f.path))
        if what == "unreadable":
            out.append(problem("change-unreadable", f.path, None, file=f.path))
        elif what is not None:
            out.append(problem("unsupported-change", f.path, None, what=what, file=f.path))
    return out


def _what(f: FileChange, old: str | None, new: str | None) -> str | None:
    """What is wrong with one listed change (None: a plain change of text, ours to judge)."""
    if f.status == "renamed":
        return f"renames `{f.previous}` to" if f.previous else "renames"
    if f.status == "copied":
        return "copies a file to"
    if f.status not in _TEXT_STATUSES:
        return _MODE  # "changed": the mode or type only; "unchanged" is listed for a reason we cannot see
    if not f.readable:
        return "unreadable"
    # What the listing says must be what the texts show: a path listed as modified whose text we read
    # as equal, or as absent, is a mode or type change (a symlink or submodule reads as no file).
    expected = {"added": (False, True), "removed": (True, False), "modified": (True, True)}[f.status]
    if (old is not None, new is not None) != expected or old == new:
        return _MODE
    return None
