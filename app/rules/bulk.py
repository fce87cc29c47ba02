"""Lint's fast path: read a whole list with one regex pass and a few C-speed checks over its columns.

Only the lines these checks cannot clear (no fit, an odd name or login, a second login) go through the
line-by-line checks, so the verdict is the same as reading every line alone, at a fraction of the cost."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

from app.rules.text import MARKUP_CHARACTERS, MAX_LOGIN, is_valid_login, normalize_line
from app.template import Template

_LOGIN_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-\n"
# What normalize_line would change: CR, tabs, trailing spaces; odd spaces and dash bullets; non-NFC text.
_ODD_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_DASHES = "\u2013\u2014\u2212\u2022"
_DASH_BULLET = re.compile(f"^ *[{_DASHES}]", re.MULTILINE)
_MARKUP_CHARS = ".[<:]>&`"  # every markup pattern needs one (text.name_has_markup, text.markup_in)
_CHECKED = ("affiliation", "email", "url", "text")  # the fields checks.field_problems reads


def _suspect_field(text: str) -> bool:
    """Whatever checks.field_problems might refuse: a markup character or one that is not printable."""
    return any(c in text for c in MARKUP_CHARACTERS) or not text.isprintable()


def _all_valid_logins(logins: Sequence[str]) -> bool:
    """Whether every login is a GitHub login or empty (text.is_valid_login), checked for all at C speed."""
    blob = "\n".join(logins)
    if not blob.isascii() or blob.encode().translate(None, _LOGIN_CHARS):
        return False  # a character no login has
    if "--" in blob or "\n-" in blob or "-\n" in blob or blob.startswith("-") or blob.endswith("-"):
        return False
    return max(map(len, logins), default=0) <= MAX_LOGIN


def normalized(lines: Sequence[str]) -> tuple[list[str], list[int], str]:
    """The lines as normalize_line reads them, the indices where that changed something, and their text."""
    blob = "\n".join(lines)
    odd = "\r" in blob or "\t" in blob or " \n" in blob or blob.endswith(" ")
    if not odd and not blob.isascii():
        odd = any(c in blob for c in _ODD_SPACES) or not unicodedata.is_normalized("NFC", blob)
        odd = odd or (any(c in blob for c in _DASHES) and _DASH_BULLET.search(blob) is not None)
    if not odd:
        return list(lines), [], blob
    norm = [normalize_line(x) for x in lines]
    return norm, [i for i, (a, b) in enumerate(zip(norm, lines, strict=True)) if a != b], "\n".join(norm)


@dataclass(frozen=True)
class Scan:
    """A list read in one pass: the lines that fit and passed every check, and those left to check alone."""

    names: list[str]
    logins: list[str]
    suspects: list[int]  # non-blank lines the line-by-line checks must read
    clear: int  # how many lines fit the template and need no further check

    def fits(self, lines: Sequence[str]) -> list[int]:
        """The indices of the lines that fit and need no further check."""
        left = set(self.suspects)
        return [i for i, x in enumerate(lines) if x and i not in left]


def scan(tpl: Template, lines: Sequence[str], blob: str, max_name: int) -> Scan | None:
    """Read every line (`blob` is them joined) at once; None when the template has no whole-list form."""
    rx = tpl.multiline
    if rx is None or not lines:
        return None
    rows = rx.findall(blob)
    if len(rows) != len(lines):
        return None
    groups = rx.groupindex
    column = {g: list(map(itemgetter(i - 1), rows)) for g, i in groups.items() if g in ("name", "login", "_other")}
    empty = [""] * len(lines)
    names, logins, other = column.get("name", empty), column.get("login", empty), column["_other"]
    bad: set[int] = {i for i, x in enumerate(other) if x} if any(other) else set()
    joined = "".join(names)
    if any(c in joined for c in _MARKUP_CHARS):
        bad.update(i for i, x in enumerate(names) if any(c in x for c in _MARKUP_CHARS))
    if not joined.isprintable():
        bad.update(i for i, x in enumerate(names) if not x.isprintable())
    for group, i in groups.items():
        if group.split("_")[0] in _CHECKED:
            values = list(map(itemgetter(i - 1), rows))
            together = "".join(values)
            if _suspect_field(together):  # one pass over all; line by line only when something is there
                bad.update(j for j, x in enumerate(values) if _suspect_field(x))
    if names and max(map(len, names)) > max_name:
        bad.update(i for i, x in enumerate(names) if len(x) > max_name)
    if "name" in tpl.fields and not any(k == "field" and v == "name" for k, v in tpl.parts):
        bad.update(i for i, x in enumerate(names) if not x.strip() and lines[i])  # an optional name left out
    if not _all_valid_logins(logins):
        bad.update(i for i, x in enumerate(logins) if x and not is_valid_login(x))
    suspects = sorted(i for i in bad if lines[i])
    return Scan(names, logins, suspects, len(lines) - lines.count("") - len(suspects))
