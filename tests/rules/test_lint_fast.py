"""Lint's whole-list fast path reports exactly what reading every line alone reports."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.rules.checks import line_fixer, line_problems, suggest_line
from app.rules.letter import line_template, split_section
from app.rules.lineformat import mentioned_logins
from app.rules.lint import LintReport, _layout, _misordered, lint_letter
from app.rules.problems import Problem, problem
from app.rules.text import normalize_line, sort_key
from bench.corpus_replay import LETTERS, load_config
from config import Config
from tests.helpers import CORPUS, SEED_CONFIG_YAML, config, seed_text
from tests.rules.shapes import LIST_LETTERS


def reference(cfg: Config, files: Mapping[str, str]) -> LintReport:
    """The line-by-line lint, as it was before the fast path."""
    letter, rules = cfg.letter, cfg.signers
    path = letter.file
    section = split_section(path, files[path], letter)
    tpl = line_template(letter)
    problems: list[Problem] = []
    notes: list[Problem] = []
    seen: dict[str, int] = {}
    keyed: list[tuple[tuple[str, str], int, str]] = []
    count, offset = 0, len(section.head) + 1
    for index, raw in enumerate(section.lines):
        line = normalize_line(raw)
        if not line:
            continue
        lineno = offset + index
        if line != raw:
            notes.append(problem("not-normalized", path, lineno, line))
        parsed = tpl.parse(line)
        logins: Collection[str]
        if parsed is None:
            problems.append(problem("line-format", path, lineno, suggest_line(tpl, line, None), template=letter.line))
            logins = mentioned_logins(line) if "login" in tpl.fields else ()  # issue 23: no login read out of text
        else:
            count += 1
            problems += line_problems(
                parsed, rules, (path, lineno), line_fixer(tpl), name_required="name" in tpl.shape(parsed).own_fields
            )
            logins = parsed.logins
            if letter.order == "sorted":
                keyed.append((sort_key(parsed.name, parsed.login, letter.sort_key), lineno, parsed.name))
        previous = ""
        for login in logins:
            if login == previous:
                continue
            previous = login
            first = seen.setdefault(login.casefold(), lineno)
            if first != lineno:
                problems.append(problem("duplicate-signer", path, lineno, login=login, where=f" on line {first}"))
                break
    # Issue 19: the whole-list checks (repeated lines, blank lines, unclosed brackets); a repeated line is not
    # also blamed for its place.
    lines = [normalize_line(raw) for raw in section.lines]
    layout = _layout(path, offset, lines, {p.line for p in problems if p.code == "duplicate-signer"})
    unclosed = {p.line for p in layout if p.code == "unclosed-bracket"}  # said instead of line-format
    problems = [p for p in problems if not (p.code == "line-format" and p.line in unclosed)] + layout
    repeated = {p.line for p in problems if p.code in ("duplicate-signer", "duplicate-line")}
    problems += _misordered([k for k in keyed if k[1] not in repeated], path, letter.sort_key)
    problems.sort(key=lambda p: p.line or 0)
    return LintReport(count, tuple(problems), tuple(notes))


def _same(cfg: Config, text: str) -> None:
    files = {cfg.letter.file: text}
    assert lint_letter(cfg, files) == reference(cfg, files)


@pytest.mark.parametrize("letter", [x for x in LETTERS if load_config(x).letter.directory is None])
def test_corpus_letters(letter: str) -> None:
    cfg = load_config(letter)
    raw = (CORPUS / f"{letter}.lines.txt").read_bytes().decode("utf-8")
    marker = f"{cfg.letter.start_after}\n\n" if cfg.letter.start_after else ""
    _same(cfg, "# Letter\n\n" + marker + raw)


def test_seed_letter() -> None:
    _same(config(SEED_CONFIG_YAML), seed_text())


LINES = st.sampled_from(
    [
        "-  Ada Lovelace [@ada](https://github.com/ada)",
        "-  Ada [@ADA](https://github.com/ada)",
        "-  Bob [@bob](https://github.com/bobby)",
        "-  Lady [@lady_ada](https://github.com/lady_ada)",
        "-  Ada <b>x</b> [@cy](https://github.com/cy)",
        "- Ada Lovelace, @ada (Engines)",
        "- Zed, @zed",
        "- Cy Pre",
        "1. Ada Lovelace (Engines)",
        "| Ada | Org | [@ada](https://github.com/ada) |",
        "ada 3f9c2b1aa",
        "\u2013  Ana\u00a0Lee [@ana](https://github.com/ana)  ",
        "-  Ze\u0301 [@ze](https://github.com/ze)\r",
        "\t-  Tab [@tab](https://github.com/tab)",
        "",
        "  ",
        "@ada says hi",
        "-  " + "A" * 120 + " [@long](https://github.com/long)",
        "-  Ada\u202e [@rlo](https://github.com/rlo)",
        "-  A [@a--b](https://github.com/a--b)",
    ]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.sampled_from([config(SEED_CONFIG_YAML), *(c for c, *_ in LIST_LETTERS.values())]), st.lists(LINES, max_size=12)
)
def test_random_letters(cfg: Config, lines: list[str]) -> None:
    marker = f"{cfg.letter.start_after}\n" if cfg.letter.start_after else ""
    _same(cfg, "Text\n" + marker + "\n".join(lines))
