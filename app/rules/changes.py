"""Read what a PR changes in the list (or the signers' folder): each change, and what is wrong with it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from app.rules.checks import (
    control_problems,
    line_fixer,
    line_problems,
    ownership_problems,
    raw_line_problems,
    suggest_line,
)
from app.rules.diff import Stray, diff_texts, has_text
from app.rules.ledger import Ownership
from app.rules.letter import Bounds, Section, Signature, line_template, list_bounds, split_section
from app.rules.lineformat import salvage
from app.rules.model import Author, Change, Reading, Snapshots
from app.rules.placement import misplaced_sorted
from app.rules.problems import Problem, problem
from app.rules.text import is_valid_login, login_key, normalize_line, sort_key
from app.template import Template
from config.model import Config


def classify(changes: Sequence[Change]) -> Literal["sign", "withdraw", "amend"]:
    actions = {c.action for c in changes}
    if actions <= {"add"} and actions:
        return "sign"
    if actions == {"remove"}:
        return "withdraw"
    return "amend"


def find_signer(text: str, first: int, last: int, tpl: Template, login: str) -> int | None:
    """0-based file line of `login`'s signature between lines first..last, or None. Fast on 100k lines."""
    if not login:
        return None
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


@dataclass(frozen=True)
class _Owner:
    key: str  # login_key of the owner, or a unique marker for a line nobody is known to own
    login: str  # "" when nobody is known to own the line
    account: int | None


def _owner(tpl: Template, text: str, owned: Ownership, author: Author) -> _Owner:
    """Whose a list line is: the login it carries, else the ledger's word, else nobody known."""
    parsed = tpl.parse(text)
    if parsed is not None and parsed.login:
        return _Owner(login_key(parsed.login), parsed.login, None)
    owners = owned.owners(text)
    for o in owners:
        if o.is_(author.login, author.id):
            return _Owner(login_key(author.login), author.login, o.id if o.id is not None else author.id)
    if owners:
        return _Owner(login_key(owners[0].login), owners[0].login, owners[0].id)
    found = salvage(text)[1] if parsed is None and "login" in tpl.fields else None  # never read one out of text
    if found:
        return _Owner(login_key(found), found, None)
    return _Owner("\0" + text, "", None)


def _joined(tpl: Template, added: str, removed: dict[str, tuple[int, str, _Owner]]) -> tuple[str, str] | None:
    """An added line that is a kept line with a new signature glued on (the file had no final newline)."""
    for key, (_i, old, _o) in removed.items():
        rest = added[len(old) :].strip()
        if added.startswith(old) and rest and tpl.parse(rest) is not None:
            return key, rest
    return None


def read_list(
    config: Config, path: str, texts: Snapshots[str], author: str | Author, ownership: Ownership | None = None
) -> Reading:
    """What a PR changes in the list at `path`: its base, head and (when known) current text."""
    base_text, head_text, current_text = texts.base, texts.head, texts.current
    who = author if isinstance(author, Author) else Author(author)
    letter, rules, owned = config.letter, config.signers, ownership or Ownership()
    tpl = line_template(letter)
    base = list_bounds(base_text, letter)
    if base is None:
        return Reading(missing_marker=True)
    head = list_bounds(head_text, letter)
    diff = diff_texts(base_text, head_text)
    removed_lines = [(i, t) for i, t in diff.removed if base.holds(i)]
    if head is None:  # the PR removed or rewrote the line the list starts after
        if not removed_lines and all(j < base.first for j, _ in diff.added):
            return Reading()
        return Reading(problems=(problem("list-start-changed", path, None, marker=letter.start_after),))
    # Bounded before any line is parsed: one over-long line is the whole answer.
    too_long = [p for j, t in diff.added for p in raw_line_problems(t, rules, (path, j + 1))]
    if too_long:
        return Reading(problems=tuple(too_long))
    added_lines = [(j, t) for j, t in diff.added if head.holds(j)]
    trusted = {login_key(t) for t in rules.trusted}
    is_trusted, author_k = login_key(who.login) in trusted, login_key(who.login)
    outside = [(j, t) for j, t in diff.added if not head.holds(j)]
    astray = _astray(
        tpl, outside, removed_lines, added_lines, len(diff.removed) - len(removed_lines), trusted=is_trusted
    )
    text_changed = len(removed_lines) < len(diff.removed) or len(added_lines) + len(astray) < len(diff.added)
    if letter.order == "sorted" and removed_lines and added_lines:
        removed_lines, added_lines = _without_moves(config, path, head_text, removed_lines, added_lines)
    if not removed_lines and not added_lines and not astray:
        return Reading()  # the list is as it was: a change of the letter's text, or of nothing
    head_lines: Section | None = None  # split only when the sorted-order check needs neighbours
    removed: dict[str, tuple[int, str, _Owner]] = {}
    for index, text in removed_lines:
        owner = _owner(tpl, text, owned, who)
        removed.setdefault(owner.key, (index, text, owner))
    # A blank line beside a change of the letter's text is part of that change (letter-text-changed says so).
    strays = [x for x in diff.stray if x.kind == "changed" or not text_changed]
    problems: list[Problem] = [_stray_problem(path, x) for x in strays]
    changes: list[Change] = []
    signatures: list[Signature] = []
    seen: set[str] = set()
    placement_fixed = False
    fixer = line_fixer(tpl)
    # The default branch as it is now, when it moved since the branch was made: duplicates, vanished lines.
    moved = current_text is not None and current_text != base_text
    now = list_bounds(current_text, letter) if current_text is not None and moved else None
    where_list = "signatures go in the list" + (
        f", after the `{letter.start_after}` line" if letter.start_after else f", before the `{letter.end_before}` line"
    )
    for index, text in sorted([*added_lines, *astray]):
        line = index + 1
        misplaced = where_list if not head.holds(index) else None
        glued = _joined(tpl, text, removed)
        if glued is not None:
            del removed[glued[0]]
            text, misplaced = glued[1], "each signature goes on a line of its own"
        parsed = tpl.parse(text)
        if parsed is None:
            problems += _unreadable(tpl, text, path, line, who.login, trusted=is_trusted)
            problems += control_problems(text, (), (path, line))
            continue
        problems += line_problems(
            parsed, rules, (path, line), fixer, author=who.login, name_required="name" in tpl.shape(parsed).own_fields
        )
        problems += control_problems(text, problems, (path, line))
        # A trusted maintainer's line without a login is for the person it names, not for the maintainer.
        # (Their own line, amended, stays theirs.)
        for_other = is_trusted and not parsed.login and "name" in tpl.shape(parsed).own_fields
        for_other = for_other and author_k not in removed
        key = login_key(parsed.login) if parsed.login else "\0" + text if for_other else author_k
        login = parsed.login or ("" if for_other else who.login)
        signatures.append(Signature(parsed.name, login, parsed.affiliation, path, line, text))
        # A replaced line is judged by whose it was (ownership_problems), not as a new signature.
        # An invalid login's problem already carries the fix with the author's own login.
        valid = is_valid_login(parsed.login)
        if rules.author_must_match and not is_trusted and key != author_k and key not in removed and valid:
            problems.append(problem("author-mismatch", path, line, login=parsed.login, author=who.login, hint=""))
        account = who.id if key == author_k else None
        skey = sort_key(parsed.name, login, letter.sort_key)
        if key in removed:
            old, owner = removed.pop(key)[1:]
            changes.append(Change("replace", path, owner.login or login, text, old, skey, owner.account or account))
            continue
        if key in seen:
            problems.append(problem("duplicate-signer", path, line, login=login, where=" in this PR"))
        seen.add(key)
        prior = _prior(base_text, base, tpl, login, who, owned) if not for_other else None
        if prior is None and now is not None and current_text is not None and not for_other:
            prior = _prior(current_text, now, tpl, login, who, owned)
        if prior is not None:
            problems.append(problem("duplicate-signer", path, line, login=login, where=f" on line {prior + 1}"))
        changes.append(Change("add", path, login, text, None, skey, account, who.login if for_other else None))
        if misplaced is None and letter.order == "append":
            later = any(k > index and head.holds(k) for k in diff.kept_in_window)
            if later or has_text(head_text, diff.head_end, head.end_offset):
                misplaced = "new signatures go at the end of the list"
        elif misplaced is None and letter.order == "sorted":
            head_lines = head_lines or split_section(path, head_text, letter)
            misplaced = misplaced_sorted(letter, tpl, head_lines.lines, index - len(head_lines.head), skey)
        if misplaced and config.merge.fix_placement:
            placement_fixed = True
        elif misplaced:
            problems.append(problem("wrong-position", path, line, where=misplaced))
    for _index, text, owner in removed.values():
        changes.append(Change("remove", path, owner.login, None, text, None, owner.account))

    if now is not None and current_text is not None:
        problems += _gone_since(tpl, current_text, now, changes, path)

    def line_of(change: Change) -> int:
        return next(i for i, t in removed_lines if t == change.old) + 1

    problems += ownership_problems(changes, rules, who, line_of)
    return Reading(tuple(changes), tuple(signatures), tuple(problems), text_changed, False, placement_fixed)


def _without_moves(
    config: Config, path: str, head_text: str, removed: list[tuple[int, str]], added: list[tuple[int, str]]
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The list's changes without the lines the PR only moved into their sorted place: a placement fix, not an
    edit of anyone's line. It never lands (landing puts new lines in their place itself, `merge.fix_placement`)."""
    letter, tpl = config.letter, line_template(config.letter)
    gone: dict[str, list[int]] = {}
    for i, text in removed:
        gone.setdefault(text, []).append(i)
    section: Section | None = None
    moved_from: set[int] = set()
    moved_to: set[int] = set()
    for j, text in added:
        spots = [i for i in gone.get(text, ()) if i not in moved_from]
        parsed = tpl.parse(text) if spots else None
        if parsed is None:
            continue
        section = section or split_section(path, head_text, letter)
        key = sort_key(parsed.name, parsed.login, letter.sort_key)
        if misplaced_sorted(letter, tpl, section.lines, j - len(section.head), key) is None:
            moved_from.add(spots[0])
            moved_to.add(j)
    if not moved_to:
        return removed, added
    return [x for x in removed if x[0] not in moved_from], [x for x in added if x[0] not in moved_to]


_STRAY = {
    "added": "it adds a line with nothing on it (blank, or a bullet alone)",
    "removed": "it removes a blank line",
    "changed": "it changes only invisible characters (spaces, a line ending, Unicode form) or the bullet",
}


def _stray_problem(path: str, stray: Stray) -> Problem:
    """An edit with no content of its own, named; the fix restores the line as it was."""
    fix = stray.was if stray.kind == "changed" else None
    return problem("invisible-edit", path, stray.line + 1, fix, number=stray.line + 1, what=_STRAY[stray.kind])


def _astray(
    tpl: Template,
    outside: list[tuple[int, str]],
    removed: list[tuple[int, str]],
    added: list[tuple[int, str]],
    text_removed: int,
    *,
    trusted: bool,
) -> list[tuple[int, str]]:
    """Signature lines added to the letter's text instead of the list: the signer is told where they go.

    A line carrying a login is a signature wherever it is; a line without one only when it is the PR's
    one change (a bullet added to the letter's text by a maintainer is text)."""
    if trusted:
        return []
    found = [(j, t) for j, t in outside if (p := tpl.parse(t)) is not None and p.login]
    if found:
        return found
    alone = len(outside) == 1 and not removed and not added and not text_removed
    return outside if alone and tpl.parse(outside[0][1]) is not None else []


def _unreadable(tpl: Template, text: str, path: str, line: int, author: str, *, trusted: bool) -> list[Problem]:
    """A line that does not fit: the format fixed when that keeps whose it is, else no line offered."""
    template = tpl.source  # the letter's `line`, as configured
    found = salvage(text)[1] if "login" in tpl.fields else None  # a login-free letter names nobody's account
    if found and not trusted and login_key(found) != login_key(author) and is_valid_login(found):
        return [
            problem("line-format", path, line, None, template=template),
            problem("author-mismatch", path, line, login=found, author=author, hint=""),
        ]
    return [problem("line-format", path, line, suggest_line(tpl, text, author), template=template)]


def _prior(text: str, bounds: Bounds, tpl: Template, login: str, who: Author, owned: Ownership) -> int | None:
    """The line where this signer signed already: their login in a line, or (when the line is the author's
    own) a line the ledger binds to them."""
    hit = find_signer(text, bounds.first, bounds.last, tpl, login)
    if hit is not None or login_key(login) != login_key(who.login):
        return hit
    for key in owned.keys_of(who.login, who.id):
        at = _line_index(text, bounds, key)
        if at is not None:
            return at
    return None


def _gone_since(tpl: Template, current_text: str, now: Bounds, changes: Sequence[Change], path: str) -> list[Problem]:
    """An amendment whose line left the letter since the branch was made (withdrawn, say) cannot land."""
    return [
        problem("line-gone", path, None, login=c.login)
        for c in changes
        if c.action == "replace"
        and c.old is not None
        and find_signer(current_text, now.first, now.last, tpl, c.login) is None
        and _line_index(current_text, now, c.old) is None
    ]


def _line_index(text: str, bounds: Bounds, wanted: str) -> int | None:
    """The 0-based index of a list line that reads as `wanted`, found at C speed."""
    pos = text.find(wanted)
    while pos >= 0:
        start, end = text.rfind("\n", 0, pos) + 1, text.find("\n", pos)
        index = text.count("\n", 0, start)
        if normalize_line(text[start : end if end >= 0 else len(text)]) == wanted and bounds.holds(index):
            return index
        pos = text.find(wanted, pos + 1)
    return None
