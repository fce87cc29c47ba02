"""`undersigned init`'s inference: the figures of bench/init_report.md are current, the corpus letters reach the
goal, every gallery shape is inferred as the gallery writes it, and hostile letters stay bounded."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.infer.infer import infer
from app.infer.lines import MAX_LINE
from bench.init_report import FOLDER, GOAL, LISTS, REPORT, Row, measure, render
from config import Config, parse_config
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return measure()


def test_the_report_is_current(rows: list[Row]) -> None:
    assert REPORT.read_text(encoding="utf-8") == render(rows), "run `python -m bench.init_report`"


def test_every_corpus_letter_reaches_the_goal(rows: list[Row]) -> None:
    by_letter = {row.letter: row.inference for row in rows}
    for letter in (*LISTS, FOLDER):
        assert by_letter[letter].share >= GOAL, letter
    # rms-support-letter: a web address or a mailto: link, never javascript: (`{url}`).
    folder = by_letter[FOLDER]
    assert folder.config is not None and folder.config.letter.fields == {"name": "{name}", "link": "{url}"}


def test_every_gallery_shape_is_inferred_as_the_gallery_writes_it(rows: list[Row]) -> None:
    gallery = [row for row in rows if row.equal is not None]
    assert len(gallery) >= 9
    # A free line is inferred as a name line (bench/init_report.md says why); every other shape exactly.
    free = [row for row in gallery if not row.equal]
    assert [row.letter.split(":")[0] for row in free] == ['"It can be anything"'], [row.letter for row in free]
    assert free[0].inference.config is not None and free[0].inference.config.letter.line == "- {name}"
    assert all(row.inference.share == 1.0 for row in gallery)


def test_the_inferred_config_says_what_it_found() -> None:
    text = "# Letter\n\nSigned,\n\n- Ada Lovelace, @ada (MIT)\n- Grace Hopper, @grace\n- Tim B @timbl (W3C)\n"
    text += "- Barbara Liskov, @bliskov\n"  # two lines without an affiliation: it is optional
    found = infer({"README.md": text})
    assert found.config is not None and found.config.letter.start_after == "Signed,"
    assert found.config.letter.line == "- {name}, @{login}{? ({affiliation})}"
    assert (found.existing, found.accepted) == (4, 3)  # one line has no comma
    assert found.unread == (("README.md", 7, "- Tim B @timbl (W3C)"),)
    assert "reads 3 of the 4 signature lines there (75.0%)" in found.text
    assert isinstance(parse_config(found.text), Config)  # the comments and the quoting are YAML


def test_lines_without_a_login_get_the_ledger_and_a_list_end_marker() -> None:
    text = "Signed,\n\n1. Ada Lovelace (MIT)\n2. Grace Hopper\n3. Alan Turing (Bletchley)\n\n## Press\n\nNone.\n"
    found = infer({"README.md": text})
    assert found.config is not None
    letter = found.config.letter
    assert (letter.line, letter.end_before) == ("N. {name}{? ({affiliation})}", "## Press")
    assert "binds each new line to its signer's account" in found.text and "ledger:" in found.text


def test_no_letter_found() -> None:
    assert infer({"README.md": "# Hello\n\nJust text.\n"}).config is None
    assert infer({}).config is None


def test_hostile_letters_are_read_within_bounds() -> None:
    long_line = "- " + "a (" * (MAX_LINE // 2)  # never read: longer than any line the rules accept
    noise = ["- " + "[@" * 200 + "x", "- " + "(" * 500, "- @" + "a" * 5000, "\u202e- Mallory, @mallory", "- \x00"]
    text = "Signed,\n\n" + "\n".join([long_line, *noise] * 200 + [f"- Signer {i}, @s{i}" for i in range(3000)])
    found = infer({"README.md": text, "big.md": "- x\n" * 10 + "y" * 3_000_000})
    assert found.config is not None and found.config.letter.line == "- {name}, @{login}"
    assert found.accepted >= 3000
    assert found.unread_total > 0 and len(found.unread) <= 20  # listed, bounded


def test_init_prints_and_writes_only_when_asked(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("Signed,\n\n- Ada, @ada\n- Grace, @grace\n- Alan, @alan\n- Tim, @timbl\n")
    cli = str(ROOT / ".venv" / "bin" / "undersigned")
    shown = subprocess.run([cli, "init", str(tmp_path)], capture_output=True, text=True, check=False)
    assert shown.returncode == 0, shown.stderr
    assert 'line: "- {name}, @{login}"' in shown.stdout and "reads 4 of 4 signature lines (100.0%)" in shown.stdout
    assert not (tmp_path / ".github").exists()
    wrote = subprocess.run([cli, "init", "--write", str(tmp_path)], capture_output=True, text=True, check=False)
    assert ".github/undersigned.yml: written" in wrote.stdout
    config = parse_config((tmp_path / ".github" / "undersigned.yml").read_text())
    assert isinstance(config, Config) and config.letter.line == "- {name}, @{login}"
    assert not (tmp_path / ".github" / "workflows").exists()  # the workflow only with --action
