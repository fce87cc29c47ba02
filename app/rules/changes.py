"""Read what a PR changes in the list (or the signers' folder): each change, and what is wrong with it."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from typing import Literal

from app.rules.checks import line_fixer, line_problems, ownership_problems, suggest_line
from app.rules.diff import diff_texts, has_text
from app.rules.letter import (
    Bounds,
    Section,
    Signature,
    line_template,
    list_bounds,
    split_section,
)
from app.rules.lineformat import salvage
from app.rules.model import Change, Reading
from app.rules.problems import Problem, problem
from app.rules.text import is_valid_login, login_key, normalize_line, sort_key
from app.template import Template
from config.model import Config, LetterConfig


def classify(changes: Sequence[Change]) -> Literal["sign", "withdraw", "amend"]:
    actions = {c.action for c in changes}
    if actions <= {"add"} and actions:
        return "sign"
    if actions == {"remove"}:
        return "withdraw"
    return "amend"


def find_signer(text: str, first: int, last: int, tpl: Template, login: str) -> int | None:
    """0-based file line of `login`'s signature between lines first..last, or None. Fast on 100k lines."""
    key = login_key(login)
    for line, content in _candidates(text, tpl, login):
        if first <= line <= last:
            parsed = tpl.parse(normalize_line(content))
            if parsed is not None and login_key(parsed.login) == key:
                return line
    return None


def _candidates(text: str, tpl: Template, login: str) -> Iterator[tuple[int, str]]:
    """(line index, line) of every line that may hold `login`, found at C speed."""
    if tpl.login_prefix:
        # The literal before {login} (e.g. "[@") gives the regex engine a fast prefix to scan for.
        needle = re.compile(f"{re.escape(tpl.login_prefix)}(?i:{re.escape(login)})(?![A-Za-z0-9-])")
        for m in needle.finditer(text):
            start, end = text.rfind("\n", 0, m.start()) + 1, text.find("\n", m.start())
            yield text.count("\n", 0, m.start()), text[start : end if end >= 0 else len(text)]
        return
    # No literal to anchor on: search bytes, whose ASCII-only lower() keeps offsets (a login is ASCII).
    raw = text.encode()
    hay, word = raw.lower(), login.lower().encode()
    pos = hay.find(word)
    while pos >= 0:
        start, end = raw.rfind(b"\n", 0, pos) + 1, raw.find(b"\n", pos)
        yield raw.count(b"\n", 0, pos), raw[start : end if end >= 0 else len(raw)].decode()
        pos = hay.find(word, pos + 1)


def _owner(tpl: Template, text: str) -> str:
    parsed = tpl.parse(text)
    return parsed.login if parsed else (salvage(text)[1] or "someone else")


def read_list(
    config: Config, path: str, base_text: str, head_text: str, author: str, current_text: str | None = None
) -> Reading:
    letter, rules = config.letter, config.signers
    tpl = line_template(letter)
    base = list_bounds(base_text, letter)
    if base is None:
        return Reading(missing_marker=True)
    head = list_bounds(head_text, letter)
    diff = diff_texts(base_text, head_text)
    removed_lines = [(i, t) for i, t in diff.removed if base.holds(i)]
    added_lines = [(j, t) for j, t in diff.added if head is not None and head.holds(j)]
    text_changed = len(removed_lines) < len(diff.removed) or len(added_lines) < len(diff.added)
    if not removed_lines and not added_lines:
        return Reading()  # the list is as it was: a change of the letter's text, or of nothing
    assert head is not None  # lines were added inside the head's list
    head_lines: Section | None = None  # split only when the sorted-order check needs neighbours
    trusted = {login_key(t) for t in rules.trusted}
    is_trusted, author_k = login_key(author) in trusted, login_key(author)
    removed: dict[str, tuple[int, str]] = {}
    for index, text in removed_lines:
        removed.setdefault(login_key(_owner(tpl, text)), (index, text))
    problems: list[Problem] = []
    changes: list[Change] = []
    signatures: list[Signature] = []
    seen: set[str] = set()
    placement_fixed = False
    fixer = line_fixer(tpl)
    # The default branch as it is now, when it moved since the branch was made: duplicates, vanished lines.
    moved = current_text is not None and current_text != base_text
    now = list_bounds(current_text, letter) if current_text is not None and moved else None
    for index, text in added_lines:
        line = index + 1
        parsed = tpl.parse(text)
        if parsed is None:
            fix = suggest_line(tpl, text, author)
            problems.append(problem("line-format", path, line, fix, template=letter.line))
            continue
        problems += line_problems(parsed, rules, path, line, fixer, author)
        key = login_key(parsed.login)
        signatures.append(Signature(parsed.name, parsed.login, parsed.affiliation, path, line, text))
        # A replaced line is judged by whose it was (ownership_problems), not as a new signature.
        # An invalid login's problem already carries the fix with the author's own login.
        valid = is_valid_login(parsed.login)
        if rules.author_must_match and not is_trusted and key != author_k and key not in removed and valid:
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
        prior = find_signer(base_text, base.first, base.last, tpl, parsed.login)
        if prior is None and now is not None and current_text is not None:
            prior = find_signer(current_text, now.first, now.last, tpl, parsed.login)
        if prior is not None:
            problems.append(problem("duplicate-signer", path, line, login=parsed.login, where=f" on line {prior + 1}"))
        changes.append(Change("add", path, parsed.login, text, None, skey))
        misplaced: str | None = None
        if letter.order == "append":
            later = any(k > index and head.holds(k) for k in diff.kept_in_window)
            if later or has_text(head_text, diff.head_end, head.end_offset):
                misplaced = "new signatures go at the end of the list"
        elif letter.order == "sorted":
            head_lines = head_lines or split_section(path, head_text, letter)
            misplaced = _misplaced_sorted(letter, tpl, head_lines.lines, index - len(head_lines.head), skey)
        if misplaced and config.merge.fix_placement:
            placement_fixed = True
        elif misplaced:
            problems.append(problem("wrong-position", path, line, where=misplaced))
    for _index, text in removed.values():
        changes.append(Change("remove", path, _owner(tpl, text), None, text))

    if now is not None and current_text is not None:
        problems += _gone_since(tpl, current_text, now, changes, path)

    def line_of(change: Change) -> int:
        return next(i for i, t in removed_lines if t == change.old) + 1

    problems += ownership_problems(changes, rules, author, line_of)
    return Reading(tuple(changes), tuple(signatures), tuple(problems), text_changed, False, placement_fixed)


def _gone_since(tpl: Template, current_text: str, now: Bounds, changes: Sequence[Change], path: str) -> list[Problem]:
    """An amendment whose line left the letter since the branch was made (withdrawn, say) cannot land."""
    return [
        problem("line-gone", path, None, login=c.login)
        for c in changes
        if c.action == "replace" and find_signer(current_text, now.first, now.last, tpl, c.login) is None
    ]


def _misplaced_sorted(
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
