"""Which list lines a PR removed and added, found by comparing texts (never by trusting a patch)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from app.rules.text import normalize_line


@dataclass(frozen=True)
class ListDiff:
    """Removed lines by base index and added lines by head index (normalized, blanks dropped)."""

    removed: tuple[tuple[int, str], ...]
    added: tuple[tuple[int, str], ...]
    last_kept_head: int  # head index of the last unchanged non-blank line, -1 if none

    @property
    def empty(self) -> bool:
        return not self.removed and not self.added


def diff_lines(base: tuple[str, ...], head: tuple[str, ...]) -> ListDiff:
    """Diff two lists of lines. Linear in their length, plus difflib on the changed middle only."""
    n_b, n_h = len(base), len(head)
    prefix = 0
    limit = min(n_b, n_h)
    while prefix < limit and base[prefix] == head[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and base[n_b - 1 - suffix] == head[n_h - 1 - suffix]:
        suffix += 1
    mid_b = [normalize_line(x) for x in base[prefix : n_b - suffix]]
    mid_h = [normalize_line(x) for x in head[prefix : n_h - suffix]]
    removed: list[tuple[int, str]] = []
    added: list[tuple[int, str]] = []
    kept_mid = -1
    matcher = difflib.SequenceMatcher(None, mid_b, mid_h, autojunk=False)
    for tag, b0, b1, h0, h1 in matcher.get_opcodes():
        if tag == "equal":
            for j in range(h0, h1):
                if mid_h[j].strip():
                    kept_mid = prefix + j
            continue
        removed += [(prefix + i, mid_b[i]) for i in range(b0, b1) if mid_b[i].strip()]
        added += [(prefix + j, mid_h[j]) for j in range(h0, h1) if mid_h[j].strip()]

    def last_nonblank(lo: int, hi: int) -> int:
        return next((i for i in range(hi - 1, lo - 1, -1) if head[i].strip()), -1)

    last_kept = last_nonblank(n_h - suffix, n_h)
    if last_kept < 0:
        last_kept = kept_mid if kept_mid >= 0 else last_nonblank(0, prefix)
    return ListDiff(tuple(removed), tuple(added), last_kept)
