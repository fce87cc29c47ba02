"""Apply validated changes to the letter as it is now: the text the lander commits."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence

from app.rules.changes import find_signer
from app.rules.ledger import HEADER, Ownership, login_optional, parse_ledger, update_ledger
from app.rules.letter import file_templates, line_template, split_section
from app.rules.model import Change
from app.rules.parts_apply import PartError, apply_parts
from app.rules.text import normalize_line, sort_key
from config.model import Config, LetterConfig


class ApplyError(ValueError):
    """The change no longer fits the current letter (the line to edit is gone, say). `code` is the problem
    code the verdict gives the same situation, so a refusal at landing names it too."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def apply_changes(config: Config, files: Mapping[str, str], changes: Sequence[Change]) -> dict[str, str | None]:
    """New contents for every path the changes touch (None: delete the file). Idempotent.

    When the letter's signatures may carry no login, the ledger (`letter.ledger`) is one of those paths:
    `files` must then hold its current text (absent: there is none yet), and the lander commits it with
    the signatures, so the binding lands atomically with them."""
    if config.letter.lists or config.letter.folders:  # several lists or folders: each part applied on its own
        try:
            return apply_parts(config, files, changes, _apply_letter)
        except PartError as exc:
            raise ApplyError(str(exc), exc.code) from exc
    if not needs_ledger(config.letter):
        return _apply_letter(config, files, changes)
    ledger = config.letter.ledger
    owned = parse_ledger(files.get(ledger))
    for change in changes:
        if change.action == "add" and _signed_already(config, files, owned, change):
            raise ApplyError(f"@{change.login} has signed already", "duplicate-signer")
    out = _apply_letter(config, files, changes)
    before = files.get(ledger)
    after = update_ledger(before, changes, folder=config.letter.directory is not None)
    if after != (before or HEADER):
        out[ledger] = after
    return out


def _signed_already(config: Config, files: Mapping[str, str], owned: Ownership, change: Change) -> bool:
    """Whether the ledger binds another signature still in the letter to this account (two PRs of one
    signer landing in one batch, say)."""
    letter, folder = config.letter, config.letter.directory is not None
    own = change.path if folder else change.text
    text = files.get(letter.file, "")
    paths = {p.casefold() for p in files} if folder else set()
    for key in owned.keys_of(change.login, change.account):
        if key == own:
            continue
        if folder and key.casefold() in paths:
            return True
        if not folder and key in text and any(normalize_line(x) == key for x in text.split("\n")):
            return True
    return False


def needs_ledger(letter: LetterConfig) -> bool:
    """Whether a signature of this letter may carry no login, so landing records its owner in the ledger."""
    if letter.lists or letter.folders:
        return True  # the ledger names each signature's list or folder (app.rules.parts_apply)
    if letter.directory is None:
        return login_optional(line_template(letter))
    tpls = file_templates(letter)
    return not any(login_optional(t) is False for t in (tpls.name, *tpls.fields.values()) if "login" in t.fields)


def _apply_letter(config: Config, files: Mapping[str, str], changes: Sequence[Change]) -> dict[str, str | None]:
    letter = config.letter
    if letter.directory is not None:
        return _apply_to_folder(files, changes)
    path = letter.file
    text = files.get(path)
    if text is None:
        raise ApplyError(f"{path} does not exist", "letter-missing")
    section = split_section(path, text, letter)
    if not section.found:
        raise ApplyError(f"{path} has no `{letter.start_after}` line", "list-start-changed")
    lines = list(section.lines)
    tpl = line_template(letter)
    crlf = any(x.endswith("\r") for x in lines[-3:])
    for change in changes:
        at = _locate(lines, change)
        if at is None and change.action != "add":
            # The line changed since it was validated (its owner amended it meanwhile): find it by login.
            at = find_signer("\n".join(lines), 0, len(lines) - 1, tpl, change.login)
        if change.action == "remove":
            if at is not None:
                del lines[at]
            continue
        assert change.text is not None
        new = change.text + ("\r" if crlf else "")
        if change.action == "replace":
            if at is None:
                raise ApplyError(f"the line of @{change.login} is no longer in {path}", "line-gone")
            lines[at] = new
            continue
        if at is not None:
            continue  # already there: landing twice changes nothing
        hit = find_signer("\n".join(lines), 0, len(lines) - 1, tpl, change.login)
        if hit is not None:
            raise ApplyError(f"@{change.login} has signed already", "duplicate-signer")
        lines.insert(_insertion_point(config, lines, change), new)
    return {path: section.text_with(lines)}


def _apply_to_folder(files: Mapping[str, str], changes: Sequence[Change]) -> dict[str, str | None]:
    """One file per signer: the file name carries the login, so a name equal but for case is a duplicate."""
    names = {path.casefold(): path for path in files}
    out: dict[str, str | None] = {}
    for change in changes:
        existing = names.get(change.path.casefold())
        if change.action == "add" and existing is not None:
            if existing == change.path and files.get(existing) == change.text:
                continue  # already there: landing twice changes nothing
            raise ApplyError(f"@{change.login} has signed already", "duplicate-signer")
        if change.action == "replace" and existing is None:
            raise ApplyError(f"the file of @{change.login} is no longer there", "line-gone")
        if change.action == "remove" and existing is None:
            continue
        out[change.path] = change.text
    return out


def _locate(lines: list[str], change: Change) -> int | None:
    """Index of the line a change acts on: its old text, or (for add) its own text."""
    wanted = change.old if change.action != "add" else change.text
    if wanted is None:
        return None
    for i in range(len(lines) - 1, -1, -1):
        if lines[i] and normalize_line(lines[i]) == wanted:
            return i
    return None


def _insertion_point(config: Config, lines: list[str], change: Change) -> int:
    letter = config.letter
    filled = [i for i, x in enumerate(lines) if x.strip()]
    if letter.order != "sorted" or not filled:
        return filled[-1] + 1 if filled else len(lines)
    tpl = line_template(letter)
    key = change.sort or ("", "")

    def key_at(k: int) -> tuple[str, str]:
        parsed = tpl.parse(normalize_line(lines[filled[k]]))
        return sort_key(parsed.name, parsed.login, letter.sort_key) if parsed else ("", "")

    pos = bisect.bisect_right(range(len(filled)), key, key=key_at)
    return filled[pos - 1] + 1 if pos else filled[0]
