"""The verified marker ({verified}): undersigned writes it on a line whose affiliation it verified, never the signer."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from app.rules.ledger import parse_ledger
from app.rules.letter import line_template, split_section
from app.rules.model import Change
from app.rules.problems import Problem, problem
from app.rules.text import login_key, normalize_line
from config.model import Config, LetterConfig


def uses_marker(letter: LetterConfig) -> bool:
    """Whether this letter's lines carry the verified marker (a list letter whose template has {verified})."""
    return letter.directory is None and letter.pattern is None and "verified" in line_template(letter).fields


def with_marker(letter: LetterConfig, text: str, *, marked: bool) -> str:
    """The line as it lands: its marker place emptied of whatever the signer wrote there, then filled with the
    maintainer's marker when `marked` (a verified affiliation). Every other byte of the line is kept."""
    if not uses_marker(letter):
        return text
    slot = line_template(letter).slot(normalize_line(text)) if text == normalize_line(text) else None
    if slot is None:
        return text
    start, end, filled = slot
    return text[:start] + (filled if marked else "") + text[end:]


def hand_written(
    letter: LetterConfig, changes: Sequence[Change], lines: Mapping[str, tuple[str, int | None]]
) -> tuple[tuple[Change, ...], tuple[Problem, ...], tuple[str, ...]]:
    """The changes with any marker their signer wrote in its place left out (with a note: it is added for them
    once verified), and a problem for a marker written anywhere else in a line. `lines` gives each changed
    line's place (path, line number) for the problem. A hand-written marker never lands as a claim."""
    if not uses_marker(letter):
        return tuple(changes), (), ()
    marker = letter.verified_marker
    out: list[Change] = []
    problems: list[Problem] = []
    noted = False
    for change in changes:
        if change.action == "remove" or change.text is None:
            out.append(change)
            continue
        bare = with_marker(letter, change.text, marked=False)
        if marker in bare:
            parsed = line_template(letter).parse(normalize_line(bare))
            field = next(
                (f for f in ("name", "affiliation") if parsed is not None and marker in (parsed.value(f) or "")), "line"
            )
            at = lines.get(change.text, (change.path, None))
            fixed = re.sub(" ?" + re.escape(marker), "", bare)  # the line without it, when that still reads
            suggestion = fixed if line_template(letter).parse(normalize_line(fixed)) is not None else None
            problems.append(problem("marker-by-hand", at[0], at[1], suggestion, marker=marker, field=field))
        noted = noted or bare != change.text
        out.append(replace(change, text=bare))
    note = (
        f"The `{marker}` in your line is left out: undersigned writes it itself, on a line whose affiliation "
        "it verified."
    )
    return tuple(out), tuple(problems), (note,) if noted else ()


def unmark(config: Config, files: Mapping[str, str], signers: Sequence[tuple[str, int | None]]) -> list[Change]:
    """The changes that take the marker off these signers' lines (login, account id), for a re-check that
    dropped their marks: each line as it is now, without the marker. A line that carries none is left alone."""
    letter = config.letter
    text = files.get(letter.file)
    if not uses_marker(letter) or text is None:
        return []
    section = split_section(letter.file, text, letter)
    tpl, owned = line_template(letter), parse_ledger(files.get(letter.ledger))
    out: list[Change] = []
    for login, account in signers:
        keys = set(owned.keys_of(login, account))
        for raw in section.lines:
            line = normalize_line(raw)
            parsed = tpl.parse(line) if line else None
            if parsed is None or not parsed.value("verified"):
                continue
            if login_key(parsed.login or "") == login_key(login) or (not parsed.login and line in keys):
                bare = with_marker(letter, line, marked=False)
                out.append(Change("replace", letter.file, login, bare, line, account=account))
    return out
