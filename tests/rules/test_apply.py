"""Applying validated changes to the letter as it is now (what the lander commits)."""

from __future__ import annotations

import pytest

from app.rules import Author, Change, Snapshots, evaluate
from app.rules.apply import ApplyError, apply_changes
from config import Config
from tests.helpers import NOW, SEED_CONFIG_YAML, config, seed_text, with_line

SEED = config(SEED_CONFIG_YAML)
ADA = "-  Ada Lovelace [@ada](https://github.com/ada)"
BOB = "-  Bob Byte [@bob](https://github.com/bob)"


def land(cfg: Config, base: str, head: str, author: str) -> tuple[Change, ...]:
    verdict = evaluate(cfg, Snapshots({"README.md": base}, {"README.md": head}), ["README.md"], Author(author), NOW)
    assert verdict.ok, verdict.problems
    return verdict.land


def test_two_appends_from_the_same_base_both_land() -> None:
    base = seed_text()
    ada = land(SEED, base, with_line(base, ADA), "ada")
    bob = land(SEED, base, with_line(base, BOB), "bob")
    now = apply_changes(SEED, {"README.md": base}, ada)["README.md"]
    assert now is not None
    final = apply_changes(SEED, {"README.md": now}, bob)["README.md"]
    assert final is not None
    assert final.endswith(ADA + "\n" + BOB) or final.endswith(ADA + "\n" + BOB + "\n")
    assert final.startswith(base.split("Signed,")[0])
    assert final.count("[@bob](https://github.com/bob)") == 1


def test_applying_twice_changes_nothing() -> None:
    base = seed_text()
    ada = land(SEED, base, with_line(base, ADA), "ada")
    once = apply_changes(SEED, {"README.md": base}, ada)["README.md"]
    assert once is not None
    assert apply_changes(SEED, {"README.md": once}, ada)["README.md"] == once


def test_sorted_letter_places_the_line() -> None:
    cfg = config("letter:\n  start_after: 'Signed,'\n  line: '- {name}, @{login}'\n  order: sorted\n")
    base = "Signed,\n\n- Ana Alpha, @aa\n- Cy Gamma, @cg\n\nFooter\n"
    changes = land(cfg, base, base.replace("\n\nFooter", "\n- Bo Beta, @bb\n\nFooter"), "bb")
    assert apply_changes(cfg, {"README.md": base}, changes)["README.md"] == (
        "Signed,\n\n- Ana Alpha, @aa\n- Bo Beta, @bb\n- Cy Gamma, @cg\n\nFooter\n"
    )


def test_withdraw_and_amend_apply_to_a_moved_letter() -> None:
    base = seed_text()
    lea = "-  Lea Verou [@leaverou](https://github.com/leaverou)"
    withdraw = land(SEED, base, base.replace(lea + "\n", ""), "leaverou")
    amend = land(SEED, base, base.replace(lea, lea.replace("Lea", "Léa")), "leaverou")
    moved = with_line(base, ADA)  # the letter gained a line since
    out = apply_changes(SEED, {"README.md": moved}, withdraw)["README.md"]
    assert out is not None and "leaverou" not in out and ADA in out
    out = apply_changes(SEED, {"README.md": moved}, amend)["README.md"]
    assert out is not None and "Léa Verou" in out


def test_a_signer_who_signed_meanwhile_is_not_added_twice() -> None:
    base = seed_text()
    ada = land(SEED, base, with_line(base, ADA), "ada")
    other = with_line(base, ADA.replace("Ada Lovelace", "Ada L."))
    with pytest.raises(ApplyError):
        apply_changes(SEED, {"README.md": other}, ada)


def test_crlf_letter_keeps_its_line_endings() -> None:
    base = seed_text().replace("\n", "\r\n") + "\r\n"
    ada = land(SEED, base, base + ADA + "\r\n", "ada")
    out = apply_changes(SEED, {"README.md": base}, ada)["README.md"]
    assert out is not None and out.endswith(ADA + "\r\n")


def test_a_withdrawal_after_an_amendment_removes_the_amended_line() -> None:
    base = seed_text()
    lea = "-  Lea Verou [@leaverou](https://github.com/leaverou)"
    withdraw = land(SEED, base, base.replace(lea + "\n", ""), "leaverou")
    amended = base.replace(lea, lea.replace("Lea", "Léa"))  # the amendment landed first
    out = apply_changes(SEED, {"README.md": amended}, withdraw)["README.md"]
    assert out is not None and "leaverou" not in out
