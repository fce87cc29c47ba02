"""Synthetic letters, one per shape real letters use, and a helper that lands a verdict like the service."""

from __future__ import annotations

from collections.abc import Mapping

from app.rules import Author, Snapshots, Verdict, evaluate, parse_ledger
from app.rules.apply import apply_changes
from config import Config
from tests.helpers import NOW, config

ADA, BOB, MAL, MAINT = Author("ada", 1), Author("bob", 2), Author("mallory", 3), Author("maint", 4)
TRUSTED = "signers:\n  trusted: [maint]\n"

NAMES = config(
    "letter:\n  start_after: 'Signed,'\n  line: 'N. {name}{? ({affiliation})}'\n  order: sorted\n  sort_key: name\n"
    + TRUSTED
)
FREEFORM = config(
    "letter:\n  start_after: 'Signed,'\n  line: '- {name}{? (@{login})}'\n"
    "  line_variants: ['- @{login} <{email}>']\n" + TRUSTED
)
TABLE = config(
    "letter:\n  start_after: '|---|---|---|'\n"
    "  line: '| {name} | {affiliation} | [@{login}](https://github.com/{login}) |'\n" + TRUSTED
)
COMMITS = config("letter:\n  file: SIGNERS\n  line: '{login} {commit}'\n" + TRUSTED)
SLUGS = config(
    "letter:\n  directory: _data/supporting\n  filename: '{slug}.yml'\n"
    "  fields: {sortName: '{text}', displayName: '{name}'}\n  optional_fields: {url: '{url}'}\n" + TRUSTED
)
FRONT = config(
    "letter:\n  directory: _signatures\n  filename: '{id}.md'\n  front_matter: true\n"
    "  fields: {name: '{name}'}\n  optional_fields: {affiliation: '{affiliation}', github: '{login}'}\n"
    "  forbidden_keys: [layout]\n  body: text\n" + TRUSTED
)
EXTENSION = config("letter:\n  directory: signatures\n  filename: '{login}{?.txt}'\n  content: '{name}'\n" + TRUSTED)

LIST_LETTERS: dict[str, tuple[Config, str, str, str]] = {
    # name: (config, letter before, Ada's line, Bob's line)
    "names": (
        NAMES,
        "# Letter\n\nSigned,\n\n1. Cy Pre (Old Co)\n2. Zed Old\n",
        "1. Ada Lovelace (Engines)",
        "1. Bob Byte",
    ),
    "freeform": (FREEFORM, "Text\n\nSigned,\n\n- Cy Pre\n- Zed (@zed)\n", "- Ada Lovelace (@ada)", "- Bob Byte"),
    "table": (
        TABLE,
        "| Name | Org | GitHub |\n|---|---|---|\n| Cy Pre | Old Co | [@cy](https://github.com/cy) |\n",
        "| Ada Lovelace | Engines | [@ada](https://github.com/ada) |",
        "|Bob Byte|Bytes|[@bob](https://github.com/bob)|",
    ),
    "commits": (COMMITS, "cy 0123456789abcdef\n", "ada 3f9c2b1aa", "bob deadbeef1"),
}
FOLDER_LETTERS: dict[str, tuple[Config, dict[str, str], str, str, str, str]] = {
    # name: (config, files before, Ada's path, Ada's file, Bob's path, Bob's file)
    "slugs": (
        SLUGS,
        {"_data/supporting/cy-pre.yml": "sortName: Pre, Cy\ndisplayName: Cy Pre\n"},
        "_data/supporting/ada-lovelace.yml",
        "sortName: Lovelace, Ada\ndisplayName: Ada Lovelace\nurl: https://ada.example\n",
        "_data/supporting/bob-byte.yml",
        "sortName: Byte, Bob\ndisplayName: Bob Byte\n",
    ),
    "front": (
        FRONT,
        {"_signatures/0a1b.md": "---\nname: Cy Pre\n---\nOld text.\n"},
        "_signatures/3f9c.md",
        "---\nname: Ada Lovelace\naffiliation: Engines\n---\nI sign because...\n",
        "_signatures/77aa.md",
        "---\nname: Bob Byte\ngithub: bob\n---\n",
    ),
    "extension": (
        EXTENSION,
        {"signatures/cy": "Cy Pre\n"},
        "signatures/ada.txt",
        "Ada Lovelace\n",
        "signatures/bob",
        "Bob Byte\n",
    ),
}


def ledger_of(cfg: Config, files: Mapping[str, str]) -> object:
    return parse_ledger(files.get(cfg.letter.ledger))


def judge(cfg: Config, before: Mapping[str, str], after: Mapping[str, str], who: Author) -> Verdict:
    """Evaluate as the service does: the letter's files, what changed, the ledger of the default branch."""
    changed = sorted(p for p in {*before, *after} if before.get(p) != after.get(p))
    letter = {p: t for p, t in before.items() if p != cfg.letter.ledger}
    head = {p: t for p, t in after.items() if p != cfg.letter.ledger}
    return evaluate(cfg, Snapshots(letter, head), changed, who, NOW, parse_ledger(before.get(cfg.letter.ledger)))


def land(cfg: Config, files: Mapping[str, str], verdict: Verdict) -> dict[str, str]:
    """The default branch after landing a valid verdict: letter and ledger in one commit."""
    assert verdict.ok, verdict.problems
    out = dict(files)
    for path, text in apply_changes(cfg, files, verdict.land).items():
        if text is None:
            out.pop(path, None)
        else:
            out[path] = text
    return out
