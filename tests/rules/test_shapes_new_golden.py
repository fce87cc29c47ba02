"""Golden file for what signers of issue 23's new shapes read: lists named, organisations, free text, {id} names."""

from __future__ import annotations

from app.rules import Verdict
from tests.helpers import assert_golden
from tests.rules.shapes_new import (
    BOB,
    FOLDERS,
    FOLDERS_BASE,
    FREE,
    FREE_BASE,
    IDS,
    LISTS,
    LISTS_BASE,
    TWO_BASE,
    TWO_PEOPLE,
    judge_file,
    judge_folder,
    with_org,
)
from tests.rules.test_golden import _render

TWO_SIGNED = TWO_BASE.replace("1. Cy Pre", "1. Cy Pre\n2. Ada Lovelace")
# The scenario of each new problem code (tests/rules/test_golden.py checks every code has one somewhere).
CODES: dict[str, Verdict] = {
    "text-too-many-links": judge_file(FREE, FREE_BASE, FREE_BASE + "- Ada https://ada.example, ada@example.org\n"),
    "duplicate-organisation": judge_file(LISTS, LISTS_BASE, with_org(LISTS_BASE, "- ACME"), who=BOB),
}
CASES: dict[str, Verdict] = {
    **CODES,
    "a line in another list's format": judge_file(LISTS, LISTS_BASE, LISTS_BASE + "- Ada Lovelace (@ada)\n"),
    "an organisation twice in one PR": judge_file(LISTS, LISTS_BASE, with_org(LISTS_BASE, "- Zeta\n- ZETA")),
    "signed in another list already": judge_file(
        TWO_PEOPLE, TWO_SIGNED, TWO_SIGNED + "- Ada King\n", ledger="1\tada\t2. Ada Lovelace\tOriginal signers\n"
    ),
    "signing in two lists at once": judge_file(TWO_PEOPLE, TWO_BASE, TWO_SIGNED + "- Ada Lovelace\n"),
    "an organisation's line withdrawn by someone else": judge_file(
        LISTS, with_org(LISTS_BASE, "- Zeta"), LISTS_BASE, who=BOB, ledger="1\tada\t- Zeta\tOrganisations\n"
    ),
    "a person's file in the organisations' folder format": judge_folder(
        FOLDERS, FOLDERS_BASE, {"_data/people/ada.yml": "name: Ada Lovelace\n"}
    ),
    "a free line with markup": judge_file(FREE, FREE_BASE, FREE_BASE + "- Ada [me](https://ada.example)\n"),
    "an id ending with a dot": judge_folder(IDS, {}, {"signatures/Kim..md": "Kim Lee\n"}),
    "an id with a letter a file system folds": judge_folder(IDS, {}, {"signatures/Straße.md": "Kim Lee\n"}),
    "an id that is a Windows device": judge_folder(IDS, {}, {"signatures/nul.md": "Kim Lee\n"}),
}


def test_new_shape_messages_match_golden_file() -> None:
    out = "".join(f"## {name}\n{_render(verdict)}\n" for name, verdict in CASES.items())
    assert_golden("rules/shapes-new.txt", out)
