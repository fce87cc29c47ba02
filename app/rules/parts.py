"""Letters of several lists or folders (`letter.lists`, `letter.folders`): each part read as a letter of its own.

A part is judged by the same rules as a one-list (or one-folder) letter, on a config made from the letter's with
the part's own keys (`part_config`). For a list, the other lists' changes are taken out of the PR's head first
(each list's lines put back as they were), so every list reads only its own changes; the line numbers are then
mapped back to the PR's file. What no single part can see is checked here: a person signing in two lists, and
(app.rules.orgs) an organisation signing twice."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from app.rules.changes import read_list
from app.rules.directory import read_directory
from app.rules.ledger import Ownership
from app.rules.letter import file_templates, signature_path, split_section
from app.rules.model import Author, Change, Reading, Snapshots
from app.rules.orgs import organisation_problems, people_problems
from app.rules.problems import Problem, letter_missing, problem
from app.rules.text import login_key
from config.model import Config
from config.parts import FolderConfig, ListConfig, Part


def part_config(config: Config, part: Part) -> Config:
    """The letter's config as if `part` were its only list or folder."""
    update = part.model_dump(exclude={"name", "signers"})
    letter = config.letter.model_copy(update={**update, "lists": [], "folders": []})
    return config.model_copy(update={"letter": letter})


def parts(config: Config) -> list[tuple[Part, Config]]:
    """Every list or folder of the letter, each with its own config (empty for a one-part letter)."""
    return [(p, part_config(config, p)) for p in (*config.letter.lists, *config.letter.folders)]


def read_parts(
    config: Config,
    texts: Snapshots[Mapping[str, str]],
    changed: Sequence[str],
    author: Author,
    ownership: Ownership | None,
) -> tuple[list[str], Reading]:
    """What a PR changes in a letter of several parts: the paths outside every part, and the reading."""
    if config.letter.folders:
        return _read_folders(config, texts, changed, author, ownership)
    path = config.letter.file
    base = texts.base.get(path)
    if base is None:
        return [p for p in changed if p != path], Reading(problems=(letter_missing(path, None),))
    now = texts.current.get(path) if texts.current is not None else None
    readings: list[tuple[ListConfig, Config, Reading]] = []
    for i, (spec, cfg) in enumerate(parts(config)):
        assert isinstance(spec, ListConfig)
        head, where = _masked(config, i, base, texts.head.get(path, ""))
        got = read_list(cfg, path, Snapshots(base, head, now), author, ownership)
        if got.missing_marker:
            got = Reading(problems=(letter_missing(path, cfg.letter.start_after),))
        readings.append((spec, cfg, _located(got, where)))
    reading = _combined(readings, texts.head.get(path, ""))
    extra = people_problems(readings, base, now, author, ownership or Ownership())
    extra += organisation_problems(readings, base, now)
    return [p for p in changed if p != path], replace(reading, problems=reading.problems + tuple(extra))


@dataclass(frozen=True)
class _Where:
    """How a line number of a masked head maps to the PR's head: each masked region's end and how many lines
    the PR's version of it has more (or fewer) than the base's."""

    regions: tuple[tuple[int, int], ...] = ()

    def real(self, line: int | None) -> int | None:
        if line is None:
            return None
        return line + sum(delta for end, delta in self.regions if line > end)


def _masked(config: Config, index: int, base: str, head: str) -> tuple[str, _Where]:
    """The PR's head with every other list as it was in the base."""
    regions: list[tuple[int, int]] = []
    for j, (_spec, cfg) in enumerate(parts(config)):
        if j == index:
            continue
        was, now = split_section("", base, cfg.letter), split_section("", head, cfg.letter)
        if not was.found or not now.found:
            continue  # that list's own reading says its marker is gone
        head = now.text_with(was.lines)
        regions.append((len(now.head) + len(was.lines), len(now.lines) - len(was.lines)))
    return head, _Where(tuple(regions))


def _located(reading: Reading, where: _Where) -> Reading:
    """The reading with its line numbers in the PR's own head."""
    return replace(
        reading,
        problems=tuple(replace(p, line=where.real(p.line)) for p in reading.problems),
        signatures=tuple(replace(s, line=where.real(s.line) or s.line) for s in reading.signatures),
    )


def _combined(readings: list[tuple[ListConfig, Config, Reading]], head: str) -> Reading:
    """One reading of the letter: each list's changes tagged with its name, its problems named after it."""
    changes: list[Change] = []
    seen: set[tuple[str, str | None]] = set()
    problems: list[Problem] = []
    said: set[tuple[str, str | None, int | None, str]] = set()
    for spec, cfg, got in readings:
        for change in got.changes:
            key = (change.action, change.text or change.old)
            if change.action == "add" and key in seen:
                continue  # a line outside every list that more than one list reads: the first list takes it
            seen.add(key)
            changes.append(replace(change, part=spec.name))
        section = split_section("", head, cfg.letter)
        first, last = len(section.head), len(section.head) + len(section.lines)
        for p in got.problems:
            if p.code == "duplicate-signer" and spec.signers == "organisations":
                continue  # one representative may sign for several organisations: app.rules.orgs decides
            mine = section.found and p.line is not None and first < p.line <= last
            shown = replace(p, message=f"In the list “{spec.name}”: {p.message}") if mine else p
            if (p.code, p.path, p.line, p.message) not in said:
                said.add((p.code, p.path, p.line, p.message))
                problems.append(shown)
    return Reading(
        tuple(changes),
        tuple(s for _spec, _cfg, got in readings for s in got.signatures),
        tuple(problems),
        any(got.text_changed for *_x, got in readings),
        False,
        any(got.placement_fixed for *_x, got in readings),
    )


class _Within(Mapping[str, str]):
    """The files of one folder, read lazily from the letter's (a folder letter's files are API reads)."""

    def __init__(self, files: Mapping[str, str], prefix: str) -> None:
        self.files, self.prefix = files, prefix
        self.paths = [p for p in files if p.startswith(prefix)]

    def __getitem__(self, path: str) -> str:
        if not path.startswith(self.prefix):
            raise KeyError(path)
        return self.files[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


def _read_folders(
    config: Config,
    texts: Snapshots[Mapping[str, str]],
    changed: Sequence[str],
    author: Author,
    ownership: Ownership | None,
) -> tuple[list[str], Reading]:
    readings: list[tuple[FolderConfig, Config, Reading]] = []
    inside: set[str] = set()
    for spec, cfg in parts(config):
        assert isinstance(spec, FolderConfig)
        prefix = spec.directory.rstrip("/") + "/"
        mine = [p for p in changed if p.startswith(prefix)]
        inside.update(mine)
        if not mine:
            continue
        now = _Within(texts.current, prefix) if texts.current is not None else None
        view = Snapshots(_Within(texts.base, prefix), _Within(texts.head, prefix), now)
        readings.append((spec, cfg, read_directory(cfg, view, mine, author, ownership)))
    changes = tuple(replace(c, part=spec.name) for spec, _cfg, got in readings for c in got.changes)
    problems = [
        p
        for spec, _cfg, got in readings
        for p in got.problems
        if not (p.code == "duplicate-signer" and spec.signers == "organisations")
    ]
    problems += _folder_people_problems(config, readings, texts, author, ownership or Ownership())
    problems += [p for spec, _cfg, got in readings if spec.signers == "organisations" for p in _org_files(got, texts)]
    reading = Reading(changes, tuple(s for *_x, got in readings for s in got.signatures), tuple(problems))
    return [p for p in changed if p not in inside], reading


def _folder_people_problems(
    config: Config,
    readings: list[tuple[FolderConfig, Config, Reading]],
    files: Snapshots[Mapping[str, str]],
    who: Author,
    owned: Ownership,
) -> list[Problem]:
    """A person signs in one 'people' folder: not in two in one PR, nor in one while a file of another is theirs
    (named by their login, or bound to their account in the ledger)."""
    people = [(s, c) for s, c in parts(config) if isinstance(s, FolderConfig) and s.signers == "people"]
    gone = {c.path.casefold() for *_x, got in readings for c in got.changes if c.action != "add"}
    present = {p.casefold() for p in (*files.base, *(files.current or ()))} - gone
    out: list[Problem] = []
    added = [(s, c) for s, _cfg, got in readings if s.signers == "people" for c in got.changes if c.action == "add"]
    if len({spec.name for spec, _c in added}) > 1:
        c = added[-1][1]
        out.append(problem("duplicate-signer", c.path, 1, login=c.login, where=" in this PR, in two folders"))
    for spec, c in added:
        for other, cfg in people:
            if other.name == spec.name:
                continue
            root = other.directory.rstrip("/") + "/"
            named = signature_path(cfg.letter, c.login) if "login" in file_templates(cfg.letter).name.fields else None
            mine = login_key(c.login) == login_key(who.login)
            bound = [k for k in owned.keys_of(who.login, who.id) if k.startswith(root)] if mine else []
            hit = next((p for p in (named, *bound) if p and p.casefold() in present), None)
            if hit is not None:
                out.append(problem("duplicate-signer", c.path, 1, login=c.login, where=f" in `{hit}`"))
                break
    return out


def _org_files(got: Reading, files: Snapshots[Mapping[str, str]]) -> list[Problem]:
    """An organisation's file added where one of the same name is (`acme.yml`, `ACME.yml`, or `acme-2.yml` beside
    `acme.yml`: a {slug} name takes a number only to tell two people apart). Read from the names alone: reading
    every file of the folder would cost one request each."""
    stems = {_stem(p) for p in (*files.base, *(files.current or ()))} - {
        _stem(c.path) for c in got.changes if c.action == "remove"
    }
    out: list[Problem] = []
    for c in got.changes:
        if c.action == "add" and _stem(c.path) in stems:
            name = next((s.name for s in got.signatures if s.path == c.path), "") or "This organisation"
            out.append(problem("duplicate-organisation", c.path, 1, organisation=name, where=""))
        stems.add(_stem(c.path))
    return out


def _stem(path: str) -> str:
    """A file's name without its extension and a trailing `-2`, folded: what makes two organisations' files one."""
    base = path.casefold().rsplit("/", 1)[-1].split(".", 1)[0]
    return path.casefold().rsplit("/", 1)[0] + "/" + re.sub(r"-\d+$", "", base)
