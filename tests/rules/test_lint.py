"""Lint of whole letters: the seed letter and the final lists of the corpus letters."""

from __future__ import annotations

import re
from collections import Counter

from app.rules.lineformat import mentioned_logins
from app.rules.lint import lint_letter
from bench.corpus_replay import load_config
from tests.helpers import CORPUS, DIRECTORY_CONFIG_YAML, SEED_CONFIG_YAML, config, seed_text


def test_seed_letter_lints_clean_apart_from_its_real_defects() -> None:
    report = lint_letter(config(SEED_CONFIG_YAML), {"README.md": seed_text()})
    assert report.clean and report.signatures == 21
    # Its real defects: two lines with trailing spaces. Read fine, and noted.
    assert [(n.code, n.line) for n in report.notes] == [("not-normalized", 26), ("not-normalized", 28)]
    assert report.notes[0].suggestion == "-  Tomas Lycken [@tlycken](https://github.com/tlycken)"


SIGNER_PART = re.compile(r"\(\[@([^\]\s]+)\]\(https?:/*github\.com/([^)/\s]+)")


def _lines_letter(letter: str) -> str:
    cfg = load_config(letter)
    raw = (CORPUS / f"{letter}.lines.txt").read_text(encoding="utf-8", errors="strict").split("\n")
    head = f"{cfg.letter.start_after}\n\n" if cfg.letter.start_after else ""
    return head + "\n".join(raw)


def test_thank_you_github_duplicates_are_all_found() -> None:
    letter = "thank-you-github__thank-you-github"
    text = _lines_letter(letter)
    report = lint_letter(load_config(letter), {"README.md": text})
    flagged = {p.line for p in report.problems if p.code == "duplicate-signer"}
    first_seen: dict[str, int] = {}
    repeated: set[str] = set()
    repeating_lines: set[int] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        # The signer's handles: the "([@text](https://github.com/link))" part, else any handle named.
        signer = SIGNER_PART.search(line)
        handles = set(signer.groups()) if signer else mentioned_logins(line)
        for handle in {h.lower() for h in handles}:
            if handle in first_seen:
                repeated.add(handle)
                repeating_lines.add(number)
            first_seen.setdefault(handle, number)
    # The corpus README speaks of 39 handles twice: 39 lines repeat an earlier signer, 37 distinct
    # handles (some signed three times). Lint flags exactly those lines, and no others.
    assert flagged == repeating_lines
    assert len(flagged) == 39
    assert len(repeated) == 37


def test_corpus_defects_are_reported_by_lint() -> None:
    letter = "selfagency__microsoft-drop-ice"
    report = lint_letter(load_config(letter), {"README.md": _lines_letter(letter)})
    found = Counter(p.code for p in report.problems)
    assert found["login-mismatch"] >= 1
    mismatch = [p for p in report.problems if p.code == "login-mismatch"]
    assert any("`qubist`" in p.message and "`fridzema`" in p.message for p in mismatch)


def test_formatting_notes_cover_crlf_nbsp_en_dash_and_trailing_space() -> None:
    text = "Signed,\n\n- A B, @ab\r\n- C\u00a0D, @cd\n\u2013 E F, @ef\n- G H, @gh   \n- I J, @ij\n"
    cfg = config("letter:\n  start_after: 'Signed,'\n  line: '- {name}, @{login}'\n")
    report = lint_letter(cfg, {"README.md": text})
    assert report.clean and report.signatures == 5
    assert [n.line for n in report.notes] == [3, 4, 5, 6]


def test_sorted_order_is_checked() -> None:
    cfg = config("letter:\n  line: '- {name}, @{login}'\n  order: sorted\n  sort_key: surname\n")
    text = "- Tony Arcieri, @ta\n- Nick Doty, @nd\n- Anaïs Betts, @ab\n- Émile Curie, @ec\n"
    report = lint_letter(cfg, {"README.md": text})
    # Moving Doty alone sorts the list: only that line is reported.
    assert [(p.code, p.line) for p in report.problems] == [("wrong-position", 2)]
    assert "belongs after `Émile Curie`" in report.problems[0].message


def test_directory_letter_lint() -> None:
    cfg = config(DIRECTORY_CONFIG_YAML)
    files = {
        "_data/signed/a.yaml": "name: A\nlink: https://github.com/a\n",
        "_data/signed/A.yaml": "name: A again\nlink: https://github.com/A\n",
        "_data/signed/b.yml": "name: B\nlink: https://github.com/b\n",
    }
    report = lint_letter(cfg, files)
    assert sorted(p.code for p in report.problems) == ["duplicate-signer", "file-format"]
