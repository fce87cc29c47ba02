"""The signing page's view of a letter (read through the App) and a signer's plan, judged by the rules engine."""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

from github import GithubException

from app.github.api import Api, NotUtf8Error
from app.github.caches import ConfigCache, TextCache
from app.github.client import GitHubApp
from app.jobs.store import Store
from app.landing.layered import Layered
from app.rules import Author, Change, Problem, Verdict, evaluate
from app.rules.apply import ApplyError, apply_changes, needs_ledger
from app.rules.changes import find_signer
from app.rules.ledger import Ownership, parse_ledger
from app.rules.letter import (
    line_template,
    list_bounds,
    parse_signature_file,
    render_signature_file,
    signature_path,
    split_section,
)
from app.rules.model import Snapshots
from app.rules.parts import parts
from app.rules.problems import problem
from app.rules.text import normalize_line, sort_key
from config import Config

Action = Literal["sign", "withdraw", "amend"]
FORM_BOUND = 1000  # characters read from one form field at most (hostile data); the rules' limits are lower


@dataclass(frozen=True)
class Letter:
    """One letter as the signing page shows it: read from the default branch at `sha`."""

    repo: str
    installation_id: int
    default_branch: str
    sha: str
    config: Config
    files: Mapping[str, str]  # what the rules take: {file: text}, or the signers' folder
    text: str  # the letter's words (the part before the list), markdown
    count: int
    fields: tuple[str, ...]  # what the form asks for, besides the login
    ledger: str | None = None  # the ledger's text, for letters whose signatures may carry no login
    ownership: Ownership | None = None  # the ledger read: who owns which line or file


@dataclass(frozen=True)
class Existing:
    """A signer's signature as it is on the default branch."""

    path: str
    text: str
    name: str
    affiliation: str | None
    part: str | None = None  # in a letter of several lists or folders, the one it is in


@dataclass(frozen=True)
class Plan:
    """What submitting would change, and the rules' verdict on it; `ok` means it may be sent."""

    action: Action
    path: str
    text: str | None  # the new line or file (None: withdrawn)
    old: str | None
    writes: dict[str, str | None]  # new content of each changed path (None: delete)
    problems: tuple[Problem, ...]
    verdict: Verdict | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.verdict is not None and self.verdict.kind == self.action


NO_PAGE = "There is no signing page here."  # one answer for every repo without one: installed or not, private


class UnavailableError(Exception):
    """The page cannot be shown for this repo. Always NO_PAGE: why (not installed, no config, no signing page)
    would tell a stranger which private repositories the App is installed on."""


class PausedError(UnavailableError):
    """The letter's config has errors: nobody can sign until the maintainers fix it."""


class Letters:
    """Reads letters through the App's installation on each repo, with the service's caches."""

    def __init__(self, github: GitHubApp, store: Store, config_ttl: float) -> None:
        self.github = github
        self.texts, self.configs = TextCache(64), ConfigCache(config_ttl, store)  # a config push drops it at once
        self.installations: dict[str, int] = {}
        self.lock = threading.Lock()

    def api(self, repo: str) -> tuple[int, Api]:
        key = repo.lower()
        with self.lock:
            found = self.installations.get(key)
        if found is None:
            owner, _, name = repo.partition("/")
            try:
                found = int(self.github.integration.get_repo_installation(owner, name).id)
            except GithubException as exc:
                raise UnavailableError(NO_PAGE) from exc
            with self.lock:
                self.installations[key] = found
        return found, self.github.api(found)

    def offering(self, repo: str) -> tuple[int, Api, str, Config]:
        """The installation, its API, the default branch and the config of a letter with a signing page;
        UnavailableError for every other repo."""
        installation_id, api = self.api(repo)
        try:
            repository = api.repository(repo)
        except GithubException as exc:
            raise UnavailableError(NO_PAGE) from exc
        default = repository.default_branch
        config = self.configs.get(api, repo, default)
        if config is not None and not isinstance(config, Config) and not repository.private:
            # Only a public letter says why: for a private one, even "paused" would tell a stranger it exists.
            raise PausedError(
                "Signing is paused until the maintainers fix this letter's configuration "
                "(.github/undersigned.yml has errors). Please come back later."
            )
        if not isinstance(config, Config) or not config.signing_page:
            raise UnavailableError(NO_PAGE)
        return installation_id, api, default, config

    def load(self, repo: str) -> Letter:
        installation_id, api, default, config = self.offering(repo)
        try:
            sha = api.branch_sha(repo, default)
            return self._read(repo, installation_id, api, default, config, sha)
        except (GithubException, NotUtf8Error) as exc:  # a letter that is not UTF-8 cannot be shown as it is
            raise UnavailableError(NO_PAGE) from exc

    def _read(self, repo: str, installation_id: int, api: Api, default: str, config: Config, sha: str) -> Letter:
        letter = config.letter
        if letter.directory is not None:
            files: Mapping[str, str] = self.texts.folder(api, repo, sha, letter.directory)
            text, count = self.texts.get(api, repo, sha, letter.file) or "", len(files)
        else:
            files = self.texts.letter(api, repo, sha, letter.file)
            text, count = _words_and_count(config, files.get(letter.file, ""))
        if letter.lists:  # the words are what comes before the first list; the count is every list's
            text = _words_and_count(parts(config)[0][1], files.get(letter.file, ""))[0]
            count = sum(_words_and_count(cfg, files.get(letter.file, ""))[1] for _spec, cfg in parts(config))
        ledger = self.texts.get(api, repo, sha, letter.ledger) if needs_ledger(letter) else None
        ownership = parse_ledger(ledger) if needs_ledger(letter) else None
        fields = form_fields(config)
        return Letter(repo, installation_id, default, sha, config, files, text, count, fields, ledger, ownership)


def _words_and_count(config: Config, text: str) -> tuple[str, int]:
    section = split_section(config.letter.file, text, config.letter)
    if not section.found:
        return text, 0
    tpl = line_template(config.letter)
    count = sum(1 for raw in section.lines if raw.strip() and tpl.parse(normalize_line(raw)) is not None)
    return "\n".join(section.head + (section.tail if config.letter.end_before else ())), count


def signing_part(config: Config) -> tuple[str | None, Config] | None:
    """Where a person signs for themself: the letter itself, or (several lists or folders) the first part whose
    signers are people, with that part's config. None when every part is for organisations."""
    split = parts(config)
    if not split:
        return None, config
    return next(((spec.name, cfg) for spec, cfg in split if spec.signers == "people"), None)


def person_parts(config: Config) -> list[tuple[str | None, Config]]:
    """Every part a person's own signature may be in (the letter itself when it has a single part)."""
    split = parts(config)
    return [(spec.name, cfg) for spec, cfg in split if spec.signers == "people"] if split else [(None, config)]


def form_limits(config: Config) -> dict[str, int | None]:
    """The form's longest value per field: the rules' own limits (None where the rules set none)."""
    return {"name": config.signers.max_name_length, "affiliation": None}


def form_fields(config: Config) -> tuple[str, ...]:
    """The template's fields a person types: name always, affiliation when the letter has it."""
    part = signing_part(config)
    letter = (part[1] if part is not None else config).letter
    sources = [letter.line] if letter.directory is None else [*(letter.fields or {}).values(), letter.content or ""]
    has_affiliation = any("{affiliation}" in s for s in sources) or (
        letter.directory is None and letter.pattern is not None and "?P<affiliation>" in letter.pattern
    )
    return ("name", "affiliation") if has_affiliation else ("name",)


def existing(letter: Letter, login: str, account: int | None = None) -> Existing | None:
    """The signer's signature on the default branch: by the login it carries, or by the ledger's binding; in a
    letter of several parts, in the first part for people that holds it."""
    for name, config in person_parts(letter.config):
        found = _existing_in(letter, config, login, account)
        if found is not None:
            return replace(found, part=name)
    return None


def _existing_in(letter: Letter, config: Config, login: str, account: int | None) -> Existing | None:
    cfg = config.letter
    owned = letter.ownership.keys_of(login, account) if letter.ownership is not None else []
    if cfg.directory is not None:
        wanted = {k.casefold() for k in owned}
        path_of = signature_path(cfg, login)
        if path_of is not None:
            wanted.add(path_of.casefold())
        path = next((p for p in letter.files if p.casefold() in wanted), None)
        if path is None:
            return None
        body = letter.files[path]
        parsed = parse_signature_file(path, body, cfg)
        if isinstance(parsed, str):
            return Existing(path, body, "", None)
        return Existing(path, body, parsed.name, parsed.affiliation)
    text = letter.files.get(cfg.file)
    bounds = list_bounds(text, cfg) if text is not None else None
    if text is None or bounds is None:
        return None
    tpl = line_template(cfg)
    index = find_signer(text, bounds.first, bounds.last, tpl, login)
    lines = text.split("\n")
    if index is None:
        keys = set(owned)
        index = next(
            (i for i in range(bounds.first, min(len(lines), bounds.last + 1)) if normalize_line(lines[i]) in keys), None
        )
    if index is None:
        return None
    line = normalize_line(lines[index])
    read = tpl.parse(line)
    return Existing(cfg.file, line, read.name if read else "", read.affiliation if read else None)


def plan(letter: Letter, author: Author, action: Action, name: str = "", affiliation: str = "") -> Plan:
    """Build the change a signer asks for and judge it with the same rules as every pull request. In a letter
    of several lists or folders, a person signs for themself in the first part for people (`signing_part`)."""
    config, login = letter.config, author.login
    name, affiliation = name.strip(), affiliation.strip()
    mine = existing(letter, login, author.id)
    part_name, part = _part_of(config, mine)
    cfg = (part or config).letter
    if action != "sign" and mine is None:
        return Plan(action, cfg.file, None, None, {}, (problem("line-gone", cfg.file, None, login=login),))
    if action == "sign" and mine is not None:
        return Plan(action, mine.path, None, None, {}, (problem("duplicate-signer", login=login, where=""),))
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name + affiliation):
        return Plan(action, cfg.file, None, None, {}, (problem("name-has-control-chars"),))
    if action != "withdraw" and not name:
        return Plan(action, cfg.file, None, None, {}, (problem("name-missing"),))
    text: str | None = None
    if part is not None and action != "withdraw":
        if cfg.directory is not None:
            text = render_signature_file(cfg, name, login, affiliation or None)
        else:
            number = _words_and_count(part, letter.files.get(cfg.file, ""))[1] if part_name else letter.count
            text = line_template(cfg).render(name, login, affiliation or None, number + 1)
    path = mine.path if mine is not None else (signature_path(cfg, login, name) if cfg.directory else cfg.file)
    if part is None or path is None or (action != "withdraw" and text is None):
        reason = "this letter's signatures cannot be written from the signing page; please open a pull request"
        return Plan(action, cfg.file, None, None, {}, (problem("file-format", cfg.file, reason=reason),))
    kind = {"sign": "add", "amend": "replace", "withdraw": "remove"}[action]
    old = mine.text if mine else None
    key = sort_key(name, login, cfg.sort_key)
    change = Change(kind, path, login, text, old, key, author.id, part=part_name)  # type: ignore[arg-type]
    known = Layered(letter.files)
    if letter.ledger is not None:
        known.write({cfg.ledger: letter.ledger})  # apply_changes checks the ledger's bindings too
    try:
        writes = apply_changes(config, known, [change])
    except ApplyError as exc:
        return Plan(action, path, text, old, {}, (problem("file-format", path, reason=str(exc)),))
    writes.pop(cfg.ledger, None)  # the PR changes the letter only: undersigned writes the ledger when it lands
    head = Layered(letter.files)
    head.write(writes)
    now = datetime.now(UTC)
    verdict = evaluate(config, Snapshots(letter.files, head), writes.keys(), author, now, letter.ownership)
    return Plan(action, path, text, old, writes, verdict.problems, verdict)


def _part_of(config: Config, mine: Existing | None) -> tuple[str | None, Config | None]:
    """The part a change goes in, with its config: the signature's own part, or where a new one is signed
    (None, None when a person cannot sign for themself in this letter)."""
    if mine is not None and mine.part is not None:
        return next(((n, c) for n, c in person_parts(config) if n == mine.part), (None, None))
    found = signing_part(config)
    return found if found is not None else (None, None)
