"""Read what a PR changes in the list (or the signers' folder): each change, and what is wrong with it."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Literal

from app.rules.checks import line_problems, ownership_problems, suggest_line
from app.rules.diff import diff_lines
from app.rules.letter import (
    Section,
    Signature,
    line_template,
    split_section,
)
from app.rules.lineformat import Template, salvage
from app.rules.model import Change, Reading
from app.rules.problems import Problem, problem
from app.rules.text import login_key, normalize_line, sort_key
from config.model import Config, LetterConfig


def classify(changes: Sequence[Change]) -> Literal["sign", "withdraw", "amend"]:
    actions = {c.action for c in changes}
    if actions <= {"add"} and actions:
        return "sign"
    if actions == {"remove"}:
        return "withdraw"
    return "amend"


def find_signer(text: str, first: int, last: int, tpl: Template, login: str) -> int | None:
    """0-based file line of `login`'s signature between lines first..last, or None.

    Searches bytes: ASCII-only lower() keeps offsets, and a login is ASCII. Fast on 100k lines."""
    raw = text.encode()
    hay, needle = raw.lower(), login.lower().encode()
    pos = hay.find(needle)
    key = login_key(login)
    while pos >= 0:
        line = raw.count(b"\n", 0, pos)
        start = raw.rfind(b"\n", 0, pos) + 1
        end = raw.find(b"\n", pos)
        if first <= line <= last:
            parsed = tpl.parse(normalize_line(raw[start : end if end >= 0 else len(raw)].decode()))
            if parsed is not None and login_key(parsed.login) == key:
                return line
        pos = hay.find(needle, (end if end >= 0 else len(raw)))
    return None


def _owner(tpl: Template, text: str) -> str:
    parsed = tpl.parse(text)
    return parsed.login if parsed else (salvage(text)[1] or "someone else")


def read_list(config: Config, path: str, base_text: str, head_text: str, author: str) -> Reading:
    letter, rules = config.letter, config.signers
    tpl = line_template(letter)
    base, head = split_section(path, base_text, letter), split_section(path, head_text, letter)
    if not base.found:
        return Reading(missing_marker=True)
    diff = diff_lines(base.lines, head.lines)
    if diff.empty:
        return Reading()
    trusted = {login_key(t) for t in rules.trusted}
    is_trusted, author_k = login_key(author) in trusted, login_key(author)
    removed: dict[str, tuple[int, str]] = {}
    for index, text in diff.removed:
        removed.setdefault(login_key(_owner(tpl, text)), (index, text))
    problems: list[Problem] = []
    changes: list[Change] = []
    signatures: list[Signature] = []
    seen: set[str] = set()
    placement_fixed = False
    first, last = len(base.head), len(base.head) + len(base.lines) - 1
    for index, text in diff.added:
        line = head.lineno(index)
        parsed = tpl.parse(text)
        if parsed is None:
            fix = suggest_line(tpl, text, author)
            problems.append(problem("line-format", path, line, fix, template=letter.line))
            continue
        render = partial(tpl.render, parsed.name, affiliation=parsed.affiliation, number=parsed.number or 1)
        problems += line_problems(parsed, rules, path, line, render, author)
        key = login_key(parsed.login)
        signatures.append(Signature(parsed.name, parsed.login, parsed.affiliation, path, line, text))
        # A replaced line is judged by whose it was (ownership_problems), not as a new signature.
        if rules.author_must_match and not is_trusted and key != author_k and key not in removed:
            fix = tpl.render(parsed.name, author, parsed.affiliation, parsed.number or 1)
            problems.append(problem("author-mismatch", path, line, fix, login=parsed.login, author=author, hint=""))
        skey = sort_key(parsed.name, parsed.login, letter.sort_key)
        if key in removed:
            old = removed.pop(key)[1]
            changes.append(Change("replace", path, parsed.login, text, old, skey))
            continue
        if key in seen:
            problems.append(problem("duplicate-signer", path, line, login=parsed.login, where=" in this PR"))
        seen.add(key)
        prior = find_signer(base_text, first, last, tpl, parsed.login)
        if prior is not None:
            problems.append(problem("duplicate-signer", path, line, login=parsed.login, where=f" on line {prior + 1}"))
        changes.append(Change("add", path, parsed.login, text, None, skey))
        misplaced = _misplaced(letter, tpl, head.lines, index, diff.last_kept_head, skey)
        if misplaced and config.merge.fix_placement:
            placement_fixed = True
        elif misplaced:
            problems.append(problem("wrong-position", path, line, where=misplaced))
    for _index, text in removed.values():
        changes.append(Change("remove", path, _owner(tpl, text), None, text))

    def line_of(change: Change) -> int:
        return base.lineno(next(i for i, t in diff.removed if t == change.old))

    problems += ownership_problems(changes, rules, author, line_of)
    text_changed = _outside(base) != _outside(head)
    return Reading(tuple(changes), tuple(signatures), tuple(problems), text_changed, False, placement_fixed)


def _outside(section: Section) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The letter text around the list, as compared: normalized, final blank lines ignored."""
    tail = [normalize_line(x) for x in section.tail]
    while tail and not tail[-1]:
        tail.pop()
    return tuple(normalize_line(x) for x in section.head), tuple(tail)


def _misplaced(
    letter: LetterConfig,
    tpl: Template,
    lines: Sequence[str],
    index: int,
    last_kept: int,
    key: tuple[str, str],
) -> str | None:
    """Why the added line at `index` is out of place, or None when it is where it belongs."""
    if letter.order == "append":
        return "new signatures go at the end of the list" if index < last_kept else None
    if letter.order != "sorted":
        return None
    for step in (-1, 1):
        j = index + step
        while 0 <= j < len(lines) and not lines[j].strip():
            j += step
        if not 0 <= j < len(lines):
            continue
        other = tpl.parse(normalize_line(lines[j]))
        if other is None:
            continue
        okey = sort_key(other.name, other.login, letter.sort_key)
        if (step < 0 and okey > key) or (step > 0 and okey < key):
            rel = "before" if step < 0 else "after"
            return f"the list is sorted by {letter.sort_key}, so it belongs {rel} `{other.name}`"
    return None
