"""Landing in a letter of several lists or folders: each part's changes applied with that part's config.

The ledger is always written for such a letter: each entry's fourth column names the list or folder, so a
representative's organisation line and their own line are told apart (app.rules.orgs)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from app.rules.ledger import HEADER, parse_ledger, update_ledger
from app.rules.letter import split_section
from app.rules.model import Change
from app.rules.orgs import organisation
from app.rules.parts import parts
from app.rules.text import normalize_line
from config.model import Config

Apply = Callable[[Config, Mapping[str, str], Sequence[Change]], dict[str, str | None]]


class PartError(ValueError):
    """A change that no longer fits its part; `code` is the problem code the verdict gives the same case."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def apply_parts(
    config: Config, files: Mapping[str, str], changes: Sequence[Change], apply_one: Apply
) -> dict[str, str | None]:
    """New contents for every path the changes touch, the ledger included. `apply_one` applies one part's
    changes to the letter as a one-part letter (app.rules.apply), so both land the same bytes."""
    letter = config.letter
    out: dict[str, str | None] = {}
    view = _Layered(files, out)  # what each part sees: the letter with the parts before it applied
    known = {spec.name for spec, _cfg in parts(config)}
    if unknown := sorted({c.part or "" for c in changes} - known):
        raise PartError(f"the list or folder `{unknown[0]}` is no longer in the letter's config", "letter-missing")
    ledger = parse_ledger(files.get(letter.ledger))
    text = files.get(letter.file, "") if not letter.folders else ""
    for spec, cfg in parts(config):
        mine = [c for c in changes if c.part == spec.name]
        if not mine:
            continue
        if spec.signers == "organisations" and not letter.folders:
            _organisation_once(cfg, view.get(letter.file, ""), mine)
        elif not letter.folders:
            _person_once(config, text, changes, mine, ledger.keys_of)
        out.update(apply_one(cfg, view, mine))
    before = files.get(letter.ledger)
    after = update_ledger(before, changes, folder=bool(letter.folders))
    if after != (before or HEADER):
        out[letter.ledger] = after
    return out


def _organisation_once(cfg: Config, text: str, changes: Sequence[Change]) -> None:
    """An organisation already in its list (landed by another PR of the same batch, say) is not added twice."""
    section = split_section("", text, cfg.letter)
    gone = {c.old for c in changes if c.action != "add"}
    present = {organisation(cfg, x) for x in section.lines if normalize_line(x) not in gone} - {None}
    for c in changes:
        again = normalize_line(c.text or "") in {normalize_line(x) for x in section.lines}  # landing twice
        if c.action == "add" and organisation(cfg, c.text or "") in present and not again:
            raise PartError("this organisation has signed already", "duplicate-organisation")


def _person_once(
    config: Config,
    text: str,
    every: Sequence[Change],
    changes: Sequence[Change],
    keys_of: Callable[[str, int | None], list[str]],
) -> None:
    """A person whose line (bound to their account) is in a 'people' list already is not added again (two PRs
    of one signer in one batch, say), unless `every` change of the PR removes it (a line moved to another list)."""
    people = [cfg for spec, cfg in parts(config) if spec.signers == "people"]
    gone = {c.old for c in every if c.action != "add"}
    for c in changes:
        if c.action != "add":
            continue
        keys = set(keys_of(c.login, c.account)) - {c.text} - gone
        for cfg in people:
            lines = {normalize_line(x) for x in split_section("", text, cfg.letter).lines}
            if keys & lines:
                raise PartError(f"@{c.login} has signed already", "duplicate-signer")


class _Layered(Mapping[str, str]):
    """The letter's files with some written over (None: deleted), read lazily."""

    def __init__(self, files: Mapping[str, str], written: dict[str, str | None]) -> None:
        self.files, self.written = files, written

    def __getitem__(self, path: str) -> str:
        if path in self.written:
            value = self.written[path]
            if value is None:
                raise KeyError(path)
            return value
        return self.files[path]

    def __iter__(self) -> Iterator[str]:
        yield from (p for p, v in self.written.items() if v is not None)
        yield from (p for p in self.files if p not in self.written)

    def __len__(self) -> int:
        return sum(1 for _ in self)
