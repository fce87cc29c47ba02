"""Issue 23's missing shapes: several lists, several folders, organisations, a free {text} line, {id} names."""

from __future__ import annotations

import pytest

from app.rules import parse_ledger
from app.rules.apply import ApplyError, apply_changes
from app.rules.lint import lint_letter
from config import Config, ConfigError, parse_config
from tests.helpers import config
from tests.rules.judging import SEED, codes
from tests.rules.shapes_new import (
    ADA_LINE,
    BOB,
    FOLDERS,
    FOLDERS_BASE,
    FREE,
    FREE_BASE,
    IDS,
    LEDGER,
    LISTS,
    LISTS_BASE,
    TWO_BASE,
    TWO_PEOPLE,
    judge_file,
    judge_folder,
    with_org,
)

# --- Shape 1: several lists in one letter -------------------------------------------------------------------


def test_a_person_signs_in_the_people_list_and_the_change_names_it() -> None:
    verdict = judge_file(LISTS, LISTS_BASE, LISTS_BASE + ADA_LINE + "\n")
    assert verdict.kind == "sign", verdict.problems
    assert [(c.action, c.part) for c in verdict.land] == [("add", "People")]
    out = apply_changes(LISTS, {"README.md": LISTS_BASE}, verdict.land)
    assert str(out["README.md"]) == LISTS_BASE + ADA_LINE + "\n"
    assert str(out[LEDGER]).splitlines()[-1] == f"1\tada\t{ADA_LINE}\tPeople"  # the ledger names the list


def test_each_list_has_its_own_template_and_the_message_names_the_list() -> None:
    verdict = judge_file(LISTS, LISTS_BASE, LISTS_BASE + "- Ada Lovelace, @ada\n")
    assert codes(verdict) == ["line-format"]
    problem = verdict.problems[0]
    assert problem.line == 10
    assert problem.message.startswith("In the list “People”:")
    assert "[@{login}]" in problem.message


def test_line_numbers_are_the_prs_own_when_another_list_changed_above() -> None:
    head = with_org(LISTS_BASE, "- Zeta") + "- Ada, @ada\n"
    verdict = judge_file(LISTS, LISTS_BASE, head)
    bad = [p for p in verdict.problems if p.code == "line-format"]
    assert [p.line for p in bad] == [head.split("\n").index("- Ada, @ada") + 1]


def test_a_person_signs_in_one_list_only() -> None:
    base = TWO_BASE.replace("1. Cy Pre", "1. Cy Pre\n2. Ada Lovelace")
    ledger = "1\tada\t2. Ada Lovelace\tOriginal signers\n"
    verdict = judge_file(TWO_PEOPLE, base, base + "- Ada King\n", ledger=ledger)
    assert codes(verdict) == ["duplicate-signer"]
    assert "in the list “Original signers”" in verdict.problems[0].message


def test_two_lists_in_one_pr_is_signing_twice() -> None:
    head = TWO_BASE.replace("1. Cy Pre", "1. Cy Pre\n2. Ada Lovelace") + "- Ada Lovelace\n"
    verdict = judge_file(TWO_PEOPLE, TWO_BASE, head)
    assert "duplicate-signer" in codes(verdict)
    assert any("“Original signers” and “Additional signers”" in p.message for p in verdict.problems)


def test_moving_ones_own_line_to_another_list_is_an_amendment() -> None:
    base = TWO_BASE.replace("1. Cy Pre", "1. Cy Pre\n2. Ada Lovelace")
    ledger = "1\tada\t2. Ada Lovelace\tOriginal signers\n"
    verdict = judge_file(TWO_PEOPLE, base, TWO_BASE + "- Ada Lovelace\n", ledger=ledger)
    assert verdict.kind == "amend", verdict.problems
    out = apply_changes(TWO_PEOPLE, {"README.md": base, LEDGER: ledger}, verdict.land)
    assert str(out["README.md"]) == TWO_BASE + "- Ada Lovelace\n"
    assert str(out[LEDGER]).splitlines()[-1] == "1\tada\t- Ada Lovelace\tAdditional signers"


def test_the_letters_text_is_still_the_letters() -> None:
    verdict = judge_file(LISTS, LISTS_BASE, LISTS_BASE.replace("We object", "We agree") + ADA_LINE + "\n")
    assert codes(verdict) == ["letter-text-changed"]


def test_a_missing_list_marker_is_named() -> None:
    verdict = judge_file(LISTS, "# We object\n\n## People\n", "# We object\n\n## People\n" + ADA_LINE + "\n")
    assert "letter-missing" in codes(verdict)
    assert any("## Organisations" in p.message for p in verdict.problems)


def test_the_old_keys_still_describe_a_one_list_letter() -> None:
    assert SEED.letter.lists == [] and SEED.letter.folders == []


@pytest.mark.parametrize(
    ("yaml", "said"),
    [
        ("letter:\n  lists: [{name: A}, {name: a}]\n", "same 'name'"),
        ("letter:\n  lists: [{name: A, line: '- {nme}'}]\n", "in 'A'"),
        ("letter:\n  directory: d\n  fields: {n: '{name}'}\n  lists: [{name: A}]\n", "single-file"),
        ("letter:\n  folders: [{name: A, fields: {n: '{name}'}}]\n", "needs 'directory'"),
        ("letter:\n  directory: d\n  folders: [{name: A, directory: e, fields: {n: '{name}'}}]\n", "inside 'd'"),
        ('letter:\n  lists: [{name: "A\\tB"}]\n', "name"),
        ("letter:\n  lists: [{name: A, start_after: a}, {name: B, start_after: b}]\n", "end_before"),
    ],
)
def test_a_wrong_part_is_a_config_error_that_says_what(yaml: str, said: str) -> None:
    err = parse_config(yaml)
    assert isinstance(err, ConfigError)
    assert any(said in i.message or said in i.key for i in err.issues), err.issues


# --- Shape 3: an organisation's signature -------------------------------------------------------------------


def test_a_representative_signs_for_an_organisation_and_for_themself() -> None:
    verdict = judge_file(LISTS, LISTS_BASE, with_org(LISTS_BASE, "- Zeta Org (https://zeta.example)"))
    assert verdict.kind == "sign", verdict.problems
    out = apply_changes(LISTS, {"README.md": LISTS_BASE}, verdict.land)
    assert "- Acme\n- Zeta Org (https://zeta.example)\n" in str(out["README.md"])
    assert str(out[LEDGER]).splitlines()[-1] == "1\tada\t- Zeta Org (https://zeta.example)\tOrganisations"
    # Then for herself, in the people list: her organisation line does not make her a signer already.
    letter, ledger = str(out["README.md"]), str(out[LEDGER])
    mine = judge_file(LISTS, letter, letter + ADA_LINE + "\n", ledger=ledger)
    assert mine.kind == "sign", mine.problems
    landed = apply_changes(LISTS, {"README.md": letter, LEDGER: ledger}, mine.land)
    assert str(landed["README.md"]).endswith(ADA_LINE + "\n")


def test_one_line_per_organisation() -> None:
    verdict = judge_file(LISTS, LISTS_BASE, with_org(LISTS_BASE, "- ACMÉ"), who=BOB)
    assert codes(verdict) == ["duplicate-organisation"]
    assert verdict.problems[0].message.startswith("ACMÉ has already signed in the list “Organisations”")
    twice = judge_file(LISTS, LISTS_BASE, with_org(LISTS_BASE, "- Zeta\n- zeta"), who=BOB)
    assert "duplicate-organisation" in codes(twice)


def test_one_representative_may_sign_for_two_organisations() -> None:
    base = with_org(LISTS_BASE, "- Zeta")
    ledger = "1\tada\t- Zeta\tOrganisations\n"
    verdict = judge_file(LISTS, base, base.replace("- Zeta", "- Zeta\n- Omega"), ledger=ledger)
    assert verdict.kind == "sign", verdict.problems


def test_the_representative_amends_or_withdraws_the_organisations_line_nobody_else() -> None:
    base = with_org(LISTS_BASE, "- Zeta")
    ledger = "1\tada\t- Zeta\tOrganisations\n"
    amended = judge_file(LISTS, base, base.replace("- Zeta", "- Zeta Org (https://zeta.example)"), ledger=ledger)
    assert amended.kind == "amend", amended.problems
    out = apply_changes(LISTS, {"README.md": base, LEDGER: ledger}, amended.land)
    assert str(out[LEDGER]).splitlines()[-1] == "1\tada\t- Zeta Org (https://zeta.example)\tOrganisations"
    withdrawn = judge_file(LISTS, base, LISTS_BASE, ledger=ledger)
    assert withdrawn.kind == "withdraw", withdrawn.problems
    assert codes(judge_file(LISTS, base, LISTS_BASE, who=BOB, ledger=ledger)) == ["edits-others-line"]


def test_landing_an_organisation_twice_in_one_batch_is_refused() -> None:
    first = judge_file(LISTS, LISTS_BASE, with_org(LISTS_BASE, "- Zeta"))
    second = judge_file(LISTS, LISTS_BASE, with_org(LISTS_BASE, "- ZETA"), who=BOB)
    out = apply_changes(LISTS, {"README.md": LISTS_BASE}, first.land)
    with pytest.raises(ApplyError) as caught:
        apply_changes(LISTS, {"README.md": str(out["README.md"]), LEDGER: str(out[LEDGER])}, second.land)
    assert caught.value.code == "duplicate-organisation"


# --- Shape 2: several folders --------------------------------------------------------------------------------


def test_each_folder_has_its_own_file_template() -> None:
    org = judge_folder(
        FOLDERS, FOLDERS_BASE, {"_data/orgs/zeta-org.yml": "name: Zeta Org\nurl: https://zeta.example\n"}
    )
    assert org.kind == "sign", org.problems
    person = judge_folder(FOLDERS, FOLDERS_BASE, {"_data/people/ada.yml": "name: Ada Lovelace\ngithub: ada\n"})
    assert person.kind == "sign", person.problems
    wrong = judge_folder(
        FOLDERS, FOLDERS_BASE, {"_data/people/ada.yml": "name: Ada Lovelace\nurl: https://a.example\n"}
    )
    assert codes(wrong) == ["file-format"]
    out = apply_changes(FOLDERS, FOLDERS_BASE, org.land)
    assert str(out["_data/orgs/zeta-org.yml"]) == "name: Zeta Org\nurl: https://zeta.example\n"
    assert parse_ledger(str(out[LEDGER])).owners("_data/orgs/zeta-org.yml")[0].id == 1
    assert str(out[LEDGER]).endswith("\tOrganisations\n")


def test_a_file_outside_every_folder_is_another_file() -> None:
    verdict = judge_folder(
        FOLDERS, FOLDERS_BASE, {"_data/people/ada.yml": "name: Ada Lovelace\ngithub: ada\n", "_data/x.yml": "x: 1\n"}
    )
    assert codes(verdict) == ["other-files-changed"]


def test_a_person_signs_in_one_people_folder() -> None:
    two = config(
        "letter:\n  directory: s\n  folders:\n"
        "    - {name: First, directory: s/first, filename: '{login}.txt', content: '{name}'}\n"
        "    - {name: Later, directory: s/later, filename: '{login}.txt', content: '{name}'}\n"
    )
    verdict = judge_folder(two, {"s/first/ada.txt": "Ada\n"}, {"s/later/ada.txt": "Ada\n"})
    assert codes(verdict) == ["duplicate-signer"]
    assert "s/first/ada.txt" in verdict.problems[0].message


def test_an_organisation_file_is_the_representatives_to_change() -> None:
    ledger = "1\tada\t_data/orgs/zeta.yml\tOrganisations\n"
    base = {**FOLDERS_BASE, "_data/orgs/zeta.yml": "name: Zeta\n"}
    assert judge_folder(
        FOLDERS, base, {"_data/orgs/zeta.yml": "name: Zeta\nurl: https://z.example\n"}, ledger=ledger
    ).ok
    assert judge_folder(FOLDERS, base, {"_data/orgs/zeta.yml": None}, ledger=ledger).kind == "withdraw"
    assert codes(judge_folder(FOLDERS, base, {"_data/orgs/zeta.yml": None}, who=BOB, ledger=ledger)) == [
        "edits-others-line"
    ]


# --- Shape 4: a free {text} line -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    ["- Ada Lovelace", "- Ada Lovelace https://ada.example", "- Ada, ada@example.org", "- Ada (www.ada.example)"],
)
def test_a_free_line_with_at_most_one_link_is_accepted(line: str) -> None:
    verdict = judge_file(FREE, FREE_BASE, FREE_BASE + line + "\n")
    assert verdict.kind == "sign", verdict.problems
    assert verdict.land[0].account == 1  # bound to its author in the ledger


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("- Ada https://ada.example https://evil.example", "text-too-many-links"),
        ("- Ada ada@example.org, www.ada.example", "text-too-many-links"),
        ("- Ada [me](https://ada.example)", "field-has-markup"),
        ("- Ada <img src=x>", "field-has-markup"),
        ("- Ada &#58;", "field-has-markup"),
        ("- Ada\u202e", "field-has-control-chars"),
    ],
)
def test_a_free_line_stays_within_the_markup_rules(line: str, code: str) -> None:
    assert code in codes(judge_file(FREE, FREE_BASE, FREE_BASE + line + "\n"))


def test_a_free_line_is_bounded_like_every_line() -> None:
    assert codes(judge_file(FREE, FREE_BASE, FREE_BASE + "- " + "a" * 1200 + "\n")) == ["line-too-long"]


def test_the_link_allowance_is_the_letters_to_set() -> None:
    data = FREE.model_dump()
    data["signers"]["max_links_in_text"] = 0
    none = Config.model_validate(data)
    assert codes(judge_file(none, FREE_BASE, FREE_BASE + "- Ada https://ada.example\n")) == ["text-too-many-links"]


# --- Shape 5: {id} file names --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Kim_E._Lee.md", "Zoë_Tölva.md", "3f9c.md", "Ana-O_Neil.md", "Łucja.md"])
def test_an_id_takes_dots_accents_and_underscores(name: str) -> None:
    verdict = judge_folder(IDS, {}, {f"signatures/{name}": "Kim Lee\n"})
    assert verdict.kind == "sign", verdict.problems


@pytest.mark.parametrize(
    ("name", "why"),
    [
        (".hidden.md", "should be"),
        ("Kim..md", "ends with a dot"),
        ("Zoe\u0308.md", "should be"),  # decomposed: one file on a Mac, two in git
        ("Straße.md", "not one letter"),
        ("\ufb01le.md", "plainer form"),
        ("CON.md", "device name"),
        ("a:b.md", "should be"),
        ("a\\b.md", "should be"),
    ],
)
def test_an_id_that_changes_meaning_on_some_file_system_is_refused(name: str, why: str) -> None:
    verdict = judge_folder(IDS, {}, {f"signatures/{name}": "Kim Lee\n"})
    assert codes(verdict) == ["file-format"]
    assert why in verdict.problems[0].message


def test_an_id_equal_but_for_case_is_taken() -> None:
    verdict = judge_folder(IDS, {"signatures/Kim_Lee.md": "Kim Lee\n"}, {"signatures/kim_lee.md": "Kim Lee\n"})
    assert codes(verdict) == ["duplicate-signer"]


# --- lint over several parts ---------------------------------------------------------------------------------


def test_lint_reads_each_list_and_folder_with_its_own_shape() -> None:
    letter = with_org(LISTS_BASE, "- Zeta") + ADA_LINE + "\n"
    assert lint_letter(LISTS, {"README.md": letter}).clean
    bad = lint_letter(LISTS, {"README.md": letter + "- Bob, @bob\n"})
    assert [p.code for p in bad.problems] == ["line-format"] and "In “People”" in bad.problems[0].message
    ledger = parse_ledger(f"1\tada\t- Zeta\tOrganisations\n1\tada\t{ADA_LINE}\tPeople\n")
    assert lint_letter(LISTS, {"README.md": letter}, ledger).clean  # her organisation's line and her own
    assert lint_letter(FOLDERS, FOLDERS_BASE).clean


def test_one_file_per_organisation() -> None:
    again = judge_folder(FOLDERS, FOLDERS_BASE, {"_data/orgs/acme-2.yml": "name: Acme\n"}, who=BOB)
    assert codes(again) == ["duplicate-organisation"]
    assert not judge_folder(FOLDERS, FOLDERS_BASE, {"_data/orgs/ACME.yml": "name: Acme\n"}, who=BOB).ok


def test_a_letter_with_one_list_in_lists_reads_as_with_the_old_keys() -> None:
    one = config("letter:\n  lists:\n    - {name: Signed, start_after: 'Signed,', line: '- {name} (@{login})'}\n")
    old = config("letter:\n  start_after: 'Signed,'\n  line: '- {name} (@{login})'\n")
    base = "Letter.\n\nSigned,\n\n- Cy (@cy)\n"
    for head in (base + "- Ada (@ada)\n", base + "- Ada, @ada\n", base + "- Bob (@bob)\n", "Letter.\n\nSigned,\n"):
        new, was = judge_file(one, base, head), judge_file(old, base, head)
        assert (new.kind, codes(new)) == (was.kind, codes(was))
        assert [c.text for c in new.land] == [c.text for c in was.land]
