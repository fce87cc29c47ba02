"""A file at a PR's head, from the compare we read anyway: its text at the merge base plus the compare's patch.

The compare (`GET /compare/{base}...{head}`) lists each changed file with its unified diff from the merge
base (`patch`) and its blob sha at the head (`sha`). Applying the patch to the base's text gives the head's
text; the result is kept only if its git blob sha is the one GitHub gave, so what we judge is byte for byte
the head's file, never a guess. Anything else (no patch, a hunk that does not fit, a SHA-256 repository,
text that was not UTF-8) returns None and the caller reads the file. That saves one read per PR.
https://docs.github.com/en/rest/commits/commits#compare-two-commits
"""

from __future__ import annotations

import hashlib
import re

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
MAX_PATCH = 1_000_000  # characters: a bigger patch is read as a file instead (bounded work, linear)


def blob_sha(data: bytes) -> str:
    """git's object id of a blob (SHA-1 repositories)."""
    return hashlib.sha1(b"blob %d\x00" % len(data) + data, usedforsecurity=False).hexdigest()


def apply_patch(base: str, patch: str) -> str | None:
    """`base` with git's unified `patch` applied, or None when a hunk does not fit it."""
    if len(patch) > MAX_PATCH:
        return None
    old = base.splitlines(keepends=True)
    out: list[str] = []
    at = 0  # lines of `old` consumed
    lines = patch.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    while i < len(lines):
        found = _HUNK.match(lines[i])
        if found is None:
            return None
        start = int(found.group(1)) - (0 if found.group(2) == "0" else 1)
        if start < at or start > len(old):
            return None
        out.extend(old[at:start])
        at = start
        i += 1
        while i < len(lines) and not lines[i].startswith("@@"):
            line = lines[i]
            mark, text = line[:1], line[1:]
            if mark == "\\":  # "\ No newline at end of file": the line before has no newline
                if out and mark_of(lines[i - 1]) in "+ ":
                    out[-1] = out[-1].removesuffix("\n")
                i += 1
                continue
            if mark in (" ", "-"):
                if at >= len(old) or old[at].removesuffix("\n") != text:
                    return None
                if mark == " ":
                    out.append(text + "\n")
                at += 1
            elif mark == "+":
                out.append(text + "\n")
            else:
                return None
            i += 1
    out.extend(old[at:])  # the rest, as it was (a last line without a newline keeps it so)
    return "".join(out)


def mark_of(line: str) -> str:
    return line[:1] or " "


def head_text(base: str | None, patch: str | None, sha: str | None) -> str | None:
    """The head's text of a changed file, checked against its blob sha; None when it cannot be had so."""
    if patch is None or sha is None or len(sha) != 40:
        return None
    text = apply_patch(base or "", patch)
    return text if text is not None and is_blob(text, sha) else None


def is_blob(text: str, sha: str) -> bool:
    """Whether `text`, as UTF-8, is exactly the git blob `sha` (not cut, not re-encoded)."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return blob_sha(data) == sha
