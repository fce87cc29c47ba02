"""A single-file letter: find its signature list (the longest run of list lines), its markers and its line template."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from app.infer.lines import MAX_LINE, Shape, is_table_rule, settle, shape_of
from app.rules.text import normalize_line

MAX_VARIANTS = 2  # shapes beside the main one, each only when enough lines have it
Key = tuple[str, tuple[str, ...]]
_ITEM = re.compile(r" *(?:\d{1,6}\.|[-*+]|\|)")  # a list item or a table row, whatever follows


@dataclass(frozen=True)
class Found:
    """Where a file's list is and what its lines look like."""

    start_after: str | None
    end_before: str | None
    shapes: tuple[Shape, ...]  # one per list line that looks like a signature
    lines: int  # non-blank lines in the list

    @property
    def score(self) -> int:
        return len(self.shapes)


def find_list(text: str) -> Found | None:
    """The file's run of list lines (blank lines inside it allowed) with the most signature-like lines, or None.

    A list item that does not look like a signature (junk, a line too long to read) stays in the run: it is one
    of the list's lines that the config will not read. Text, a heading or a table's separator row ends a run."""
    raw = text.split("\n")
    best: tuple[int, int, list[Shape]] | None = None  # (first index, last index, shapes)
    run: list[Shape] = []
    first = last = -1
    for i, line in enumerate(raw):
        norm = normalize_line(line[: MAX_LINE + 1])
        if not norm.strip():
            continue
        shape = shape_of(norm)
        if shape is not None or (_ITEM.match(norm) and not is_table_rule(norm)):
            if first < 0:
                first = i
            if shape is not None:
                run.append(shape)
            last = i
            continue
        if run and (best is None or len(run) > len(best[2])):
            best = (first, last, run)
        run, first = [], -1
    if run and (best is None or len(run) >= len(best[2])):
        best = (first, last, run)
    if best is None:
        return None
    first, last, shapes = best
    # A table's header row and separator stay above the list: the separator row ends any run, so it is the marker.
    before = next((raw[i].strip() for i in range(first - 1, -1, -1) if raw[i].strip()), None)
    after = next((raw[i].strip() for i in range(last + 1, len(raw)) if raw[i].strip()), None)
    lines = sum(1 for i in range(first, last + 1) if raw[i].strip())
    return Found(before, after, tuple(shapes), lines)


def line_templates(shapes: tuple[Shape, ...], total: int) -> tuple[str, list[str]]:
    """The line template (the shape most lines share, with the parts some lines leave out made optional)
    and up to MAX_VARIANTS other shapes that enough lines have."""
    # A spelling tolerance (`http{?s}`, `{?/}`, `{? }`) needs 0.5% of the lines (at least 2): one stray line does
    # not loosen the letter. An optional affiliation needs one line, a variant 1% (at least 3), an optional login
    # 5% (lines without a login are bound to their signer in the ledger: a choice the letter made, not a slip).
    least, rare = max(2, total // 200), max(3, total // 100)
    counts = Counter(s.key for s in shapes)
    left = dict(counts)
    chosen: list[str] = []
    while left and len(chosen) <= MAX_VARIANTS:
        key, covered = max(((k, _chain(k, left, total)) for k in left), key=lambda kc: (sum(kc[1].values()), kc[0]))
        loses_login = bool(chosen) and "{login}" in chosen[0] and not any("{login}" in p for p in key[1])
        if chosen and sum(covered.values()) < (max(2, total // 20) if loses_login else rare):
            break
        members = [s for s in shapes if s.key in covered]
        chosen.append(_render(key, covered, members, least))
        for k in covered:
            left.pop(k, None)
    return chosen[0], chosen[1:]


def _chain(key: Key, counts: dict[Key, int], total: int) -> dict[Key, int]:
    """The shapes `key` covers: itself, and each shape that is `key` with its last parts left out."""
    bullet, parts = key
    out = {key: counts[key]}
    for k in range(1, len(parts)):
        shorter = (bullet, parts[:k])
        needed = max(2, total // 20) if any("{login}" in p for p in parts[k:]) else 1
        if counts.get(shorter, 0) >= needed:
            out[shorter] = counts[shorter]
    return out


def _render(key: Key, covered: dict[Key, int], members: list[Shape], least: int) -> str:
    bullet, parts = key
    optional = {len(k[1]) for k in covered if k != key}
    body = ""
    for i in range(len(parts) - 1, -1, -1):
        piece = settle(parts[i], members, least)
        body = "{?" + piece + body + "}" if i in optional else piece + body
    spaces = Counter(s.spaces for s in members if s.key == key).most_common(1)[0][0] if bullet else 0
    return (bullet + " " * spaces if bullet else "") + body
