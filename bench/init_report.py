"""`undersigned init` on every letter of ../shared/corpus and on every shape of the README's gallery.

Run: python -m bench.init_report  (writes bench/init_report.md and prints it).

The corpus keeps each letter's final signature section, not the whole file: each list letter is rebuilt as a
title, a line of text, its start marker (from tests/corpus_configs) and the section; the folder letter as its
files. Each gallery shape becomes a synthetic letter of twelve signers written with the gallery's own config
(rendered by the rules' templates); the inferred config is then compared with the gallery's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from app.infer.infer import Inference, infer
from app.rules.letter import signature_path
from app.rules.text import sort_key
from app.template import Template
from config import Config, parse_config

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
REPORT = Path(__file__).resolve().parent / "init_report.md"
LISTS = {  # the corpus letters with a signature list, and the line their list starts after (None: none)
    "selfagency__microsoft-drop-ice": "Signed/Firmados,",
    "drop-ice__dear-github-2.0": "Signed,",
    "thank-you-github__thank-you-github": None,
}
FOLDER = "rms-support-letter__rms-support-letter.github.io"
GOAL = 0.95
# Twelve signers, in no order by surname, name or login: an appended list must not look sorted.
PEOPLE = [
    ("Grace Hopper", "grace", "US Navy"),
    ("Ada Lovelace", "ada", "Analytical Engines"),
    ("Tim Berners-Lee", "timbl", "W3C"),
    ("Margaret Hamilton", "mhamilton", "MIT"),
    ("Anaïs Betts", "anaisbetts", "ReactiveUI"),
    ("Linus Torvalds", "torvalds", "Linux"),
    ("Barbara Liskov", "bliskov", "MIT"),
    ("Edsger Dijkstra", "ewd", "UT Austin"),
    ("Katherine Johnson", "kjohnson", "NASA"),
    ("Donald Knuth", "dek", "Stanford"),
    ("Frances Allen", "fallen", "IBM"),
    ("Alan Turing", "alan-t", "Bletchley Park"),
]


@dataclass(frozen=True)
class Row:
    letter: str
    inference: Inference
    equal: bool | None = None  # gallery shapes: whether the inferred config is the gallery's


def corpus_files(letter: str) -> dict[str, str]:
    """A corpus letter as the files of its repo."""
    raw = (CORPUS / f"{letter}.lines.txt").read_text(encoding="utf-8")
    if letter == FOLDER:
        files = {}
        for line in raw.split("\n"):
            path, tab, text = line.partition("\t")
            if tab:
                files[path] = re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), text)
        return files | {"README.md": "# In support of Richard M. Stallman\n\nWe support him.\n"}
    marker = LISTS[letter]
    head = "# An open letter\n\nWe ask GitHub for better things.\n\n" + (f"{marker}\n\n" if marker else "")
    return {"README.md": head + raw, "LICENSE": "CC0\n"}


def gallery() -> list[tuple[str, Config]]:
    """The README gallery's configs, each with the words that introduce it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Gallery") : readme.index("**When a change counts.**")]
    out = []
    for before, block in zip(section.split("```yaml\n")[:-1], section.split("```yaml\n")[1:], strict=True):
        config = parse_config(block.split("```")[0])
        title = " ".join(before.rsplit("```", 1)[-1].strip().split("\n\n")[-1].split()).rstrip(":.")
        # `init` infers one list or one folder: a letter of several (issue 23) is written by hand, so those
        # shapes are not measured here (tests/rules/test_shapes_new_readme.py runs their examples).
        if isinstance(config, Config) and not config.letter.lists and not config.letter.folders:
            out.append((title, config))
    return out


def _values(i: int, name: str, login: str) -> dict[str, str | None]:
    surname = name.split()[-1]
    return {
        "email": f"{login}@example.org",
        "url": f"https://{login}.example.org",
        "commit": f"{(i + 1) * 2654435761:040x}"[-40:],
        "text": f"{surname}, {' '.join(name.split()[:-1])}",
    }


def shape_files(config: Config) -> dict[str, str]:
    """A synthetic letter of PEOPLE written in a gallery shape: some leave out what the shape lets them omit."""
    letter = config.letter
    if letter.directory is not None:
        return _folder_files(config)
    tpl = Template(letter.line, variants=tuple(letter.line_variants))
    people = PEOPLE
    if letter.order == "sorted":
        people = sorted(PEOPLE, key=lambda p: sort_key(p[0], p[1], letter.sort_key))
    lines = []
    for i, (name, login, affiliation) in enumerate(people):
        values = _values(i, name, login)
        shape = tpl.variants[0] if tpl.variants and i % 4 == 3 else tpl
        line = shape.render(name, "" if i % 4 == 1 else login, None if i % 3 == 0 else affiliation, i + 1, **values)
        line = line or shape.render(name, login, None, i + 1, **values)
        line = line or shape.render(name, login, affiliation, i + 1, **values)
        assert line is not None, letter.line
        lines.append(line)
    head = "# An open letter\n\nWe ask for better things.\n\n"
    if letter.start_after is not None:
        table = "| Name | Affiliation | GitHub |\n" if letter.start_after.startswith("|") else ""
        head += table + letter.start_after + "\n" + ("" if table else "\n")
    else:
        head = ""
    return {letter.file: head + "\n".join(lines) + "\n", "LICENSE": "CC0\n"}


def _folder_files(config: Config) -> dict[str, str]:
    letter = config.letter
    files = {"README.md": "# An open letter\n\nWe ask for better things.\n"}
    for i, (name, login, affiliation) in enumerate(PEOPLE):
        values = _values(i, name, login)
        path = signature_path(letter, login, name) or f"{letter.directory}/{(i + 1) * 40503:04x}.md"
        if i % 2 and path.endswith(".txt") and "{?.txt}" in letter.filename:
            path = path[: -len(".txt")]

        def fill(tpl: str) -> str | None:
            return Template(tpl, bullet=False).render(name, login, affiliation, 1, **values)  # noqa: B023

        if letter.content is not None:
            files[path] = f"{fill(letter.content)}\n"
            continue
        data = {k: fill(v) for k, v in (letter.fields or {}).items()}
        data |= {k: fill(v) for k, v in letter.optional_fields.items() if i % 3}
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        if letter.front_matter:
            text = f"---\n{text}---\n" + (f"I sign because it matters to {name}.\n" if i % 2 else "")
        files[path] = text
    return files


def measure() -> list[Row]:
    rows = [Row(letter, infer(corpus_files(letter))) for letter in (*LISTS, FOLDER)]
    for title, config in gallery():
        found = infer(shape_files(config))
        rows.append(Row(title, found, found.config == config))
    return rows


def render(rows: list[Row]) -> str:
    out = [
        "# `undersigned init`: the inferred config on every corpus letter and every gallery shape",
        "",
        "Generated by `python -m bench.init_report`; `tests/rules/test_init_report.py` keeps it current.",
        "Each share is the rules engine's own lint of the letter with the inferred config: the signature lines",
        "(or files) it reads, of those in the letter. Goal: at least 95% on each corpus letter.",
        "",
        "## The corpus",
        "",
        "| letter | source | signatures | read | share | inferred line (or file name) |",
        "|---|---|---:|---:|---:|---|",
    ]
    for row in rows:
        if row.equal is None:
            out.append(_row(row, ""))
    out += [
        "",
        "rms-support-letter's links are web addresses or `mailto:` links, which `{url}` reads (never a",
        "`javascript:` or `data:` link, which a letter's site would run). Most unread files are named otherwise",
        "than by a login (`Alex.Behterev.yaml`).",
        "",
        "## The README gallery (synthetic letters of twelve signers, written in each shape)",
        "",
        "| shape | source | signatures | read | share | inferred line (or file name) | equals the gallery's |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for row in rows:
        if row.equal is not None:
            out.append(_row(row, " yes |" if row.equal else " no |"))
    out += [
        "",
        "A free line (`- {text}`) is inferred as `- {name}`: the same lines read, with a stricter field, since a",
        "list of names does not show that its maintainers would take any text. Shapes of several lists or folders",
        "are not inferred: `init` proposes one list or one folder, and the maintainer adds the others by hand.",
    ]
    return "\n".join(out) + "\n"


def _row(row: Row, last: str) -> str:
    inf = row.inference
    letter = inf.config.letter if inf.config is not None else None
    shown = "" if letter is None else (letter.filename if letter.directory is not None else letter.line)
    shown, name = shown.replace("|", "\\|"), row.letter.replace("|", "\\|")
    return f"| {name} | `{inf.source}` | {inf.existing} | {inf.accepted} | {100 * inf.share:.1f}% | `{shown}` |{last}"


def main() -> None:
    text = render(measure())
    REPORT.write_text(text, encoding="utf-8")
    print(text, end="")


if __name__ == "__main__":
    main()
