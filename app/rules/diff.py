"""Which lines a PR removed and added, found by comparing texts (never by trusting a patch).

Every byte counts: a line whose edit is invisible once normalized (trailing spaces, an en dash for a bullet,
NFD for NFC), and a blank line or bare bullet added or removed, is a change of its own kind, a `Stray`,
never "no change": rendered, a bare `-` under a paragraph makes it a heading.

Fast on big letters: equal leading and trailing text is skipped in C-speed chunk compares, and only
the changed window of whole lines is split and diffed."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from app.rules.text import normalize_line

_CHUNK = 1 << 15
_NONBLANK = re.compile(r"\S")
# A line a person sees as blank: spaces, zero-width characters, or a bullet with nothing after it.
_BLANK = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]*(?:[-*+]|\d+[.)])?[\s\u200b-\u200d\u2060\ufeff]*")


def _seen(line: str) -> bool:
    """Whether a normalized line has anything a reader would call content."""
    return bool(line) and (line[0] not in " -*+0123456789\u200b\u200c\u200d\u2060\ufeff" or not _BLANK.fullmatch(line))


@dataclass(frozen=True)
class Stray:
    """An edit with no content of its own: `added` (a blank line or bare bullet), `removed` (one such line),
    or `changed` (a line whose text reads the same once normalized). `line` is the head's 0-based index (for
    `removed`, where the line was); `was` is the base line it changed or removed."""

    kind: str
    line: int
    was: str | None = None


@dataclass(frozen=True)
class LineDiff:
    """Removed lines by base line index and added lines by head line index (0-based, whole file).

    Lines are normalized; edits with no content of their own are listed apart, in `stray`."""

    removed: tuple[tuple[int, str], ...]
    added: tuple[tuple[int, str], ...]
    head_end: int  # offset in head where the unchanged trailing text starts
    kept_in_window: tuple[int, ...]  # head indices of unchanged non-blank lines inside the window
    stray: tuple[Stray, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.removed and not self.added


def _common_prefix(a: str, b: str, limit: int) -> int:
    """Length of the common prefix of a and b, at most `limit`."""
    i = 0
    while i + _CHUNK <= limit and a[i : i + _CHUNK] == b[i : i + _CHUNK]:
        i += _CHUNK
    lo, hi = i, min(i + _CHUNK, limit)
    while lo < hi:  # a[:lo] == b[:lo]; the first difference is before hi: halve the gap
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    """Length of the common suffix of a and b, at most `limit`."""
    na, nb = len(a), len(b)
    i = 0
    while i + _CHUNK <= limit and a[na - i - _CHUNK : na - i] == b[nb - i - _CHUNK : nb - i]:
        i += _CHUNK
    lo, hi = i, min(i + _CHUNK, limit)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[na - mid : na - lo] == b[nb - mid : nb - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _split(window: str) -> list[str]:
    lines = window.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the window ends with a newline
    return lines


def diff_texts(base: str, head: str) -> LineDiff:
    """Diff two texts line by line; linear time in C, then difflib on the changed window only."""
    limit = min(len(base), len(head))
    start = _common_prefix(base, head, limit)
    start = base.rfind("\n", 0, start) + 1  # back to the start of that line
    tail = _common_suffix(base, head, min(len(base), len(head)) - start)
    base_end, head_end = len(base) - tail, len(head) - tail

    def at_line_start(text: str, pos: int) -> bool:
        return pos == 0 or pos == len(text) or text[pos - 1] == "\n"

    if not (at_line_start(base, base_end) and at_line_start(head, head_end)):
        # Move both ends forward, inside the common tail, to just after its first newline.
        nl = base.find("\n", base_end)
        shift = (nl + 1 if nl >= 0 else len(base)) - base_end
        base_end, head_end = base_end + shift, head_end + shift
    first = base.count("\n", 0, start)
    # A line's ending (CRLF or LF) is the file's, not the line's: appending to a CRLF file that had no final
    # newline gives its last line a CR. A CR anywhere else is the line's own.
    old_raw = [x.removesuffix("\r") for x in _split(base[start:base_end])]
    new_raw = [x.removesuffix("\r") for x in _split(head[start:head_end])]
    old = [normalize_line(x) for x in old_raw]
    new = [normalize_line(x) for x in new_raw]
    removed: list[tuple[int, str]] = []
    added: list[tuple[int, str]] = []
    kept: list[int] = []
    stray: list[Stray] = []
    # Raw lines are compared, byte for byte; a line that differs only once normalized is a stray edit.
    for tag, b0, b1, h0, h1 in difflib.SequenceMatcher(None, old_raw, new_raw, autojunk=False).get_opcodes():
        if tag == "equal":
            kept += [first + j for j in range(h0, h1) if _seen(new[j])]
            continue
        # A blank line beside a real change in the same block goes with it (the lander writes its own text).
        content = any(_seen(old[i]) for i in range(b0, b1)) or any(_seen(new[j]) for j in range(h0, h1))
        gone: dict[str, list[int]] = {}
        for i in range(b0, b1):
            gone.setdefault(old[i], []).append(i)
        paired: set[int] = set()
        for j in range(h0, h1):
            same = gone.get(new[j])
            if same:
                i = same.pop(0)
                paired.add(i)
                if old_raw[i] != new_raw[j]:
                    stray.append(Stray("changed", first + j, old_raw[i]))
            elif _seen(new[j]):
                added.append((first + j, new[j]))
            elif not (content and not new_raw[j].strip()):
                stray.append(Stray("added", first + j))
        for i in range(b0, b1):
            if i in paired:
                continue
            if _seen(old[i]):
                removed.append((first + i, old[i]))
            elif not (content and not old_raw[i].strip()):
                stray.append(Stray("removed", first + h0, old_raw[i]))
    # Lines that moved (removed here, added there, same text) are changes too; they stay listed.
    return LineDiff(tuple(removed), tuple(added), head_end, tuple(kept), tuple(sorted(stray, key=lambda x: x.line)))


def has_text(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] has any non-blank character (without copying it)."""
    return _NONBLANK.search(text, start, end) is not None
