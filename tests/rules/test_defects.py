"""Regression tests for the six defects of issue 10, each as a real signer would meet it."""

from __future__ import annotations

from app.rules import Author, Snapshots, Verdict, evaluate
from app.rules.apply import apply_changes
from app.template import Template
from config import Config
from tests.helpers import NOW, SEED_CONFIG_YAML, config, seed_text, with_line

SEED = config(SEED_CONFIG_YAML)
ADA = "-  Ada Lovelace [@ada](https://github.com/ada)"
DEAR = config("letter:\n  start_after: 'Signed,'\n  line: '- {name}, @{login}{? ({affiliation})}'\n")


def judge(base: str, head: str, author: str = "ada", cfg: Config = SEED) -> Verdict:
    return evaluate(cfg, Snapshots({"README.md": base}, {"README.md": head}), ["README.md"], Author(author), NOW)


def codes(verdict: Verdict) -> list[str]:
    return [p.code for p in verdict.problems]


def test_a_required_field_left_out_gets_no_suggestion_and_no_crash() -> None:
    line = "- {name}, {affiliation}, [@{login}](https://github.com/{login})"
    assert Template(line).render("Ada", "ada") is None
    cfg = config(f"letter:\n  start_after: 'Signed,'\n  line: '{line}'\n")
    base = "Signed,\n\n- Cy Pre, Old Co, [@cy](https://github.com/cy)\n"
    verdict = judge(base, base + "- Ada Lovelace [@ada](https://github.com/ada)\n", cfg=cfg)
    assert codes(verdict) == ["line-format"] and verdict.problems[0].suggestion is None


def test_a_pr_that_rewrites_the_header_is_told_so() -> None:
    verdict = judge(seed_text(), with_line(seed_text().replace("Signed,", "Signed by all of us,"), ADA))
    assert codes(verdict) == ["list-start-changed"]
    assert "`Signed,`" in verdict.problems[0].message


def test_a_fix_never_changes_whose_signature_it_is() -> None:
    base = "Signed,\n\n- Cy Pre, @cy\n"
    line = "- Ada Lovelace @ada (Engines (UK))"  # the comma is missing
    by_ada = judge(base, base + line + "\n", "ada", DEAR)
    assert codes(by_ada) == ["line-format"]
    assert by_ada.problems[0].suggestion == "- Ada Lovelace, @ada (Engines (UK))"  # keeps its ")"
    by_bob = judge(base, base + line + "\n", "bob", DEAR)
    assert codes(by_bob) == ["line-format", "author-mismatch"]
    assert all(p.suggestion is None for p in by_bob.problems)
    mismatch = judge(seed_text(), with_line(seed_text(), "-  Ada [@ada](https://github.com/lovelace)"), "bob")
    assert "login-mismatch" in codes(mismatch) and all(p.suggestion is None for p in mismatch.problems)


def test_removing_a_blank_looking_line_is_nobodys_line() -> None:
    base = "Signed,\n\n- Ada, @ada\n\u200b\n- \n- Cy, @cy\n"
    for blank in ("\u200b\n", "- \n"):
        verdict = judge(base, base.replace(blank, "", 1), "ada", DEAR)
        assert verdict.kind == "not_a_signature", verdict.problems


def test_a_signature_above_the_list_is_told_where_it_belongs_or_moved() -> None:
    head = seed_text().replace("Signed,", ADA + "\n\nSigned,", 1)
    moved = judge(seed_text(), head)
    assert moved.kind == "sign" and moved.placement_fixed
    landed = apply_changes(SEED, {"README.md": seed_text()}, moved.land)["README.md"]
    assert landed == seed_text().rstrip("\n") + "\n" + ADA
    strict = SEED.model_copy(update={"merge": SEED.merge.model_copy(update={"fix_placement": False})})
    told = judge(seed_text(), head, cfg=strict)
    assert codes(told) == ["wrong-position"] and "after the `Signed,` line" in told.problems[0].message


def test_a_line_appended_to_a_letter_without_final_newline_is_its_own_line() -> None:
    base = seed_text().rstrip("\n")
    verdict = judge(base, base + ADA + "\n")
    assert verdict.kind == "sign", verdict.problems
    assert [c.text for c in verdict.land] == [ADA] and verdict.placement_fixed
    assert apply_changes(SEED, {"README.md": base}, verdict.land)["README.md"] == base + "\n" + ADA
    assert judge(base, base + "\n" + ADA + "\n").kind == "sign"


def test_a_url_is_a_web_address_or_a_mailto_link_and_nothing_that_runs() -> None:
    from app.template import Template

    tpl = Template("- {name}{? ({url})}")
    for ok in ("- Ada (https://ada.example/x?y=1)", "- Ada (mailto:ada@example.org)"):
        parsed = tpl.parse(ok)
        assert parsed is not None and parsed.name == "Ada", ok
    for bad in ("- Ada (javascript:alert(1))", "- Ada (data:text/html,x)", "- Ada (mailto:ada@x.org?cc=b@y.org)"):
        parsed = tpl.parse(bad)
        assert parsed is None or parsed.name != "Ada", bad
