"""Where a new line belongs: the end of an appended list, or its place in a sorted one."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from app.rules.text import normalize_line, sort_key
from app.template import Template
from config.model import LetterConfig


def misplaced_sorted(
    letter: LetterConfig, tpl: Template, lines: Sequence[str], index: int, key: tuple[str, str]
) -> str | None:
    """Why the added line at `index` of a sorted list is out of place, or None when it is in place."""
    others = [i for i in range(len(lines)) if i != index and lines[i].strip()]

    def parsed_at(k: int) -> tuple[tuple[str, str], str] | None:
        parsed = tpl.parse(normalize_line(lines[others[k]]))
        return (sort_key(parsed.name, parsed.login, letter.sort_key), parsed.name) if parsed else None

    def key_at(k: int) -> tuple[str, str]:
        found = parsed_at(k)
        return found[0] if found else ("", "")

    here = bisect.bisect_left(others, index)  # lines before ours
    before, after = parsed_at(here - 1) if here else None, parsed_at(here) if here < len(others) else None
    if (before is None or before[0] <= key) and (after is None or key <= after[0]):
        return None
    spot = bisect.bisect_right(range(len(others)), key, key=key_at)
    target = parsed_at(spot) if spot < len(others) else None
    if target is not None:
        return f"the list is sorted by {letter.sort_key}, so it belongs just before `{target[1]}`"
    last = parsed_at(len(others) - 1)
    return f"the list is sorted by {letter.sort_key}, so it belongs at the end, after `{last[1] if last else ''}`"
