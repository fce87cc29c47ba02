"""Replay of the real letters: the report stays current and every defect in the corpus README is caught."""

from __future__ import annotations

from collections import Counter

import pytest

from app.rules import Author, Snapshots, evaluate
from bench.corpus_replay import LETTERS, REPORT, LetterResult, load_config, render_report, replay
from tests.helpers import NOW


@pytest.fixture(scope="module")
def results() -> dict[str, LetterResult]:
    return {letter: replay(letter) for letter in LETTERS}


def test_generated_report_is_current(results: dict[str, LetterResult]) -> None:
    expected = render_report([results[letter] for letter in LETTERS])
    assert REPORT.read_text(encoding="utf-8") == expected, "run `python -m bench.corpus_replay`"


def test_every_merged_pr_gets_a_verdict(results: dict[str, LetterResult]) -> None:
    sizes = {letter: len(r.outcomes) for letter, r in results.items()}
    assert sizes == {
        "selfagency__microsoft-drop-ice": 392,
        "drop-ice__dear-github-2.0": 728,
        "thank-you-github__thank-you-github": 2534,
        "rms-support-letter__rms-support-letter.github.io": 5000,
    }
    for res in results.values():
        accepted = sum(1 for o in res.outcomes if o.verdict.ok)
        assert accepted > len(res.outcomes) / 2, res.letter  # most real signatures were fine


def _problems(results: dict[str, LetterResult], letter: str) -> Counter[str]:
    return Counter(p.code for o in results[letter].outcomes for p in o.verdict.problems)


def _pr_codes(results: dict[str, LetterResult], letter: str, pr: int) -> set[str]:
    return {p.code for o in results[letter].outcomes if o.pr == pr for p in o.verdict.problems}


def test_readme_defects_are_caught(results: dict[str, LetterResult]) -> None:
    ice = "selfagency__microsoft-drop-ice"
    # Handle text and link disagree: [@qubist](https://github.com/fridzema) (PR 155).
    assert "login-mismatch" in _pr_codes(results, ice, 155) or "duplicate-signer" in _pr_codes(results, ice, 155)
    # Broken links https:/github.com/... (PR 365) and missing spaces (PR 383).
    assert "line-format" in _pr_codes(results, ice, 365)
    assert "line-format" in _pr_codes(results, ice, 383)
    # Missing commas (dear-github-2.0 PR 548: "- David Mendoza @Dmendoza99 (...)").
    assert "line-format" in _pr_codes(results, "drop-ice__dear-github-2.0", 548)
    # Underscores in a "login": @lady_ada_king (dear-github-2.0 PR 14).
    assert "invalid-login" in _pr_codes(results, "drop-ice__dear-github-2.0", 14)
    # Edits and deletions of other people's lines, duplicate signers, signing for others.
    for letter in LETTERS:
        found = _problems(results, letter)
        assert found["edits-others-line"] > 0, letter
        assert found["duplicate-signer"] > 0, letter
        assert found["author-mismatch"] > 0, letter


def test_qubist_line_is_a_login_mismatch() -> None:
    cfg = load_config("selfagency__microsoft-drop-ice")
    base = "Signed/Firmados,\n\n1.  Lea Verou [@leaverou](https://github.com/leaverou)\n"
    head = base + "1.  Robert Fridzema [@qubist](https://github.com/fridzema)\n"
    verdict = evaluate(cfg, Snapshots({"README.md": base}, {"README.md": head}), ["README.md"], Author("fridzema"), NOW)
    assert next(p.code for p in verdict.problems) == "login-mismatch"


@pytest.mark.parametrize(
    "line",
    [
        "1.  Ada Lovelace [@ada](https://github.com/ada)  ",  # trailing spaces
        "1.  Ada\u00a0Lovelace [@ada](https://github.com/ada)",  # NBSP inside the name
        "\u2013  Ada Lovelace [@ada](https://github.com/ada)",  # en dash bullet
        "1.  Ada Lovelace [@ada](https://github.com/ada)\r",  # CRLF
    ],
)
def test_harmless_real_defects_are_accepted(line: str) -> None:
    cfg = load_config("selfagency__microsoft-drop-ice")
    base = "Signed/Firmados,\n\n1.  Lea Verou [@leaverou](https://github.com/leaverou)\n"
    verdict = evaluate(
        cfg, Snapshots({"README.md": base}, {"README.md": base + line + "\n"}), ["README.md"], Author("ada"), NOW
    )
    assert verdict.kind == "sign", verdict.problems
