"""Who has signed: the signatures a letter holds, read from its files as they are (a count of lines, not events)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.rules.changes import find_signer
from app.rules.ledger import Ownership, parse_ledger
from app.rules.letter import line_template, list_bounds, parse_signature_file, signature_path
from app.rules.model import Change
from app.rules.text import clean_name, login_key, normalize_line
from config.model import LetterConfig


@dataclass(frozen=True)
class Signatory:
    """One signature as the public sees it. `login` is "" when neither the line nor the ledger names one;
    `key` is the normalized line (or the file's path), which the ledger and a removal go by."""

    name: str
    login: str
    affiliation: str | None
    key: str
    path: str


def signatories(cfg: LetterConfig, files: Mapping[str, str]) -> list[Signatory]:
    """Every signature in the letter, in the letter's order; lines that do not read as one are left out."""
    owned = parse_ledger(files.get(cfg.ledger))
    if cfg.directory is not None:
        prefix = cfg.directory.rstrip("/") + "/"
        out = []
        for path in sorted(p for p in files if p.startswith(prefix)):
            parsed = parse_signature_file(path, files[path], cfg)
            if not isinstance(parsed, str):
                out.append(_one(parsed.name, parsed.login, parsed.affiliation, path, path, owned))
        return out
    text = files.get(cfg.file)
    bounds = list_bounds(text, cfg) if text is not None else None
    if text is None or bounds is None:
        return []
    tpl, out = line_template(cfg), []
    for raw in text.split("\n")[bounds.first : bounds.end]:
        line = normalize_line(raw)
        read = tpl.parse(line) if line.strip() else None
        if read is not None:
            out.append(_one(read.name, read.login, read.affiliation, line, cfg.file, owned))
    return out


def _one(name: str, login: str, affiliation: str | None, key: str, path: str, owned: Ownership) -> Signatory:
    owners = owned.owners(key)
    login = login or (owners[0].login if owners else "")
    return Signatory(clean_name(name), login, (affiliation or "").strip() or None, key, path)


def removal(cfg: LetterConfig, files: Mapping[str, str], login: str) -> Change | None:
    """The change that takes `login`'s signature out (its line or file; the ledger row goes with it when
    landed), or None when the letter holds none of theirs."""
    owned = parse_ledger(files.get(cfg.ledger))
    keys = set(owned.keys_of(login, None))
    if cfg.directory is not None:
        wanted = {k.casefold() for k in keys}
        mine = signature_path(cfg, login)
        if mine is not None:
            wanted.add(mine.casefold())
        path = next((p for p in files if p.casefold() in wanted), None)
        return None if path is None else Change("remove", path, login, None, files[path])
    text = files.get(cfg.file)
    bounds = list_bounds(text, cfg) if text is not None else None
    if text is None or bounds is None:
        return None
    lines = text.split("\n")
    index = find_signer(text, bounds.first, bounds.last, line_template(cfg), login)
    if index is None:
        last = min(len(lines), bounds.last + 1)
        index = next((i for i in range(bounds.first, last) if normalize_line(lines[i]) in keys), None)
    if index is None:
        return None
    return Change("remove", cfg.file, login, None, normalize_line(lines[index]))


def same_login(a: str, b: str) -> bool:
    return bool(a) and login_key(a) == login_key(b)
