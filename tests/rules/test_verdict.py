"""The verdict on single-file letters: kinds, every signer rule, and messy real-world input."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import timedelta

import pytest

from app.rules import Author, Verdict, evaluate
from config import Config
from tests.helpers import NOW, SEED_CONFIG_YAML, config, seed_text, with_line

SEED = config(SEED_CONFIG_YAML)
ADA = "-  Ada Lovelace [@ada](https://github.com/ada)"


def judge(
    head: str,
    author: str | Author = "ada",
    cfg: Config = SEED,
    base: str | None = None,
    changed: tuple[str, ...] = ("README.md",),
) -> Verdict:
    who = author if isinstance(author, Author) else Author(author)
    return evaluate(cfg, {"README.md": base or seed_text()}, {"README.md": head}, changed, who, NOW)


def codes(verdict: Verdict) -> list[str]:
    return [p.code for p in verdict.problems]


def tweak(**changes: object) -> Config:
    """The seed config with some keys changed, e.g. tweak(signers={"trusted": ["x"]})."""
    data = SEED.model_dump()
    for section, values in changes.items():
        if isinstance(values, dict):
            data[section].update(values)
        else:
            data[section] = values
    return Config.model_validate(data)


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


LEA = "-  Lea Verou [@leaverou](https://github.com/leaverou)\n"


def test_withdrawing_ones_own_line() -> None:
    verdict = judge(seed_text().replace(LEA, ""), author="leaverou")
    assert verdict.kind == "withdraw" and [c.action for c in verdict.land] == ["remove"]
    refused = judge(seed_text().replace(LEA, ""), "leaverou", tweak(signers={"allow_withdraw": False}))
    assert codes(refused) == ["withdraw-not-allowed"]


def test_amending_ones_own_line() -> None:
    head = seed_text().replace(LEA, LEA.replace("Lea Verou", "Léa Verou"))
    verdict = judge(head, author="leaverou")
    assert verdict.kind == "amend"
    assert verdict.land[0].action == "replace" and "Léa Verou" in (verdict.land[0].text or "")
    assert codes(judge(head, "leaverou", tweak(signers={"allow_amend": False}))) == ["amend-not-allowed"]


def test_editing_or_deleting_someone_elses_line_is_refused() -> None:
    deleted = judge(seed_text().replace(LEA, ""), author="ada")
    assert codes(deleted) == ["edits-others-line"] and deleted.problems[0].line == 25
    assert "removes the line of @leaverou" in deleted.problems[0].message
    edited = judge(seed_text().replace("Lea Verou", "Lea Ve"), author="ada")
    assert codes(edited) == ["edits-others-line"] and "changes the line" in edited.problems[0].message


def test_whitespace_only_edits_of_other_lines_are_not_changes() -> None:
    head = seed_text().replace("[@tlycken](https://github.com/tlycken) \n", "[@tlycken](https://github.com/tlycken)\n")
    assert judge(with_line(head, ADA)).kind == "sign"


def test_append_order_without_fix_placement() -> None:
    cfg = tweak(merge={"fix_placement": False})
    top = seed_text().replace("Signed,\n\n", "Signed,\n\n" + ADA + "\n")
    verdict = judge(top, cfg=cfg)
    assert codes(verdict) == ["wrong-position"] and "end of the list" in verdict.problems[0].message
    fixed = judge(top)
    assert fixed.kind == "sign" and fixed.placement_fixed


SORTED = config(
    'version: 1\nletter:\n  start_after: "Signed,"\n  line: "- {name}, @{login}{? ({affiliation})}"\n'
    "  order: sorted\n  sort_key: surname\nmerge:\n  fix_placement: false\n"
)
SORTED_LETTER = (
    "Text.\n\nSigned,\n\n- Tony Arcieri, @tarcieri (RustSec)\n- Anaïs Betts, @anaisbetts\n- Nick Doty, @nldoty\n"
)


def test_sorted_order_by_surname_with_accents_folded() -> None:
    good = SORTED_LETTER.replace("- Nick", "- Émile Curie, @ecurie (Lab)\n- Nick")
    assert judge(good, "ecurie", SORTED, base=SORTED_LETTER).kind == "sign"
    bad = SORTED_LETTER + "- Émile Curie, @ecurie\n"
    verdict = judge(bad, "ecurie", SORTED, base=SORTED_LETTER)
    assert codes(verdict) == ["wrong-position"]
    assert "belongs just before `Nick Doty`" in verdict.problems[0].message


def test_frozen_letter_accepts_nothing() -> None:
    assert codes(judge(with_line(seed_text(), ADA), cfg=tweak(frozen=True))) == ["letter-frozen"]


def test_blocked_bots_and_new_accounts() -> None:
    assert "blocked" in codes(judge(with_line(seed_text(), ADA), cfg=tweak(signers={"blocked": ["ADA"]})))
    bot = Author("ada", 1, "Bot")
    assert "bot-author" in codes(judge(with_line(seed_text(), ADA), bot))
    assert judge(with_line(seed_text(), ADA), bot, tweak(signers={"allow_bots": True})).kind == "sign"
    aged = tweak(signers={"min_account_age_days": 30})
    young = Author("ada", 1, "User", NOW - timedelta(days=3))
    verdict = judge(with_line(seed_text(), ADA), young, aged)
    assert codes(verdict) == ["account-too-new"] and "3 days" in verdict.problems[0].message
    assert judge(with_line(seed_text(), ADA), Author("ada", 1, "User", NOW - timedelta(days=300)), aged).ok


def test_missing_facts_skip_their_rules_and_say_so() -> None:
    aged = tweak(signers={"min_account_age_days": 30})
    verdict = judge(with_line(seed_text(), ADA), Author("ada"), aged)
    assert verdict.kind == "sign"
    assert any(s.startswith("account-too-new") for s in verdict.skipped)
    assert any(s.startswith("bot-author") for s in verdict.skipped)


def test_a_typo_fix_in_the_letter_is_not_a_signature() -> None:
    verdict = judge(seed_text().replace("end is relationship", "end its relationship"))
    assert verdict.kind == "not_a_signature" and not verdict.problems and not verdict.ok


def test_list_and_text_changed_together_is_invalid() -> None:
    head = with_line(seed_text().replace("end is relationship", "end its relationship"), ADA)
    assert codes(judge(head)) == ["letter-text-changed"]


def test_other_files_changed() -> None:
    verdict = judge(with_line(seed_text(), ADA), changed=("README.md", ".github/workflows/x.yml"))
    assert codes(verdict) == ["other-files-changed"]
    assert "`.github/workflows/x.yml`" in verdict.problems[0].message
    only_other = judge(seed_text(), changed=("docs/x.md",))
    assert only_other.kind == "not_a_signature"


def test_missing_letter_or_marker() -> None:
    missing = evaluate(SEED, {}, {"README.md": ADA}, ["README.md"], Author("ada"), NOW)
    assert codes(missing) == ["letter-missing"]
    no_marker = judge(ADA + "\n", base="no marker here\n")
    assert codes(no_marker) == ["letter-missing"]


@pytest.mark.parametrize(
    ("template", "line", "fields"),
    [
        (
            "-  {name} [@{login}](https://github.com/{login})",
            "-  Ada L [@ada](https://github.com/ada)",
            ("Ada L", None),
        ),
        (
            "N.  {name} [@{login}](https://github.com/{login}){? ({affiliation})}",
            "157.  Ada L [@ada](https://github.com/ada) (Analytical Engines)",
            ("Ada L", "Analytical Engines"),
        ),
        ("- {name}, @{login}{? ({affiliation})}", "- Ada L, @ada (Engines, Inc.)", ("Ada L", "Engines, Inc.")),
        (
            "- {name} ([@{login}](https://github.com/{login})){?, {affiliation}}",
            "- Ada L ([@ada](https://github.com/ada)), engines",
            ("Ada L", "engines"),
        ),
        ("* {name} @{login}", "* Ada L @ada", ("Ada L", None)),
    ],
)
def test_the_real_formats_are_expressible(template: str, line: str, fields: tuple[str, str | None]) -> None:
    cfg = config(f"letter:\n  start_after: 'Signed,'\n  line: '{template}'\n")
    verdict = judge(f"Signed,\n\n{line}\n", base="Signed,\n\n", cfg=cfg)
    assert verdict.kind == "sign", verdict.problems
    sig = verdict.signatures[0]
    assert (sig.name, sig.affiliation) == fields and sig.login == "ada"


def test_end_marker_bounds_the_list() -> None:
    cfg = config("letter:\n  start_after: 'Signed,'\n  end_before: '## Thanks'\n  line: '- {name} @{login}'\n")
    base = "Signed,\n\n- Bob @bob\n\n## Thanks\n\nfooter\n"
    head = base.replace("- Bob @bob\n", "- Bob @bob\n- Ada @ada\n")
    assert judge(head, cfg=cfg, base=base).kind == "sign"
    footer_edit = base.replace("footer", "footer!").replace("- Bob @bob\n", "- Bob @bob\n- Ada @ada\n")
    assert codes(judge(footer_edit, cfg=cfg, base=base)) == ["letter-text-changed"]


def test_amending_a_line_withdrawn_meanwhile_is_line_gone() -> None:
    head = seed_text().replace(LEA, LEA.replace("Lea Verou", "Léa Verou"))
    current = {"README.md": seed_text().replace(LEA, "")}  # the withdrawal landed first
    verdict = evaluate(
        SEED, {"README.md": seed_text()}, {"README.md": head}, ["README.md"], Author("leaverou"), NOW, current
    )
    assert codes(verdict) == ["line-gone"]
    moved = {"README.md": with_line(seed_text(), ADA)}  # the letter moved, but Lea's line is still there
    ok = evaluate(SEED, {"README.md": seed_text()}, {"README.md": head}, ["README.md"], Author("leaverou"), NOW, moved)
    assert ok.kind == "amend"
