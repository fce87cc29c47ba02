"""Across the lists of one letter: a person signs in one 'people' list, an organisation signs once.

An organisation's line is bound in the ledger to the representative who opened the PR (it carries no login of
its own), so they alone may amend or withdraw it, as any login-free line (app.rules.changes). What makes two
organisation lines one organisation is its name, compared case-insensitively with accents folded; what makes
two people one is their account."""

from __future__ import annotations

from collections.abc import Iterable

from app.rules.changes import find_signer
from app.rules.ledger import Ownership
from app.rules.letter import Section, line_template, list_bounds, split_section
from app.rules.model import Author, Change, Reading
from app.rules.problems import Problem, problem
from app.rules.text import clean_name, fold, login_key, normalize_line
from config.model import Config
from config.parts import ListConfig

Read = tuple[ListConfig, Config, Reading]


def _line_of(got: Reading, change: Change) -> int | None:
    """The PR's line number of an added line."""
    return next((s.line for s in got.signatures if s.text == change.text), None)


def _gone(got: Reading) -> set[str]:
    """The lines this PR removes or replaces in one list (a signer moving their own line is no duplicate)."""
    return {c.old for c in got.changes if c.action != "add" and c.old is not None}


def _sections(cfg: Config, texts: Iterable[str | None]) -> list[tuple[str, Section]]:
    return [(t, split_section("", t, cfg.letter)) for t in texts if t is not None]


def people_problems(
    readings: list[Read], base: str, now: str | None, author: Author, owned: Ownership
) -> list[Problem]:
    """A person who signs in one 'people' list while they signed in another already, or in two in one PR."""
    people = [r for r in readings if r[0].signers == "people"]
    out: list[Problem] = []
    first: dict[str, str] = {}
    for spec, _cfg, got in people:
        for c in got.changes:
            if c.action != "add":
                continue
            key = login_key(c.login or author.login)
            if key in first and first[key] != spec.name:
                where = f" in this PR, in the lists “{first[key]}” and “{spec.name}”"
                out.append(problem("duplicate-signer", c.path, _line_of(got, c), login=c.login, where=where))
            first.setdefault(key, spec.name)
            for other, cfg, theirs in people:
                if other.name == spec.name:
                    continue
                at = _signed_in(cfg, (base, now), c, author, owned, _gone(theirs))
                if at is not None:
                    where = f" in the list “{other.name}”, on line {at + 1}"
                    out.append(problem("duplicate-signer", c.path, _line_of(got, c), login=c.login, where=where))
                    break
    return out


def _signed_in(
    cfg: Config, texts: tuple[str, str | None], change: Change, author: Author, owned: Ownership, gone: set[str]
) -> int | None:
    """The 0-based line where this signer signed in the list of `cfg` (their login, or a line the ledger binds
    to them), unless this PR removes that line."""
    tpl = line_template(cfg.letter)
    mine = login_key(change.login) == login_key(author.login)
    keys = set(owned.keys_of(author.login, author.id)) if mine else set()
    for text in texts:
        bounds = list_bounds(text, cfg.letter) if text is not None else None
        if text is None or bounds is None:
            continue
        hit = find_signer(text, bounds.first, bounds.last, tpl, change.login)
        if hit is not None and normalize_line(text.split("\n")[hit]) not in gone:
            return hit
        lines = text.split("\n")
        for i in range(bounds.first, min(len(lines), bounds.last + 1)):
            line = normalize_line(lines[i])
            if line in keys and line not in gone:
                return i
    return None


def organisation(cfg: Config, line: str) -> str | None:
    """The organisation a line names (its name, else its free text), folded for comparing; None: unreadable."""
    parsed = line_template(cfg.letter).parse(normalize_line(line))
    if parsed is None:
        return None
    named = parsed.name or parsed.value("text") or parsed.affiliation or ""
    return fold(clean_name(named)) or None


def organisation_problems(readings: list[Read], base: str, now: str | None) -> list[Problem]:
    """An organisation added to an 'organisations' list that already holds it (or twice in one PR)."""
    out: list[Problem] = []
    for spec, cfg, got in readings:
        if spec.signers != "organisations":
            continue
        gone = _gone(got)
        present: dict[str, str] = {}
        for _text, section in _sections(cfg, (base, now)):
            for line in section.lines:
                name = organisation(cfg, line)
                if name and normalize_line(line) not in gone:
                    present.setdefault(name, clean_name(line))
        added: set[str] = set()
        for c in got.changes:
            name = organisation(cfg, c.text or "") if c.action == "add" else None
            if name is None:
                continue
            label = _label(cfg, c.text or "")
            where = f" in the list “{spec.name}”" if name in present else " in this PR" if name in added else None
            if where is not None:
                out.append(problem("duplicate-organisation", c.path, _line_of(got, c), organisation=label, where=where))
            added.add(name)
    return out


def _label(cfg: Config, line: str) -> str:
    parsed = line_template(cfg.letter).parse(normalize_line(line))
    named = (parsed.name or parsed.value("text") or "") if parsed else ""
    return clean_name(named) or "This organisation"
