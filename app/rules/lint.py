"""Lint a whole letter: every line parses, nobody signs twice, and the order holds."""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from app.rules.bulk import Scan, normalized, scan
from app.rules.checks import line_fixer, line_problems, suggest_line
from app.rules.ledger import Ownership
from app.rules.letter import line_template, needs_name, parse_signature_file, split_section
from app.rules.lineformat import mentioned_logins
from app.rules.lint_parts import lint_parts
from app.rules.problems import Problem, problem
from app.rules.text import login_key, normalize_line, sort_key
from app.template import Parsed
from config.model import CONFIG_PATH, Config

# Problems only a whole-letter check finds (a PR is judged by its own lines): the CLI's words, offline.
LINT_MESSAGES = {
    "duplicate-line": "This line repeats line {first}: remove one of them.",
    "blank-line": "A blank line inside the signature list: remove it, so the list stays one block.",
    "unclosed-bracket": "This line opens `{opening}` and never closes it: add the missing `{closing}`.",
    "no-letter-file": f"`{{file}}` is not in this folder: fix `letter.file` in {CONFIG_PATH}, or lint the "
    "folder that holds the letter.",
    "no-start-marker": "`{file}` has no line `{marker}`, the line the signature list starts after: add it "
    f"just above the list, or fix `letter.start_after` in {CONFIG_PATH}.",
    "unreachable-variant": "The line variant `{variant}` is never used: `{winner}` reads every line it reads, and "
    "is as specific or more (as many fields bound and as much fixed text). Remove the variant, or give it a field "
    f"or fixed text of its own, in `letter.line_variants` in {CONFIG_PATH}.",
}
_NUMBERING = re.compile(r"^\s*(?:\d+[.)]|[-*+])?\s*")  # "12. " or "- ": the same signature, numbered anew
_BRACKETS = (("(", ")"), ("[", "]"))


def lint_problem(code: str, path: str, line: int | None, suggestion: str | None = None, **values: object) -> Problem:
    return Problem(code, LINT_MESSAGES[code].format(**values), path, line, suggestion)


def _missing(path: str, text: str | None, marker: str | None) -> Problem:
    if text is None or not marker:
        return lint_problem("no-letter-file", path, None, file=path)
    return lint_problem("no-start-marker", path, None, file=path, marker=marker.strip())


@dataclass(frozen=True)
class LintReport:
    """Problems (the letter is not clean), notes (harmless formatting undersigned reads fine) and warnings
    (the config has a part that does nothing, such as a line variant no line can reach)."""

    signatures: int
    problems: tuple[Problem, ...]
    notes: tuple[Problem, ...]
    warnings: tuple[Problem, ...] = ()
    # List letters: the lines (1-based) the template does not read. What `init` reports; not part of the verdict.
    unread: tuple[int, ...] = field(default=(), compare=False)

    @property
    def clean(self) -> bool:
        return not self.problems


def lint_letter(config: Config, files: Mapping[str, str], ownership: Ownership | None = None) -> LintReport:
    """Check every signature of the letter. `files` maps paths to text (the letter's files only).

    With the ledger's `ownership`, an account that owns two signatures still in the letter is a duplicate."""
    if config.letter.lists or config.letter.folders:  # several lists or folders: app.rules.lint_parts
        return LintReport(*lint_parts(config, files, ownership, lint_letter))
    report = _lint_directory(config, files) if config.letter.directory is not None else _lint_list(config, files)
    if config.letter.directory is None:
        warnings = tuple(
            lint_problem("unreachable-variant", CONFIG_PATH, None, variant=variant, winner=winner)
            for variant, winner in line_template(config.letter).unreachable()
        )
        report = LintReport(report.signatures, report.problems, report.notes, warnings, report.unread)
    if ownership is None or not ownership.owners_by_key:
        return report
    extra = _owned_twice(config, files, ownership)
    problems = sorted((*report.problems, *extra), key=lambda p: (p.path or "", p.line or 0))
    return LintReport(report.signatures, tuple(problems), report.notes, report.warnings, report.unread)


def _owned_twice(config: Config, files: Mapping[str, str], ownership: Ownership) -> list[Problem]:
    """Signatures the ledger binds to an account that already owns an earlier one in the letter."""
    letter = config.letter
    where: dict[str, tuple[str, int]] = {}
    if letter.directory is None:
        text = files.get(letter.file)
        section = split_section(letter.file, text, letter) if text is not None else None
        if section is None or not section.found:
            return []
        for index, raw in enumerate(section.lines):
            where.setdefault(normalize_line(raw), (letter.file, section.lineno(index)))
    else:
        where = {p.casefold(): (p, 1) for p in files}
    folder = letter.directory is not None
    present = [
        (spot, owners)
        for key, owners in ownership.owners_by_key.items()
        if (spot := where.get(key.casefold() if folder else key)) is not None
    ]
    out: list[Problem] = []
    first: dict[str, tuple[str, int]] = {}
    for spot, owners in sorted(present, key=lambda item: item[0]):
        for owner in owners:
            account = str(owner.id) if owner.id is not None else owner.login.casefold()
            seen = first.setdefault(account, spot)
            if seen != spot:
                at = f" in `{seen[0]}`" if folder else f" on line {seen[1]}"
                out.append(problem("duplicate-signer", spot[0], spot[1], login=owner.login, where=at))
    return out


def _lint_list(config: Config, files: Mapping[str, str]) -> LintReport:
    letter, rules = config.letter, config.signers
    path = letter.file
    text = files.get(path)
    if text is None:
        return LintReport(0, (_missing(path, None, letter.start_after),), ())
    section = split_section(path, text, letter)
    if not section.found:
        return LintReport(0, (_missing(path, text, letter.start_after),), ())
    tpl = line_template(letter)
    offset = len(section.head) + 1
    lines, changed, blob = normalized(section.lines)
    notes = [problem("not-normalized", path, offset + i, lines[i]) for i in changed if lines[i]]
    read = scan(tpl, lines, blob, rules.max_name_length)
    alone = read.suspects if read is not None else [i for i, x in enumerate(lines) if x]
    problems: list[Problem] = []
    handles: dict[int, Collection[str]] = {}  # the logins each line read alone names
    parsed_at: dict[int, Parsed] = {}
    unread: list[int] = []
    fixer, name_required = line_fixer(tpl), "name" in tpl.fields
    for index in alone:
        line, lineno = lines[index], offset + index
        parsed = tpl.parse(line)
        if parsed is None:
            unread.append(lineno)
            fix = suggest_line(tpl, line, None)
            problems.append(problem("line-format", path, lineno, fix, template=letter.line))
            handles[index] = mentioned_logins(line) if "login" in tpl.fields else ()
        else:
            parsed_at[index] = parsed
            required = name_required and "name" in tpl.shape(parsed).own_fields
            problems += line_problems(parsed, rules, (path, lineno), fixer, name_required=required)
            handles[index] = parsed.logins
    count = len(parsed_at) + (read.clear if read is not None else 0)
    problems += _duplicates(path, offset, read, handles, len(lines))
    layout = _layout(path, offset, lines, {p.line for p in problems if p.code == "duplicate-signer"})
    unclosed = {p.line for p in layout if p.code == "unclosed-bracket"}  # says more than line-format, so it wins
    problems = [p for p in problems if not (p.code == "line-format" and p.line in unclosed)] + layout
    if letter.order == "sorted":
        rows = [(i, p.name, p.login) for i, p in parsed_at.items()]
        if read is not None:
            rows += [(i, read.names[i].strip(), read.logins[i]) for i in read.fits(lines)]
        # A repeated line is said as such; it would only blame the lines around it for being out of place.
        repeated = {p.line for p in problems if p.code in ("duplicate-signer", "duplicate-line")}
        rows = sorted(row for row in rows if offset + row[0] not in repeated)
        keyed = [(sort_key(name, login, letter.sort_key), offset + i, name) for i, name, login in rows]
        problems += _misordered(keyed, path, letter.sort_key)
    problems.sort(key=lambda p: p.line or 0)
    return LintReport(count, tuple(problems), tuple(notes), unread=tuple(unread))


def _duplicates(
    path: str, offset: int, read: Scan | None, handles: dict[int, Collection[str]], n: int
) -> list[Problem]:
    """A handle named on an earlier line (text or link, well-formed or not) is a repeated signer."""
    out: list[Problem] = []
    distinct = {i: _distinct(found) for i, found in handles.items()}
    if all(len(x) <= 1 for x in distinct.values()):
        # One handle a line at most: the first line of each handle, found at C speed.
        keys = "\n".join(read.logins).casefold().split("\n") if read is not None else [""] * n
        for i, found in distinct.items():
            keys[i] = next(iter(found), "").casefold()
        first = dict(zip(reversed(keys), range(n - 1, -1, -1), strict=True))
        if len(first) - ("" in first) == n - keys.count(""):
            return out
        for i, key in enumerate(keys):
            if key and first[key] != i:
                login = distinct[i][0] if i in distinct else read.logins[i] if read is not None else key
                where = f" on line {offset + first[key]}"
                out.append(problem("duplicate-signer", path, offset + i, login=login, where=where))
        return out
    empty: tuple[str, ...] = ()
    named: list[tuple[str, ...]] = [(x,) if x else empty for x in read.logins] if read is not None else [empty] * n
    for i, found in distinct.items():
        named[i] = found
    seen: dict[str, int] = {}
    for i, logins in enumerate(named):
        for login in logins:
            at = seen.setdefault(login.casefold(), offset + i)
            if at != offset + i:
                out.append(problem("duplicate-signer", path, offset + i, login=login, where=f" on line {at}"))
                break
    return out


def _layout(path: str, offset: int, lines: list[str], repeated: set[int | None]) -> list[Problem]:
    """Whole-list checks, linear: a line that repeats an earlier one, a blank line between signatures, and a
    bracket opened and never closed."""
    out: list[Problem] = []
    filled = [i for i, line in enumerate(lines) if line.strip()]
    inside = range(filled[0], filled[-1]) if filled else range(0)
    first: dict[str, int] = {}
    for i in inside:
        if not lines[i].strip():
            out.append(lint_problem("blank-line", path, offset + i))
    for i in filled:
        line, lineno = lines[i], offset + i
        key = _NUMBERING.sub("", line).strip().casefold()
        seen = first.setdefault(key, lineno)
        if seen != lineno and lineno not in repeated:
            out.append(lint_problem("duplicate-line", path, lineno, first=seen))
        for opening, closing in _BRACKETS:
            if line.count(opening) > line.count(closing):
                fixed = line.rstrip() + closing
                out.append(lint_problem("unclosed-bracket", path, lineno, fixed, opening=opening, closing=closing))
    return out


def _distinct(logins: Collection[str]) -> tuple[str, ...]:
    """The handles of a line in order, the same handle in the text and the link counted once."""
    out: list[str] = []
    for login in logins:
        if not out or out[-1] != login:
            out.append(login)
    return tuple(out)


def _misordered(keyed: list[tuple[tuple[str, str], int, str]], path: str, by: str) -> list[Problem]:
    """The fewest lines to move to sort the list: those outside a longest non-decreasing run."""
    if all(keyed[i][0] <= keyed[i + 1][0] for i in range(len(keyed) - 1)):
        return []
    tails: list[tuple[str, str]] = []  # patience sorting: smallest tail key of each run length
    tail_at: list[int] = []
    parent = [-1] * len(keyed)
    for i, (key, _, _) in enumerate(keyed):
        j = bisect.bisect_right(tails, key)
        if j == len(tails):
            tails.append(key)
            tail_at.append(i)
        else:
            tails[j], tail_at[j] = key, i
        parent[i] = tail_at[j - 1] if j else -1
    keep: set[int] = set()
    i = tail_at[-1]
    while i >= 0:
        keep.add(i)
        i = parent[i]
    out = []
    kept = sorted(keep)
    for i, (key, lineno, _) in enumerate(keyed):
        if i in keep:
            continue
        after = bisect.bisect_left([keyed[k][0] for k in kept], key)
        where = f"the list is sorted by {by}, so it belongs " + (
            f"before `{keyed[kept[after]][2]}`" if after < len(kept) else f"after `{keyed[kept[-1]][2]}`"
        )
        out.append(problem("wrong-position", path, lineno, where=where))
    return out


def _lint_directory(config: Config, files: Mapping[str, str]) -> LintReport:
    letter, rules = config.letter, config.signers
    prefix = (letter.directory or "").rstrip("/") + "/"
    name_required = needs_name(letter)
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    count = 0
    for path in sorted(files):
        if not path.startswith(prefix):
            continue
        parsed = parse_signature_file(path, files[path], letter)
        if isinstance(parsed, str):
            problems.append(problem("file-format", path, 1, None, reason=parsed))
            continue
        count += 1
        problems += line_problems(parsed, rules, (path, 1), lambda _parsed, _login: None, name_required=name_required)
        if not parsed.login:
            continue  # a file without a login is bound to its account in the ledger (see _owned_twice)
        first = seen.setdefault(login_key(parsed.login), path)
        if first != path:
            problems.append(problem("duplicate-signer", path, 1, login=parsed.login, where=f" in `{first}`"))
    return LintReport(count, tuple(problems), ())
