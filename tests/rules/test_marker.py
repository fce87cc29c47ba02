"""The verified marker ({verified}): only undersigned writes it, and only on a verified line (issue 24)."""

from __future__ import annotations

import pytest

from app.affiliations.match import Mark
from app.affiliations.records import update_records
from app.rules import Author, Snapshots, Verdict, evaluate
from app.rules.apply import apply_changes
from app.rules.ledger import update_ledger
from app.rules.marker import unmark, with_marker
from app.rules.model import Change
from app.template import Template, TemplateError
from config import Config, ConfigError, parse_config
from tests.helpers import NOW, config

LINE = "- {name}{?, {affiliation}} [@{login}](https://github.com/{login}){? {verified}}"
MARKED = config(f"letter:\n  start_after: 'Signed,'\n  line: '{LINE}'\n")
NAMES = config("letter:\n  start_after: 'Signed,'\n  line: '- {name}{?, {affiliation}}{? {verified}}'\n")
BASE = "Signed,\n\n- Bob [@bob](https://github.com/bob)\n"
ADA = "- Ada, Mozilla [@ada](https://github.com/ada)"


def _sign(line: str, cfg: Config = MARKED, base: str = BASE) -> Verdict:
    texts = Snapshots({"README.md": base}, {"README.md": base + line + "\n"})
    return evaluate(cfg, texts, ["README.md"], Author("ada", 1), NOW)


def test_the_marker_is_read_only_in_its_place_and_only_as_the_maintainers_text() -> None:
    tpl = Template("- {name}{?, {affiliation}}{? {verified}}", marker="(verified)")
    read = tpl.parse("- Ada, Mozilla Corp. (verified)")
    assert read is not None and read.affiliation == "Mozilla Corp." and read.value("verified") == "(verified)"
    plain = tpl.parse("- Ada, Mozilla Corp.")
    assert plain is not None and plain.affiliation == "Mozilla Corp." and plain.value("verified") is None
    assert tpl.slot("- Ada, Mozilla Corp.") == (20, 20, " (verified)")
    assert tpl.slot("- Ada, Mozilla Corp. (verified)") == (20, 31, " (verified)")


@pytest.mark.parametrize(
    "line",
    [
        "- {name} {verified}",  # not optional: an unverified line could not be written
        "- {name}{? {verified} {affiliation}}",  # shares its part with another field
        "- {name}{? {verified}}{? {verified}}",
        "- {name}{? ({affiliation}{? {verified}})}",  # nested
    ],
)
def test_a_misplaced_verified_field_is_a_config_error(line: str) -> None:
    with pytest.raises(TemplateError):
        Template(line)
    assert isinstance(parse_config(f"letter:\n  line: '{line}'\n"), ConfigError)


def test_a_marker_with_spaces_around_or_a_folder_template_is_a_config_error() -> None:
    assert isinstance(parse_config(f"letter:\n  line: '{LINE}'\n  verified_marker: ' ✓'\n"), ConfigError)
    folder = "letter:\n  directory: signed\n  content: '{name}{? {verified}}'\n"
    assert isinstance(parse_config(folder), ConfigError)


def test_a_verified_line_lands_with_the_marker_every_other_byte_kept() -> None:
    spaced = "- Ada,  Mozilla   [@ada](https://github.com/ada)"
    assert with_marker(MARKED.letter, spaced, marked=True) == spaced + " ✓"
    assert with_marker(MARKED.letter, spaced + " ✓", marked=True) == spaced + " ✓"
    assert with_marker(MARKED.letter, spaced + " ✓", marked=False) == spaced
    no_field = config("letter:\n  start_after: 'Signed,'\n").letter
    assert with_marker(no_field, ADA, marked=True) == ADA  # a template without {verified}: the line as it is


def test_a_marker_typed_in_its_place_is_left_out_with_a_note() -> None:
    verdict = _sign(ADA + " ✓")
    assert verdict.ok and [c.text for c in verdict.land] == [ADA]
    assert "left out" in verdict.notes[0]
    quiet = _sign(ADA)
    assert quiet.ok and quiet.notes == ()


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("- Ada, Mozilla✓ [@ada](https://github.com/ada)", "affiliation"),
        ("- Ada ✓, Mozilla [@ada](https://github.com/ada)", "name"),
    ],
)
def test_a_marker_typed_anywhere_else_is_refused_with_the_line_without_it(line: str, field: str) -> None:
    verdict = _sign(line)
    assert not verdict.ok
    found = [p for p in verdict.problems if p.code == "marker-by-hand"]
    assert found and f"from the {field}." in found[0].message
    assert found[0].suggestion is not None and "✓" not in found[0].suggestion
    assert not _sign(ADA + " ✓ ✓").ok  # twice: not the letter's shape at all


def test_an_amended_line_keeps_its_marker_only_when_the_verdict_marks_it() -> None:
    base = BASE + ADA + " ✓\n"
    amended = "- Ada Lovelace, Mozilla [@ada](https://github.com/ada) ✓"
    verdict = evaluate(
        MARKED,
        Snapshots({"README.md": base}, {"README.md": base.replace(ADA + " ✓", amended)}),
        ["README.md"],
        Author("ada", 1),
        NOW,
    )
    assert verdict.ok and verdict.land[0].text == amended.removesuffix(" ✓")  # the rules never write it


def test_a_recheck_takes_the_marker_off_the_lapsed_signers_line_only() -> None:
    grace = "- Grace, Mozilla [@grace](https://github.com/grace) ✓"
    text = BASE + ADA + " ✓\n" + grace + "\n"
    changes = unmark(MARKED, {"README.md": text}, [("ada", 1)])
    assert changes == [Change("replace", "README.md", "ada", ADA, ADA + " ✓", account=1)]
    out = apply_changes(MARKED, {"README.md": text}, changes)
    assert out["README.md"] == BASE + ADA + "\n" + grace + "\n"
    assert unmark(MARKED, {"README.md": out["README.md"] or ""}, [("ada", 1)]) == []  # once


def test_a_recheck_of_a_line_without_login_follows_it_in_the_ownership_ledger() -> None:
    mine, other = "- Ada, Mozilla ✓", "- Bob, Mozilla ✓"
    ledger = update_ledger(
        None,
        [Change("add", "README.md", "ada", mine, account=1), Change("add", "README.md", "bob", other, account=2)],
        folder=False,
    )
    files = {"README.md": f"Signed,\n\n{mine}\n{other}\n", NAMES.letter.ledger: ledger}
    changes = unmark(NAMES, files, [("ada", 1)])
    assert [c.text for c in changes] == ["- Ada, Mozilla"]
    out = apply_changes(NAMES, files, changes)
    assert out["README.md"] == f"Signed,\n\n- Ada, Mozilla\n{other}\n"
    assert "1\tada\t- Ada, Mozilla\n" in (out[NAMES.letter.ledger] or "")  # the owner follows the new text


def test_the_verified_ledger_and_the_marked_line_come_from_one_change() -> None:
    mark = Mark("Mozilla", "org", "mozilla", "2026-12-07")
    change = Change(
        "add", "README.md", "ada", with_marker(MARKED.letter, ADA, marked=True), account=1, mark=mark.encode()
    )
    assert change.text == ADA + " ✓"
    assert "\tada\tMozilla\torg\tmozilla\t" in update_records(None, [change])
