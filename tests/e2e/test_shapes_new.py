"""Issue 23's shapes end to end: a letter of two lists (organisations and people) over real HTTP, landed by the
service through the simulator's git. What lands is exactly what was validated: the letter and the ledger on main
are compared byte for byte with what the signers' changes make of them."""

from __future__ import annotations

from tests.e2e.test_shapes import World, failure, ledger_rows, main_text, pr, propose, setup_letter
from tests.service import settle

LETTER = "LETTER.md"
CONFIG = (
    "version: 1\nletter:\n  file: LETTER.md\n  lists:\n"
    "    - name: Organisations\n      start_after: '## Organisations'\n      end_before: '## People'\n"
    "      line: '- {name}{? ({url})}'\n      order: sorted\n      sort_key: name\n      signers: organisations\n"
    "    - name: People\n      start_after: '## People'\n      line: '-  {name} [@{login}](https://github.com/{login})'\n"
)
TOP = "# We object\n\n## Organisations\n\n"
PEOPLE = "\n## People\n\n"
ADA = "-  Ada Lovelace [@ada](https://github.com/ada)\n"


def letter(orgs: str, people: str = "") -> str:
    return TOP + orgs + PEOPLE + people


def test_a_representative_signs_for_an_organisation_then_for_herself(app_world: World) -> None:
    sim, demo, service = app_world
    setup_letter(sim, CONFIG, {LETTER: letter("- Acme\n")})
    ada = next(u for u in demo.signers if u.login == "ada")
    # For her organisation: placed in sorted order by landing, bound to her account in the ledger.
    org = propose(sim, "ada", {LETTER: letter("- Zeta Org (https://zeta.example)\n- Acme\n")}, "org")
    settle(sim, service)
    assert pr(sim, org).merged
    assert main_text(sim, LETTER) == letter("- Acme\n- Zeta Org (https://zeta.example)\n")
    assert ledger_rows(sim) == [[str(ada.id), "ada", "- Zeta Org (https://zeta.example)", "Organisations"]]
    # For herself, in the people list: her organisation's line does not count as her signature.
    me = propose(sim, "ada", {LETTER: letter("- Acme\n- Zeta Org (https://zeta.example)\n", ADA)}, "me")
    # Someone else signing the same organisation again, spelt otherwise: one line per organisation.
    again = propose(sim, "grace", {LETTER: letter("- Acme\n- ZETA ORG\n- Zeta Org (https://zeta.example)\n")}, "again")
    settle(sim, service)
    assert pr(sim, me).merged
    assert not pr(sim, again).merged and "ZETA ORG has already signed" in failure(sim, again)
    assert main_text(sim, LETTER) == letter("- Acme\n- Zeta Org (https://zeta.example)\n", ADA)
    assert [row[3] for row in ledger_rows(sim)] == ["Organisations", "People"]


def test_only_the_representative_amends_or_withdraws_the_organisations_line(app_world: World) -> None:
    sim, demo, service = app_world
    setup_letter(sim, CONFIG, {LETTER: letter("- Acme\n")})
    ada = next(u for u in demo.signers if u.login == "ada")
    org = propose(sim, "ada", {LETTER: letter("- Acme\n- Zeta\n")}, "org")
    settle(sim, service)
    assert pr(sim, org).merged
    grace = propose(sim, "grace", {LETTER: letter("- Acme\n")}, "remove")
    amend = propose(sim, "ada", {LETTER: letter("- Acme\n- Zeta Org (https://zeta.example)\n")}, "amend")
    settle(sim, service)
    assert not pr(sim, grace).merged and "Organisations" in failure(sim, grace)
    assert pr(sim, amend).merged
    assert main_text(sim, LETTER) == letter("- Acme\n- Zeta Org (https://zeta.example)\n")
    assert ledger_rows(sim) == [[str(ada.id), "ada", "- Zeta Org (https://zeta.example)", "Organisations"]]
    gone = propose(sim, "ada", {LETTER: letter("- Acme\n")}, "withdraw")
    settle(sim, service)
    assert pr(sim, gone).merged
    assert main_text(sim, LETTER) == letter("- Acme\n") and ledger_rows(sim) == []


FOLDERS = (
    "version: 1\nletter:\n  directory: _data\n  folders:\n"
    "    - name: Organisations\n      directory: _data/orgs\n      filename: '{slug}.yml'\n"
    "      fields: {name: '{name}'}\n      signers: organisations\n"
    "    - name: People\n      directory: _data/people\n      filename: '{login}.yml'\n"
    "      fields: {name: '{name}', github: '{login}'}\n"
)


def test_organisations_and_people_in_folders_of_their_own(app_world: World) -> None:
    sim, demo, service = app_world
    setup_letter(sim, FOLDERS, {"_data/orgs/acme.yml": "name: Acme\n"})
    ada = next(u for u in demo.signers if u.login == "ada")
    org = propose(sim, "ada", {"_data/orgs/zeta-org.yml": "name: Zeta Org\n"}, "org")
    me = propose(sim, "ada", {"_data/people/ada.yml": "name: Ada Lovelace\ngithub: ada\n"}, "me")
    wrong = propose(sim, "grace", {"_data/people/grace.yml": "name: Grace Hopper\n"}, "wrong")
    settle(sim, service)
    assert pr(sim, org).merged and pr(sim, me).merged
    assert main_text(sim, "_data/orgs/zeta-org.yml") == "name: Zeta Org\n"
    assert main_text(sim, "_data/people/ada.yml") == "name: Ada Lovelace\ngithub: ada\n"
    assert not pr(sim, wrong).merged and "github" in failure(sim, wrong)
    rows = sorted(ledger_rows(sim))
    assert rows == [
        [str(ada.id), "ada", "_data/orgs/zeta-org.yml", "Organisations"],
        [str(ada.id), "ada", "_data/people/ada.yml", "People"],
    ]
