"""Infer `.github/undersigned.yml` from a letter's files, then measure it with the rules engine's own lint."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise

from app.infer.folder import Folder, candidate, extension, infer_folder
from app.infer.listing import Found, find_list, line_templates
from app.rules.letter import line_template, split_section
from app.rules.lint import LintReport, lint_letter
from app.rules.text import normalize_line, sort_key
from config import Config, parse_config

MAX_TEXT = 2_000_000  # a letter file larger than this is not read (bounded before any parsing)
SHOWN = 20  # unread lines listed in the report; the count says how many more
_TEXT_FILES = (".md", ".markdown", ".txt", ".rst", "")
LEDGER = ".github/undersigned-ledger.tsv"


@dataclass(frozen=True)
class Inference:
    """The inferred config (None: no signature list found), how it reads the letter, and what it cannot read."""

    config: Config | None
    text: str  # the config as YAML, with comments
    source: str  # the letter's file or folder
    existing: int  # signature lines (or files) already in the letter
    accepted: int  # of those read, the ones the inferred config reads
    unread: tuple[tuple[str, int | None, str], ...]  # (path, line, the line or the file's first line), at most SHOWN
    unread_total: int = 0
    read: int = -1  # lines or files looked at: all of them (-1), or a sample of a large folder

    @property
    def looked_at(self) -> int:
        return self.existing if self.read < 0 else self.read

    @property
    def share(self) -> float:
        return self.accepted / self.looked_at if self.looked_at else 0.0


def letter_candidates(paths: list[str]) -> list[str]:
    """The files that may hold a signature list: text files, the shallowest first."""
    found = [p for p in paths if extension(p) in _TEXT_FILES and not p.startswith((".github/", ".git/"))]
    return sorted(found, key=lambda p: (p.count("/"), p.lower() != "readme.md", p))


def infer(files: Mapping[str, str], paths: list[str] | None = None) -> Inference:
    """The config that reads the letter in `files` (repo-relative path -> text) best. `paths`: every path of the
    repo when `files` holds only some of them (the onboarding job reads a sample of a large folder)."""
    best: tuple[str, Found] | None = None
    for path in letter_candidates(list(files)):
        text = files[path]
        if len(text) > MAX_TEXT:
            continue
        found = find_list(text)
        if found is not None and (best is None or found.score > best[1].score):
            best = (path, found)
    folder = candidate(list(files) if paths is None else paths)
    if folder is not None and (best is None or len(folder[1]) > best[1].score):
        directory, listed = folder
        have = {p: files[p] for p in listed if p in files}
        if not have:
            return Inference(None, "", directory, len(listed), 0, ())
        return _measure(_folder_yaml(infer_folder(directory, have)), files, directory, len(listed))
    if best is None:
        return Inference(None, "", "", 0, 0, ())
    path, found = best
    return _measure(_sorted(_list_yaml(path, found), files), files, path)


def _list_yaml(path: str, found: Found, order: str = "append", sort_key: str | None = None) -> str:
    line, variants = line_templates(found.shapes, found.lines)
    out = ["version: 1", "letter:", f"  file: {_q(path)}"]
    if found.start_after is not None:
        out.append(f"  start_after: {_q(found.start_after)}")
    if found.end_before is not None:
        out.append(f"  end_before: {_q(found.end_before)}")
    out.append(f"  line: {_q(line)}")
    if variants:
        out.append(f"  line_variants: [{', '.join(_q(v) for v in variants)}]")
    out.append(f"  order: {order}")
    if sort_key is not None:
        out.append(f"  sort_key: {sort_key}")
    if not any("{login}" in t for t in (line, *variants)):
        out.append("  # Lines carry no login: undersigned binds each new line to its signer's account here.")
        out.append(f"  ledger: {_q(LEDGER)}")
    return "\n".join(out) + "\n"


def _sorted(text: str, files: Mapping[str, str]) -> str:
    """The same config with `order: sorted` when the list is sorted (by surname, name or login), else as it is."""
    config = parse_config(text)
    if not isinstance(config, Config):
        return text
    base = lint_letter(config, files)
    if base.signatures < 5:
        return text
    names = _names(config, files)
    # A list kept sorted by hand has lines out of place (dear-github-2.0: 44 of 663 by surname); a list in the
    # order people signed has most lines out of place by any key.
    slack = base.signatures // 10
    for key in ("surname", "name", "login"):
        if ("{login}" if key == "login" else "{name}") not in config.letter.line:
            continue  # a key the lines do not carry: every line would tie
        keys = [sort_key(name, login, key) for name, login in names]
        if sum(a <= b for a, b in pairwise(keys)) * 10 < len(keys) * 8:
            continue  # not nearly sorted by this key: no need to ask lint where each line belongs
        trial = text.replace("  order: append\n", f"  order: sorted\n  sort_key: {key}\n")
        tried = parse_config(trial)
        if not isinstance(tried, Config):
            continue
        report = lint_letter(tried, files)
        if sum(1 for p in report.problems if p.code == "wrong-position") <= slack:
            return trial
    return text


def _names(config: Config, files: Mapping[str, str]) -> list[tuple[str, str]]:
    """(name, login) of each list line the template reads, in order: a quick look at whether it is sorted."""
    letter = config.letter
    tpl = line_template(letter)
    out = []
    for raw in split_section(letter.file, files[letter.file], letter).lines:
        parsed = tpl.parse(normalize_line(raw)) if raw.strip() else None
        if parsed is not None:
            out.append((parsed.name, parsed.login))
    return out


def _folder_yaml(folder: Folder) -> str:
    out = ["version: 1", "letter:", f"  directory: {_q(folder.directory)}", f"  filename: {_q(folder.filename)}"]
    if folder.content is not None:
        out.append(f"  content: {_q(folder.content)}")
    else:
        out.append(f"  fields: {_map(folder.fields)}")
        if folder.optional_fields:
            out.append(f"  optional_fields: {_map(folder.optional_fields)}")
    if folder.front_matter:
        out.append("  front_matter: true")
    if folder.body != "none":
        out.append(f"  body: {folder.body}")
    templates = (folder.filename, folder.content or "", *folder.fields.values())
    if not any("{login}" in t for t in templates):
        out.append("  # Files carry no login: undersigned binds each new file to its signer's account here.")
        out.append(f"  ledger: {_q(LEDGER)}")
    return "\n".join(out) + "\n"


def _q(value: str) -> str:
    """A YAML scalar: JSON's double-quoted strings are valid YAML and escape everything."""
    return json.dumps(value, ensure_ascii=False)


def _map(values: dict[str, str]) -> str:
    return "{" + ", ".join(f"{k}: {_q(v)}" for k, v in values.items()) + "}"


def _measure(text: str, files: Mapping[str, str], source: str, listed: int | None = None) -> Inference:
    """Run the rules engine's lint with the inferred config over the letter: what it reads, and what not."""
    config = parse_config(text)
    if not isinstance(config, Config):  # a shape the inference got wrong: say so rather than propose it
        return Inference(None, "", source, 0, 0, ())
    report = lint_letter(config, files)
    if config.letter.directory is not None:
        prefix = config.letter.directory.rstrip("/") + "/"
        read = sum(1 for p in files if p.startswith(prefix) and "/" not in p[len(prefix) :])
        existing = read if listed is None else listed
        bad = [p for p in report.problems if p.code == "file-format"]
        unread: list[tuple[str, int | None, str]] = [
            (p.path or "", None, _first_line(files.get(p.path or "", ""))) for p in bad
        ]
    else:
        section = split_section(config.letter.file, files[config.letter.file], config.letter)
        existing = read = sum(1 for line in section.lines if line.strip())
        raw = files[config.letter.file].split("\n")
        unread = [(config.letter.file, int(n), raw[n - 1].rstrip("\r")) for n in report.unread]
    header = _header(source, existing, read, report, folder=config.letter.directory is not None)
    shown = tuple(unread[:SHOWN])
    return Inference(config, header + text, source, existing, report.signatures, shown, len(unread), read)


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0][:200]


def _header(source: str, existing: int, read: int, report: LintReport, *, folder: bool) -> str:
    share = f"{100 * report.signatures / read:.1f}%" if read else "none"
    what = "files" if folder else "lines"
    there = "there" if read == existing else f"it read (of {existing})"
    return (
        f"# undersigned's configuration, inferred from {source} by undersigned:\n"
        f"# it reads {report.signatures} of the {read} signature {what} {there} ({share}).\n"
        "# config/undersigned.example.yml in undersigned's repository documents every key.\n"
    )
