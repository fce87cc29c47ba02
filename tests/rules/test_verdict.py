"""The verdict on single-file letters: kinds, every signer rule on a line, and messy real-world input."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from tests.helpers import seed_text, with_line
from tests.rules.judging import ADA, codes, judge, tweak


def test_a_valid_signature_may_land() -> None:
    verdict = judge(with_line(seed_text(), ADA))
    assert verdict.kind == "sign" and verdict.ok and not verdict.problems
    assert [(s.name, s.login, s.line) for s in verdict.signatures] == [("Ada Lovelace", "ada", 38)]
    assert [(c.action, c.login, c.text) for c in verdict.land] == [("add", "ada", ADA)]


def test_verdict_is_immutable() -> None:
    verdict = judge(with_line(seed_text(), ADA))
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.kind = "invalid"  # type: ignore[misc]


@pytest.mark.parametrize(
    "line",
    [
        "-  Ada Lovelace [@ada](https://github.com/ada)   ",  # trailing spaces
        "-  Ada Lovelace [@ada](https://github.com/ada)\r",  # CRLF
        "-  Ada\u00a0Lovelace [@ada](https://github.com/ada)",  # NBSP inside the name
        "\u2013  Ada Lovelace [@ada](https://github.com/ada)",  # en dash typed as a bullet
        "- Ada Lovelace [@ada](https://github.com/ada)",  # one space instead of two
        "-  Ada Lovelace [@ADA](https://github.com/Ada)",  # login case differs from the author's
    ],
)
def test_messy_but_valid_input_is_accepted(line: str) -> None:
    verdict = judge(with_line(seed_text(), line))
    assert verdict.kind == "sign", verdict.problems
    assert verdict.signatures[0].name == "Ada Lovelace"


def test_crlf_file_is_read_like_any_other() -> None:
    base = seed_text().replace("\n", "\r\n")
    verdict = judge(base + "\r\n" + ADA + "\r\n", base=base)
    assert verdict.kind == "sign", verdict.problems


@pytest.mark.parametrize("name", ["Anaïs Betts", "朱承浩", "vøid", "محمد علی", "Zoë Ångström", "नमस्ते जी"])
def test_names_in_any_script_and_nfd_are_accepted(name: str) -> None:
    for form in ("NFC", "NFD"):
        text = unicodedata.normalize(form, name)
        verdict = judge(with_line(seed_text(), f"-  {text} [@ada](https://github.com/ada)"))
        assert verdict.kind == "sign", (form, verdict.problems)
        assert verdict.signatures[0].name == unicodedata.normalize("NFC", name)


def test_persian_zero_width_non_joiner_between_letters_is_kept() -> None:
    verdict = judge(with_line(seed_text(), "-  می\u200cخواهم [@ada](https://github.com/ada)"))
    assert verdict.kind == "sign", verdict.problems


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("[Ada](https://evil.example)", "name-has-markup"),
        ("![x](https://img.example/x.png) Ada", "name-has-markup"),
        ("Ada <b>Lovelace</b>", "name-has-markup"),
        ("Ada https://spam.example", "name-has-markup"),
        ("Ada www.spam.example", "name-has-markup"),
        ("Ada buy-cheap.com", "name-has-markup"),
        ("Ada\u200bLovelace", "name-has-control-chars"),
        ("Ada\u202eLovelace", "name-has-control-chars"),
        ("Ada\u2066Lovelace", "name-has-control-chars"),
        ("Ada\x07Lovelace", "name-has-control-chars"),
        ("\u200dAda", "name-has-control-chars"),
        ("A" * 101, "name-too-long"),
    ],
)
def test_bad_names_are_refused(name: str, code: str) -> None:
    verdict = judge(with_line(seed_text(), f"-  {name} [@ada](https://github.com/ada)"))
    assert verdict.kind == "invalid"
    assert code in codes(verdict)


@pytest.mark.parametrize("login", ["lady_ada_king", "-ada", "ada-", "ad--a", "a" * 40, "ada.l"])
def test_logins_follow_githubs_rules(login: str) -> None:
    verdict = judge(with_line(seed_text(), f"-  Ada Lovelace [@{login}](https://github.com/{login})"), author="ada")
    assert codes(verdict) == ["invalid-login"]
    fix = next(p for p in verdict.problems if p.code == "invalid-login").suggestion
    assert fix == ADA


def test_a_legacy_login_that_is_the_authors_own_is_accepted() -> None:
    line = "-  Alex Cruz [@Mazda--](https://github.com/Mazda--)"
    assert judge(with_line(seed_text(), line), author="Mazda--").kind == "sign"


def test_login_in_text_and_link_must_agree() -> None:
    verdict = judge(with_line(seed_text(), "-  Robert Fridzema [@qubist](https://github.com/fridzema)"), "qubist")
    assert codes(verdict) == ["login-mismatch"]
    assert verdict.problems[0].suggestion == "-  Robert Fridzema [@qubist](https://github.com/qubist)"
    assert verdict.problems[0].line == 38


def test_broken_link_gets_a_corrected_line() -> None:
    verdict = judge(with_line(seed_text(), "-  Ada Lovelace [@ada](https:/github.com/ada)"))
    assert codes(verdict) == ["line-format"]
    assert verdict.problems[0].suggestion == ADA
    assert "`-  {name} [@{login}](https://github.com/{login})`" in verdict.problems[0].message


def test_signing_for_someone_else_is_refused_and_no_line_offered() -> None:
    verdict = judge(with_line(seed_text(), ADA), author="mallory")
    assert codes(verdict) == ["author-mismatch"]
    assert verdict.problems[0].suggestion is None  # a fix never changes whose signature it is
    assert verdict.intent == "sign"


def test_trusted_maintainer_may_add_several_people() -> None:
    cfg = tweak(signers={"trusted": ["Maint"]})
    head = with_line(seed_text(), ADA, "-  Bob Byte [@bob](https://github.com/bob)")
    verdict = judge(head, author="maint", cfg=cfg)
    assert verdict.kind == "sign" and len(verdict.land) == 2


def test_author_match_can_be_turned_off() -> None:
    assert judge(with_line(seed_text(), ADA), "x", tweak(signers={"author_must_match": False})).kind == "sign"


def test_signing_twice_is_refused_case_insensitively() -> None:
    verdict = judge(with_line(seed_text(), "-  Lea V [@LeaVerou](https://github.com/LeaVerou)"), "LEAVEROU")
    assert codes(verdict) == ["duplicate-signer"]
    assert "on line 25" in verdict.problems[0].message


def test_two_lines_for_one_person_in_one_pr() -> None:
    verdict = judge(
        with_line(seed_text(), ADA, ADA.replace("Ada Lovelace", "Ada L")), cfg=tweak(signers={"trusted": ["ada"]})
    )
    assert "duplicate-signer" in codes(verdict)


def test_too_many_signatures() -> None:
    cfg = tweak(signers={"author_must_match": False})
    verdict = judge(with_line(seed_text(), ADA, "-  Bob Byte [@bob](https://github.com/bob)"), cfg=cfg)
    assert codes(verdict) == ["too-many-lines"]
