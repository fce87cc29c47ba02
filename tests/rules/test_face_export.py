"""The letter's public face, rendered: who signed (lines, not events), as JSON, CSV and a badge, all escaped."""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from xml.etree import ElementTree

from app.rules.export import as_csv, as_json, badge, records
from app.rules.roster import removal, signatories
from config.model import LetterConfig

CFG = LetterConfig(
    file="README.md", start_after="Signed,", line="- {name} [@{login}](https://github.com/{login}){? ({affiliation})}"
)
TEXT = """# A letter

Words.

Signed,

- Ada Lovelace [@ada](https://github.com/ada) (Analytical Engines)
- not a signature line
- Grace Hopper [@grace](https://github.com/grace)
"""


def test_signatories_are_the_lines_that_read() -> None:
    people = signatories(CFG, {"README.md": TEXT})
    assert [(p.name, p.login, p.affiliation) for p in people] == [
        ("Ada Lovelace", "ada", "Analytical Engines"),
        ("Grace Hopper", "grace", None),
    ]


def test_removal_finds_the_line_by_login_case_insensitively() -> None:
    change = removal(CFG, {"README.md": TEXT}, "GRACE")
    assert change is not None and change.action == "remove"
    assert change.old == "- Grace Hopper [@grace](https://github.com/grace)"
    assert removal(CFG, {"README.md": TEXT}, "linus") is None


def test_login_less_lines_take_their_owner_from_the_ledger() -> None:
    cfg = LetterConfig(file="README.md", start_after="Signed,", line="- {name}")
    text = "Signed,\n- Ada Lovelace\n- Nobody Known\n"
    ledger = "# header\n42\tada\t- Ada Lovelace\n"
    files = {"README.md": text, cfg.ledger: ledger}
    assert [p.login for p in signatories(cfg, files)] == ["ada", ""]
    change = removal(cfg, files, "ada")
    assert change is not None and change.old == "- Ada Lovelace"


def test_csv_neutralises_formulas() -> None:
    rows: list[dict[str, Any]] = [
        {"name": '=HYPERLINK("http://evil")', "login": "ada", "affiliation": "+1-555", "landed": "2026-12-06"},
        {"name": "@SUM(A1)", "login": None, "affiliation": "-2", "landed": None},
        {"name": 'Plain, "quoted"', "login": "grace", "affiliation": "\tTab", "landed": None},
    ]
    read = list(csv.reader(io.StringIO(as_csv(rows))))
    assert read[0] == ["name", "login", "affiliation", "landed"]
    for row in read[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t")), cell
    assert read[1][0] == '\'=HYPERLINK("http://evil")' and read[3][0] == 'Plain, "quoted"'


def test_json_has_no_markup_and_the_same_values() -> None:
    rows = [{"name": "<script>alert(1)</script> & co", "login": "ada", "affiliation": None, "landed": None}]
    text = as_json("o/r", rows)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"letter": "o/r", "count": 1, "signatures": rows}


def test_badge_is_well_formed_svg_with_the_count() -> None:
    svg = badge(12345)
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg") and "12,345" in svg
    assert "<script" not in badge(1, label='"><script>') and "&lt;script&gt;" in badge(1, label="<script>")


def test_records_carry_dates_by_login() -> None:
    people = signatories(CFG, {"README.md": TEXT})
    rows = records(people, {"@ada": "2026-12-01"})
    assert [r["landed"] for r in rows] == ["2026-12-01", None]


def test_a_verified_mark_shows_only_while_the_line_names_that_affiliation() -> None:
    people = signatories(CFG, {"README.md": TEXT})
    mark = {"affiliation": "analytical  ENGINES", "method": "org", "matched": "engines", "date": "2026-12-01"}
    marks = {"ada": mark, "grace": {**mark, "affiliation": "Navy"}}
    rows = records(people, {}, marks)
    assert rows[0]["verified"] == {"method": "org", "matched": "engines", "date": "2026-12-01"}
    assert rows[1]["verified"] is None  # her mark is for Navy; her line names no affiliation now
    table = list(csv.reader(io.StringIO(as_csv(rows))))
    assert table[0][-1] == "verified" and table[1][-1] == "org: engines" and table[2][-1] == ""
    assert "verified" not in records(people, {})[0]  # a letter that verifies nothing shows no column
    assert "verified" not in next(csv.reader(io.StringIO(as_csv(records(people, {})))))
