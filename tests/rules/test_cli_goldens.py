"""What `undersigned lint` and `verify` say, as golden files: each problem quotes its line, one exit-code scheme."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, main
from tests.helpers import assert_golden

SORTED = 'version: 1\nletter:\n  file: README.md\n  start_after: "Signed,"\n  line: "N. {name}{? ({affiliation})}"\n  order: sorted\n  sort_key: name\n'  # fmt: skip
NAMES = 'version: 1\nletter:\n  start_after: "Signed,"\n  line: "- {name}"\n'


def letter(root: Path, config: str, lines: list[str], head: str = "# A letter\n\nWe ask.\n\nSigned,\n\n") -> Path:
    (root / ".github").mkdir(parents=True)
    (root / ".github" / "undersigned.yml").write_text(config)
    (root / "README.md").write_text(head + "".join(f"{x}\n" for x in lines))
    return root


def cli(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[int, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, (out + err).replace(str(tmp_path), "TMP")


def test_lint_quotes_each_line_and_finds_repeats_blanks_and_brackets(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = ["1. Ada Lovelace (Analytical Engines)", "2. Barbara Liskov (MIT", "3. Edsger Dijkstra", "",
             "4. Grace Hopper (Navy)", "5. Grace Hopper (Navy)", "6. Alan Kay", "7. Linus Torvalds"]  # fmt: skip
    repo = letter(tmp_path / "letter", SORTED, lines)
    code, text = cli(capsys, tmp_path, "lint", str(repo))
    assert code == EXIT_PROBLEMS
    assert_golden("cli/lint-problems.txt", text)
    # The letter's file names the same letter.
    assert cli(capsys, tmp_path, "lint", str(repo / "README.md")) == (code, text)


def test_a_repeated_line_is_blamed_not_its_neighbours(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lines = ["1. Ada Lovelace", "2. Barbara Liskov", "3. Edsger Dijkstra", "4. Grace Hopper", "5. Ada Lovelace",
             "6. Linus Torvalds"]  # fmt: skip
    code, text = cli(capsys, tmp_path, "lint", str(letter(tmp_path / "letter", SORTED, lines)))
    assert code == EXIT_PROBLEMS and "wrong-position" not in text
    assert_golden("cli/lint-repeated-line.txt", text)


def test_a_template_typo_is_said_at_its_line_with_did_you_mean(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo = letter(tmp_path / "letter", NAMES.replace("{name}", "{nmae}"), ["- Ada"])
    code, text = cli(capsys, tmp_path, "lint", str(repo))
    assert code == EXIT_PROBLEMS
    assert_golden("cli/lint-template-typo.txt", text)


def test_a_missing_start_marker_reads_sensibly_offline(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    repo = letter(tmp_path / "letter", NAMES, ["- Ada"], head="# A letter\n\nSigned:\n\n")
    code, text = cli(capsys, tmp_path, "lint", str(repo))
    assert code == EXIT_PROBLEMS and "default branch" not in text
    assert_golden("cli/lint-no-start-marker.txt", text)


def test_lint_of_another_file_says_which_is_the_letter(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    repo = letter(tmp_path / "letter", NAMES, ["- Ada"])
    (repo / "NOTES.md").write_text("notes\n")
    code, text = cli(capsys, tmp_path, "lint", str(repo / "NOTES.md"))
    assert code == EXIT_USAGE
    assert_golden("cli/lint-not-the-letter.txt", text)


def test_verify_reports_an_edited_line_as_changed_without_skipped_notes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base = letter(tmp_path / "base", NAMES, ["- Ada Lovelace", "- Grace Hopper", "- Alan Kay"])
    head = letter(tmp_path / "head", NAMES, ["- Ada Lovelace", "- Grace B. Hopper", "- Alan Kay"])
    code, text = cli(capsys, tmp_path, "verify", "--base", str(base), "--head", str(head), "--author", "grace")
    assert code == EXIT_PROBLEMS and "skipped" not in text and "removes" not in text
    assert_golden("cli/verify-edited-line.txt", text)


def test_one_exit_code_scheme_in_help_and_a_version(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, text = cli(capsys, tmp_path, "--help")
    assert code == EXIT_OK
    assert_golden("cli/help-exit-codes.txt", text[text.index("exit codes:") :])
    for command in ("lint", "verify", "serve"):
        assert "exit codes:" in cli(capsys, tmp_path, command, "--help")[1]
    code, text = cli(capsys, tmp_path, "--version")
    assert code == EXIT_OK and text.startswith("undersigned ")
    empty = letter(tmp_path / "empty", "", ["- Ada"])
    broken = letter(tmp_path / "broken", "version: 1\nletter: [\n", ["- Ada"])
    assert (
        cli(capsys, tmp_path, "lint", str(empty))[0] == cli(capsys, tmp_path, "lint", str(broken))[0] == EXIT_PROBLEMS
    )
    assert cli(capsys, tmp_path, "lint", str(tmp_path / "nowhere"))[0] == EXIT_USAGE
