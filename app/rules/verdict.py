"""The verdict: a pure function from (config, base and head letter, author, now) to what the PR is."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from app.rules.changes import classify, read_list
from app.rules.directory import read_directory
from app.rules.ledger import Ownership
from app.rules.letter import Signature
from app.rules.listing import file_problems, incomplete
from app.rules.marker import hand_written
from app.rules.model import Author, Change, ChangedFiles, Reading, Snapshots
from app.rules.parts import read_parts
from app.rules.problems import Problem, letter_missing, problem
from app.rules.text import login_key
from config.model import Config

Kind = Literal["sign", "withdraw", "amend", "not_a_signature", "invalid"]


@dataclass(frozen=True)
class Verdict:
    """What a PR is, whether it may land, what would land, and what the signer must fix."""

    kind: Kind
    signatures: tuple[Signature, ...] = ()
    land: tuple[Change, ...] = ()
    problems: tuple[Problem, ...] = ()
    skipped: tuple[str, ...] = ()
    intent: str | None = None  # for an invalid PR, what it tried to do (sign, withdraw, amend)
    placement_fixed: bool = field(default=False)  # landing must put lines in their place itself
    notes: tuple[str, ...] = ()  # plain notes for the signer that are not problems (a verified affiliation)

    @property
    def ok(self) -> bool:
        return self.kind in ("sign", "withdraw", "amend")

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ok": self.ok,
            "intent": self.intent,
            "signatures": [s.as_dict() for s in self.signatures],
            "land": {
                "placement_fixed": self.placement_fixed,
                "changes": [c.as_dict() for c in self.land],
            },
            "problems": [p.as_dict() for p in self.problems],
            "skipped": list(self.skipped),
        }


def author_problems(
    config: Config, author: Author, reading: Reading, now: datetime, skipped: list[str]
) -> list[Problem]:
    """Rules about who the author is: blocked, bot, account age."""
    rules = config.signers
    out: list[Problem] = []
    blocked = {login_key(b) for b in rules.blocked}
    for login in {author.login, *(c.login for c in reading.changes if c.action != "remove")}:
        if login and login_key(login) in blocked:
            out.append(problem("blocked", login=login))
    if not rules.allow_bots:
        if author.type is None:
            skipped.append("bot-author: the author's account type is unknown; checked the login only")
        if author.type == "Bot" or author.login.endswith("[bot]"):
            out.append(problem("bot-author", login=author.login))
    if rules.min_account_age_days:
        if author.created_at is None:
            skipped.append("account-too-new: the author's account creation date is unknown")
        else:
            age = (now - author.created_at).days
            if age < rules.min_account_age_days:
                out.append(problem("account-too-new", age=age, limit=rules.min_account_age_days))
    return out


def evaluate(
    config: Config,
    texts: Snapshots[Mapping[str, str]],
    changed_paths: Iterable[str] | ChangedFiles,
    author: Author,
    now: datetime,
    ownership: Ownership | None = None,
) -> Verdict:
    """Decide what a PR is. `texts.base`/`texts.head` map letter paths to their text (missing: absent).

    `texts.base` is the letter where the PR branched off (its merge base); `texts.current`, when given, is the
    default branch as it is now, so a signer who landed meanwhile is still caught as a duplicate. `ownership` is the
    ledger as it is on the default branch now (app.rules.ledger.parse_ledger): who owns the lines or files
    that carry no login. Without it, such lines have no known owner and only trusted maintainers may touch
    them. A valid verdict's changes carry the account to record; apply_changes writes the ledger.

    `changed_paths`, as GitHub's ChangedFiles, is checked first: a list that may be cut short is refused
    outright, and a listed letter file whose change is not plain text (mode, type, rename) is refused."""
    letter, base, head, current = config.letter, texts.base, texts.head, texts.current
    listing, paths = (
        (changed_paths, changed_paths.paths) if isinstance(changed_paths, ChangedFiles) else (None, changed_paths)
    )
    if listing is not None and (cut := incomplete(listing)) is not None:
        return Verdict("invalid", problems=(cut,))
    changed = sorted(set(paths))
    if len(changed) > config.signers.max_changed_files:  # refused before any file is read
        limit = config.signers.max_changed_files
        return Verdict("invalid", problems=(problem("too-many-files", count=len(changed), limit=limit),))
    reading: Reading
    if letter.lists or letter.folders:  # several lists or folders: app.rules.parts
        others, reading = read_parts(config, texts, changed, author, ownership)
    elif letter.directory is not None:
        prefix = letter.directory.rstrip("/") + "/"
        others = [p for p in changed if not p.startswith(prefix)]
        in_dir = [p for p in changed if p.startswith(prefix)]
        reading = read_directory(config, texts, in_dir, author, ownership)
    else:
        others = [p for p in changed if p != letter.file]
        base_text = base.get(letter.file)
        if base_text is None:
            missing = letter_missing(letter.file, letter.start_after)
            return Verdict("invalid", problems=(missing,))
        now_text = current.get(letter.file) if current is not None else None
        list_texts = Snapshots(base_text, head.get(letter.file, ""), now_text)
        reading = read_list(config, letter.file, list_texts, author, ownership)
        if reading.missing_marker:
            missing = letter_missing(letter.file, letter.start_after)
            return Verdict("invalid", problems=(missing,))
    listed: list[Problem] = []
    if listing is not None:
        prefix = (letter.directory or "").rstrip("/") + "/"

        def ours(path: str) -> bool:
            return path.startswith(prefix) if letter.directory is not None else path == letter.file

        listed = file_problems(listing, ours, base, head)
    if reading.empty and not listed:
        return Verdict("not_a_signature")

    places = {s.text: (s.path, s.line) for s in reading.signatures}
    land, by_hand, notes = hand_written(letter, reading.changes, places)  # the verified marker is ours to write
    problems = listed + list(reading.problems) + list(by_hand)
    if others:
        shown = ", ".join(f"`{p}`" for p in others[:5]) + (" and more" if len(others) > 5 else "")
        problems.insert(0, problem("other-files-changed", others[0], None, paths=shown))
    if reading.text_changed:
        problems.insert(0, problem("letter-text-changed", letter.file))
    if config.frozen:
        problems.insert(0, problem("letter-frozen"))
    skipped: list[str] = []
    problems += author_problems(config, author, reading, now, skipped)
    intent = classify(reading.changes)
    if not problems:
        return Verdict(
            intent,
            reading.signatures,
            land,
            (),
            tuple(skipped),
            None,
            reading.placement_fixed,
            notes,
        )
    return Verdict("invalid", reading.signatures, (), tuple(problems), tuple(skipped), intent)


def too_slow(seconds: float) -> Verdict:
    """The verdict on a PR whose evaluation ran past its time budget (the review layer stops it)."""
    return Verdict("invalid", problems=(problem("too-slow", seconds=f"{seconds:g}"),))
