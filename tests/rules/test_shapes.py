"""Every letter shape: sign, duplicate, amend, withdraw, another's line, a line older than undersigned."""

from __future__ import annotations

import pytest

from app.rules import Verdict, parse_ledger
from app.rules.apply import needs_ledger
from app.rules.lint import lint_letter
from tests.rules.shapes import ADA, BOB, FOLDER_LETTERS, LIST_LETTERS, MAINT, MAL, judge, land

SECOND = {"slugs": "_data/supporting/ada-lovelace-2.yml", "front": "_signatures/9999.md", "extension": "signatures/ada"}
AMEND = {"names": "Ada King", "freeform": "Ada King", "table": "Ada King", "commits": "1234567ab"}


def codes(verdict: Verdict) -> list[str]:
    return [p.code for p in verdict.problems]


def _add(text: str, line: str) -> str:
    return text.rstrip("\n") + "\n" + line + "\n"


def _swap(text: str, old: str, new: str | None) -> str:
    lines = text.split("\n")
    at = lines.index(old)
    if new is None:
        del lines[at]
    else:
        lines[at] = new
    return "\n".join(lines)


@pytest.mark.parametrize("shape", sorted(LIST_LETTERS))
def test_list_shape_lifecycle(shape: str) -> None:
    cfg, before, ada, bob = LIST_LETTERS[shape]
    path = cfg.letter.file
    files = {path: before}
    signed = judge(cfg, files, {path: _add(before, ada)}, ADA)
    assert signed.kind == "sign", signed.problems
    files = land(cfg, files, signed)
    assert (cfg.letter.ledger in files) == needs_ledger(cfg.letter)
    again = ada.replace("Ada Lovelace", "Ada Again").replace("3f9c2b1aa", "0000000aa")
    assert codes(judge(cfg, files, {**files, path: _add(files[path], again)}, ADA)) == ["duplicate-signer"]
    files = land(cfg, files, judge(cfg, files, {**files, path: _add(files[path], bob)}, BOB))
    ada_now = next(x for x in files[path].split("\n") if "Ada" in x or x.startswith("ada "))
    assert codes(judge(cfg, files, {**files, path: _swap(files[path], ada_now, None)}, BOB)) == ["edits-others-line"]
    amended = ada_now.replace("Ada Lovelace", AMEND[shape]).replace("3f9c2b1aa", AMEND[shape])
    changed = judge(cfg, files, {**files, path: _swap(files[path], ada_now, amended)}, ADA)
    assert changed.kind == "amend", changed.problems
    files = land(cfg, files, changed)
    gone = judge(cfg, files, {**files, path: _swap(files[path], amended, None)}, ADA)
    assert gone.kind == "withdraw", gone.problems
    files = land(cfg, files, gone)
    assert amended not in files[path]
    old = next(x for x in before.split("\n") if "Cy" in x or x.startswith("cy "))
    unknown = "edits-unowned-line" if needs_ledger(cfg.letter) else "edits-others-line"
    assert codes(judge(cfg, files, {**files, path: _swap(files[path], old, None)}, BOB)) == [unknown]
    assert judge(cfg, files, {**files, path: _swap(files[path], old, None)}, MAINT).kind == "withdraw"


@pytest.mark.parametrize("shape", sorted(FOLDER_LETTERS))
def test_folder_shape_lifecycle(shape: str) -> None:
    cfg, before, ada_path, ada, bob_path, bob = FOLDER_LETTERS[shape]
    files = dict(before)
    signed = judge(cfg, files, {**files, ada_path: ada}, ADA)
    assert signed.kind == "sign", signed.problems
    files = land(cfg, files, signed)
    assert files[ada_path] == ada and (cfg.letter.ledger in files) == needs_ledger(cfg.letter)
    twice = judge(cfg, files, {**files, SECOND[shape]: ada}, ADA)
    assert codes(twice) == ["duplicate-signer"]
    files = land(cfg, files, judge(cfg, files, {**files, bob_path: bob}, BOB))
    edited = {**files, ada_path: ada.replace("Lovelace", "King")}
    assert codes(judge(cfg, files, edited, BOB)) == ["edits-others-line"]
    changed = judge(cfg, files, edited, ADA)
    assert changed.kind == "amend", changed.problems
    files = land(cfg, files, changed)
    removed = {p: t for p, t in files.items() if p != ada_path}
    assert codes(judge(cfg, files, removed, MAL)) == ["edits-others-line"]
    gone = judge(cfg, files, removed, ADA)
    assert gone.kind == "withdraw", gone.problems
    files = land(cfg, files, gone)
    assert ada_path not in files
    old = next(iter(before))
    without_old = {p: t for p, t in files.items() if p != old}
    unknown = "edits-unowned-line" if needs_ledger(cfg.letter) else "edits-others-line"
    assert codes(judge(cfg, files, without_old, BOB)) == [unknown]
    assert judge(cfg, files, without_old, MAINT).kind == "withdraw"


@pytest.mark.parametrize("shape", sorted(LIST_LETTERS))
def test_a_signed_list_lints_clean(shape: str) -> None:
    cfg, before, ada, bob = LIST_LETTERS[shape]
    path = cfg.letter.file
    files = land(cfg, {path: before}, judge(cfg, {path: before}, {path: _add(before, ada)}, ADA))
    files = land(cfg, files, judge(cfg, files, {**files, path: _add(files[path], bob)}, BOB))
    report = lint_letter(cfg, {path: files[path]}, parse_ledger(files.get(cfg.letter.ledger)))
    signed_before = {"names": 2, "freeform": 2, "table": 1, "commits": 1}[shape]
    assert report.clean and report.signatures == signed_before + 2, report.problems


@pytest.mark.parametrize("shape", sorted(FOLDER_LETTERS))
def test_a_signed_folder_lints_clean(shape: str) -> None:
    cfg, before, ada_path, ada, bob_path, bob = FOLDER_LETTERS[shape]
    files = land(cfg, dict(before), judge(cfg, dict(before), {**before, ada_path: ada}, ADA))
    files = land(cfg, files, judge(cfg, files, {**files, bob_path: bob}, BOB))
    letter = {p: t for p, t in files.items() if p != cfg.letter.ledger}
    report = lint_letter(cfg, letter, parse_ledger(files.get(cfg.letter.ledger)))
    assert report.clean and report.signatures == 3, report.problems
