"""The ledger: parsing it into the ownership fact, and the update that lands with each signature."""

from __future__ import annotations

import pytest

from app.rules import Change, parse_ledger, update_ledger
from app.rules.apply import ApplyError, apply_changes
from app.rules.ledger import HEADER, Owner
from app.rules.lint import lint_letter
from tests.helpers import config


def test_parse_skips_what_does_not_read() -> None:
    text = HEADER + "1\tada\t- Ada Lovelace\nnot a row\n-\tbob\t_sig/B.md\n\n7\tcy\t\n"
    owned = parse_ledger(text)
    assert owned.owners("- Ada Lovelace") == (Owner(1, "ada"),)
    assert owned.owners("_sig/b.md") == (Owner(None, "bob"),)  # a path is found whatever its case
    assert owned.owners("- Cy") == () and parse_ledger(None).owners("x") == ()
    assert owned.keys_of("ADA", None) == ["- Ada Lovelace"]
    assert owned.keys_of("ada-renamed", 1) == ["- Ada Lovelace"]  # the id outlives a renamed login


def test_update_adds_rekeys_and_drops() -> None:
    add = Change("add", "README.md", "ada", "- Ada", None, None, 1)
    text = update_ledger(None, [add], folder=False)
    assert text == HEADER + "1\tada\t- Ada\n"
    assert update_ledger(text, [add], folder=False) == text  # landing twice changes nothing
    amend = Change("replace", "README.md", "ada", "- Ada King", "- Ada", None, 1)
    text = update_ledger(text, [amend], folder=False)
    assert parse_ledger(text).owners("- Ada King") == (Owner(1, "ada"),) and not parse_ledger(text).owners("- Ada")
    gone = Change("remove", "README.md", "ada", None, "- Ada King", None, 1)
    assert update_ledger(text, [gone], folder=False) == HEADER


def test_two_people_with_the_same_line_each_own_one() -> None:
    text = update_ledger(
        None,
        [Change("add", "R", "ada", "- Ada", None, None, 1), Change("add", "R", "ada2", "- Ada", None, None, 2)],
        folder=False,
    )
    assert parse_ledger(text).owners("- Ada") == (Owner(1, "ada"), Owner(2, "ada2"))
    text = update_ledger(text, [Change("remove", "R", "ada2", None, "- Ada", None, 2)], folder=False)
    assert parse_ledger(text).owners("- Ada") == (Owner(1, "ada"),)


def test_folder_keys_are_paths() -> None:
    add = Change("add", "_sig/3f9c.md", "ada", "---\nname: Ada\n---\n", None, None, 1)
    text = update_ledger("", [add], folder=True)
    assert parse_ledger(text).owners("_sig/3f9c.md") == (Owner(1, "ada"),)
    edit = Change("replace", "_sig/3f9c.md", "ada", "---\nname: Ada L\n---\n", add.text, None, 1)
    assert update_ledger(text, [edit], folder=True) == text


def test_lint_flags_an_account_that_owns_two_lines() -> None:
    cfg = config("letter:\n  start_after: 'Signed,'\n  line: '- {name}'\n")
    text = "Signed,\n\n- Ada Lovelace\n- Bob Byte\n- Ada Again\n"
    ledger = parse_ledger("1\tada\t- Ada Lovelace\n2\tbob\t- Bob Byte\n1\tada\t- Ada Again\n1\tada\t- Gone\n")
    report = lint_letter(cfg, {"README.md": text}, ledger)
    assert [(p.code, p.line) for p in report.problems] == [("duplicate-signer", 5)]
    assert "on line 3" in report.problems[0].message
    assert lint_letter(cfg, {"README.md": text}).clean


def test_landing_refuses_a_second_signature_of_one_account() -> None:
    cfg = config("letter:\n  start_after: 'Signed,'\n  line: '- {name}'\n")
    files = {"README.md": "Signed,\n\n- Ada Lovelace\n", cfg.letter.ledger: "1\tada\t- Ada Lovelace\n"}
    again = Change("add", "README.md", "ada", "- Ada Again", None, None, 1)
    with pytest.raises(ApplyError, match="signed already"):
        apply_changes(cfg, files, [again])
    first = Change("add", "README.md", "ada", "- Ada Lovelace", None, None, 1)
    assert apply_changes(cfg, files, [first]) == {"README.md": files["README.md"]}  # landing twice: no change
    bob = apply_changes(cfg, files, [Change("add", "README.md", "bob", "- Bob Byte", None, None, 2)])
    assert bob["README.md"] == "Signed,\n\n- Ada Lovelace\n- Bob Byte\n"
    assert bob[cfg.letter.ledger] == "1\tada\t- Ada Lovelace\n2\tbob\t- Bob Byte\n"
