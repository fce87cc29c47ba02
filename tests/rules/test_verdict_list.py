"""The verdict on single-file letters: withdrawals, amendments, order, who may sign, and the letter's text."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.rules import Author, Snapshots, evaluate
from tests.helpers import NOW, config, seed_text, with_line
from tests.rules.judging import ADA, SEED, codes, judge, tweak

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


def test_whitespace_only_edits_of_other_lines_are_refused_and_named() -> None:
    # Issue 18: no edit is "no change". This test asserted "sign" before; the edit is now named, with the
    # line as it was for its fix (the lander never wrote it either way: it writes its own text).
    head = seed_text().replace("[@tlycken](https://github.com/tlycken) \n", "[@tlycken](https://github.com/tlycken)\n")
    verdict = judge(with_line(head, ADA))
    assert codes(verdict) == ["invisible-edit"]
    assert verdict.problems[0].suggestion is not None and verdict.problems[0].suggestion.endswith("tlycken) ")


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
    missing = evaluate(SEED, Snapshots({}, {"README.md": ADA}), ["README.md"], Author("ada"), NOW)
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
        SEED,
        Snapshots({"README.md": seed_text()}, {"README.md": head}, current),
        ["README.md"],
        Author("leaverou"),
        NOW,
    )
    assert codes(verdict) == ["line-gone"]
    moved = {"README.md": with_line(seed_text(), ADA)}  # the letter moved, but Lea's line is still there
    ok = evaluate(
        SEED, Snapshots({"README.md": seed_text()}, {"README.md": head}, moved), ["README.md"], Author("leaverou"), NOW
    )
    assert ok.kind == "amend"
