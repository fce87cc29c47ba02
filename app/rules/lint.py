"""Lint a whole letter: every line parses, nobody signs twice, and the order holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from app.rules.checks import line_problems, suggest_line
from app.rules.letter import line_template, parse_signature_file, split_section
from app.rules.problems import Problem, problem
from app.rules.text import login_key, normalize_line, sort_key
from config.model import Config


@dataclass(frozen=True)
class LintReport:
    """Problems (the letter is not clean) and notes (harmless formatting undersigned reads fine)."""

    signatures: int
    problems: tuple[Problem, ...]
    notes: tuple[Problem, ...]

    @property
    def clean(self) -> bool:
        return not self.problems


def lint_letter(config: Config, files: Mapping[str, str]) -> LintReport:
    """Check every signature of the letter. `files` maps paths to text (the letter's files only)."""
    if config.letter.directory is not None:
        return _lint_directory(config, files)
    letter, rules = config.letter, config.signers
    path = letter.file
    text = files.get(path)
    if text is None:
        return LintReport(0, (problem("letter-missing", path, None, file=path, marker=letter.start_after),), ())
    section = split_section(path, text, letter)
    if not section.found:
        return LintReport(0, (problem("letter-missing", path, None, file=path, marker=letter.start_after),), ())
    tpl = line_template(letter)
    parse = tpl.parse
    by, sorted_order = letter.sort_key, letter.order == "sorted"
    problems: list[Problem] = []
    notes: list[Problem] = []
    seen: dict[str, int] = {}
    count = 0
    prev_key: tuple[str, str] | None = None
    prev_name = ""
    offset = len(section.head) + 1
    for index, raw in enumerate(section.lines):
        line = normalize_line(raw)
        if not line:
            continue
        lineno = offset + index
        if line != raw:
            notes.append(problem("not-normalized", path, lineno, line))
        parsed = parse(line)
        if parsed is None:
            fix = suggest_line(tpl, line, None)
            problems.append(problem("line-format", path, lineno, fix, template=letter.line))
            continue
        count += 1
        render = partial(tpl.render, parsed.name, affiliation=parsed.affiliation, number=parsed.number or 1)
        problems += line_problems(parsed, rules, path, lineno, render)
        key = login_key(parsed.login)
        first = seen.setdefault(key, lineno)
        if first != lineno:
            problems.append(problem("duplicate-signer", path, lineno, login=parsed.login, where=f" on line {first}"))
        if sorted_order:
            skey = sort_key(parsed.name, parsed.login, by)
            if prev_key is not None and skey < prev_key:
                where = f"the list is sorted by {by}, so it belongs before `{prev_name}`"
                problems.append(problem("wrong-position", path, lineno, where=where))
            else:
                prev_key, prev_name = skey, parsed.name
    return LintReport(count, tuple(problems), tuple(notes))


def _lint_directory(config: Config, files: Mapping[str, str]) -> LintReport:
    letter, rules = config.letter, config.signers
    prefix = (letter.directory or "").rstrip("/") + "/"
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
        problems += line_problems(parsed, rules, path, 1, lambda _login: None)
        first = seen.setdefault(login_key(parsed.login), path)
        if first != path:
            problems.append(problem("duplicate-signer", path, 1, login=parsed.login, where=f" in `{first}`"))
    return LintReport(count, tuple(problems), ())
