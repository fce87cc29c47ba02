"""Issue 23's ten defects, each as the signer (or maintainer) of a letter we had not seen meets it."""

from __future__ import annotations

from collections.abc import Mapping

from app.rules import Author, Verdict, parse_ledger
from app.rules.checks import suggest_line
from app.rules.letter import line_template, slugify, slugs
from app.rules.lint import LintReport, lint_letter
from config import Config
from tests.helpers import assert_golden, config
from tests.rules.shapes import ADA, EXTENSION, FREEFORM, FRONT, MAINT, NAMES, SLUGS, judge, land
from tests.rules.test_golden import _render

KIM = Author("kimlee", 7)
LINKED = config(
    "letter:\n  start_after: 'Signed,'\n  line: '- {name} ([@{login}](https://github.com/{login})){?, {affiliation}}'\n"
)
ROWS = config("letter:\n  start_after: '|---|---|---|'\n  line: '|{name}|{affiliation}|{text}|'\n")
ROWS_HEAD = "| Name | Org | Note |\n|---|---|---|\n"
SORTED_TABLE = config(
    "letter:\n  start_after: '|---|---|'\n  line: '| {name} | {affiliation} |'\n  order: sorted\n  sort_key: name\n"
)
CATCH_ALL = ["- {name}", "- {name} ([{text}]({url}))"]


def one(cfg: Config, before: str, after: str, who: Author, path: str = "README.md") -> Verdict:
    return judge(cfg, {path: before}, {path: after}, who)


def codes(verdict: Verdict) -> list[str]:
    return [p.code for p in verdict.problems]


def variants(order: list[str]) -> Config:
    shown = ", ".join(f"'{v}'" for v in order[1:])
    return config(f"letter:\n  start_after: 'Signed,'\n  line: '{order[0]}'\n  line_variants: [{shown}]\n")


def table(rows: list[str]) -> str:
    return "| Name | Org |\n|---|---|\n" + "".join(f"| {row} |\n" for row in rows)


# 1. A variant without {name} is read as a signature of its own shape, not refused as name-missing.
def test_a_variant_without_a_name_is_accepted() -> None:
    base = "Signed,\n\n- Cy Pre\n"
    verdict = one(FREEFORM, base, base + "- @ada <ada@example.org>\n", ADA)
    assert verdict.kind == "sign", verdict.problems
    assert [(c.login, c.text) for c in verdict.land] == [("ada", "- @ada <ada@example.org>")]
    assert lint_letter(FREEFORM, {"README.md": base + "- @ada <ada@example.org>\n"}).clean


# 2. The suggestion for a line that misses its format keeps the affiliation clean.
def test_a_suggestion_drops_the_brackets_that_held_the_link() -> None:
    line = "- Kim Lee ([@kimlee](http://github.com/kimlee)), maintainer of Foo"
    fixed = "- Kim Lee ([@kimlee](https://github.com/kimlee)), maintainer of Foo"
    assert suggest_line(line_template(LINKED.letter), line, "kimlee") == fixed
    glued = "- Kim Lee([@kimlee](http://github.com/kimlee)), maintainer of Foo"  # no space: not the format
    verdict = one(LINKED, "Signed,\n\n", f"Signed,\n\n{glued}\n", KIM)
    assert codes(verdict) == ["line-format"] and verdict.problems[0].suggestion == fixed


# 3. A GitHub profile link is compared by meaning; another host or path is still refused.
def test_github_links_are_compared_by_meaning() -> None:
    for link in (
        "http://github.com/kimlee",
        "https://github.com/kimlee/",
        "https://GitHub.com/kimlee",
        "https://www.github.com/kimlee",
        "HTTP://WWW.GITHUB.COM/kimlee/",
    ):
        line = f"- Kim Lee ([@kimlee]({link}))"
        verdict = one(LINKED, "Signed,\n\n", f"Signed,\n\n{line}\n", KIM)
        assert verdict.kind == "sign", (link, verdict.problems)
        assert [c.text for c in verdict.land] == [line]  # lands as written, byte for byte
    for link in ("https://gitlab.com/kimlee", "https://github.com/kimlee/repo", "https://github.com.evil/kimlee"):
        verdict = one(LINKED, "Signed,\n\n", f"Signed,\n\n- Kim Lee ([@kimlee]({link}))\n", KIM)
        assert codes(verdict) == ["line-format"], link
    signed = "Signed,\n\n- Kim Lee ([@kimlee](http://github.com/kimlee/))\n"
    again = one(LINKED, signed, signed + "- Kim L ([@kimlee](https://github.com/kimlee))\n", KIM)
    assert codes(again) == ["duplicate-signer"]  # the same person, however their link was written


# 4. {slug} transliterates what does not decompose and accepts the common renderings of an apostrophe.
def test_slugs_transliterate_and_accept_apostrophes() -> None:
    assert slugify("Işık Can") == "isik-can"
    assert slugify("Łucja Kowal") == "lucja-kowal"
    assert slugify("Zoë Tölva") == "zoe-tolva"
    assert slugs("Ana O'Neil") == slugs("Ana O\u2019Neil") == ("ana-o-neil", "ana-oneil")
    for name, slug in [
        ("Işık Can", "isik-can"),
        ("Łucja Kowal", "lucja-kowal"),
        ("Ana O'Neil", "ana-o-neil"),
        ("Ana O'Neil", "ana-oneil"),
        ("Ana O\u2019Neil", "ana-o-neil-2"),
    ]:
        path = f"_data/supporting/{slug}.yml"
        verdict = judge(SLUGS, {}, {path: f"sortName: x\ndisplayName: {name}\n"}, ADA)
        assert verdict.kind == "sign", (name, verdict.problems)
    dropped = judge(SLUGS, {}, {"_data/supporting/i-k-can.yml": "sortName: x\ndisplayName: Işık Can\n"}, ADA)
    assert codes(dropped) == ["file-format"] and "`isik-can.yml`" in dropped.problems[0].message


# 5. A letter without {login} never reads one out of a link or other text.
def test_a_login_free_letter_never_invents_a_login() -> None:
    social = "|Me Too|Org|see [https://social.example/@me](https://social.example/@me)"
    refused = one(ROWS, ROWS_HEAD, f"{ROWS_HEAD}{social}\n", Author("bob", 2))
    assert "author-mismatch" not in codes(refused)
    assert not any("@me" in p.message for p in refused.problems)
    site = "|Si Te|Org|[@site.example](https://site.example)"
    fixed = one(ROWS, f"{ROWS_HEAD}{site}|x\n", f"{ROWS_HEAD}{site}|\n", Author("bob", 2))
    assert not any("site.example" in p.message for p in fixed.problems)
    assert "edits-unowned-line" in codes(fixed)
    letter = f"{ROWS_HEAD}|A B|C|x https://social.example/@me|\n|D E|F|y @social.example|\n|G H|(@social.example\n"
    report = lint_letter(ROWS, {"README.md": letter})
    assert not any("social.example" in p.message for p in report.problems), report.problems


# 6. A GFM table row without its closing pipe reads as the same row.
def test_a_table_row_without_its_closing_pipe_is_read() -> None:
    for row in ("|Joe Doe|-|x", "|Joe Doe|-|x |"):
        verdict = one(ROWS, ROWS_HEAD, f"{ROWS_HEAD}{row}\n", Author("joe", 9))
        assert verdict.kind == "sign", (row, verdict.problems)
        assert [c.text for c in verdict.land] == [row]
    assert codes(one(ROWS, ROWS_HEAD, f"{ROWS_HEAD}|Joe Doe|-\n", Author("joe", 9))) == ["line-format"]


# 7. Moving a misplaced line into its sorted place is a placement fix, not an edit of someone's line.
def test_moving_a_line_into_order_is_a_placement_fix() -> None:
    before = table(["Amy Ash | A", "Zed Zorn | Z", "Cy Pre | C", "Eve Elm | E"])
    after = table(["Amy Ash | A", "Bob Byte | B", "Cy Pre | C", "Eve Elm | E", "Zed Zorn | Z"])
    verdict = one(SORTED_TABLE, before, after, Author("bob", 2))
    assert verdict.kind == "sign", verdict.problems
    assert [(c.action, c.text) for c in verdict.land] == [("add", "| Bob Byte | B |")]  # the move never lands
    strict = SORTED_TABLE.model_copy(update={"merge": SORTED_TABLE.merge.model_copy(update={"fix_placement": False})})
    assert one(strict, before, after, Author("bob", 2)).kind == "sign"
    assert one(SORTED_TABLE, before, table(["Amy Ash | A", "Cy Pre | C", "Eve Elm | E", "Zed Zorn | Z"]), ADA).kind == (
        "not_a_signature"
    )
    # A line moved out of order is still someone's line changed.
    shuffled = table(["Zed Zorn | Z", "Amy Ash | A", "Cy Pre | C", "Eve Elm | E"])
    assert "edits-unowned-line" in codes(one(SORTED_TABLE, before, shuffled, ADA))


# 8. When only the file's name is wrong, the suggestion keeps the whole content.
def test_a_file_name_fix_keeps_the_content() -> None:
    verdict = judge(EXTENSION, {}, {"signatures/@kimlee": "Lee, Kim of Somewhere\n"}, KIM)
    assert codes(verdict) == ["file-format"]
    assert verdict.problems[0].suggestion == "Lee, Kim of Somewhere\n"
    assert "`signatures/kimlee.txt`" in verdict.problems[0].message


# 9. A trusted maintainer adds names for others: recorded as added by them, with no account.
def test_a_trusted_maintainer_adds_names_for_others() -> None:
    files = {"README.md": "# Letter\n\nSigned,\n\n1. Cy Pre (Old Co)\n"}
    head = {"README.md": files["README.md"] + "1. Grace Hopper\n1. Alan Turing\n"}
    verdict = judge(NAMES, files, head, MAINT)
    assert verdict.kind == "sign", verdict.problems
    assert [(c.login, c.account, c.by) for c in verdict.land] == [("", None, "maint")] * 2
    landed = land(NAMES, files, verdict)
    ledger = landed[NAMES.letter.ledger]
    assert "-\tby:maint\t1. Grace Hopper\n" in ledger and "-\tby:maint\t1. Alan Turing\n" in ledger
    assert parse_ledger(ledger).keys_of("maint", 4) == []  # the maintainer owns neither name
    mine = judge(NAMES, landed, {**landed, "README.md": landed["README.md"] + "1. Maint Ainer\n"}, MAINT)
    assert mine.kind == "sign", mine.problems
    # Nobody else may change a name a maintainer added, but a maintainer may.
    gone = {**landed, "README.md": landed["README.md"].replace("1. Grace Hopper\n", "")}
    assert codes(judge(NAMES, landed, gone, ADA)) == ["edits-unowned-line"]
    assert judge(NAMES, landed, gone, MAINT).kind == "withdraw"


def test_a_trusted_maintainer_adds_files_for_others() -> None:
    files = {
        "_signatures/0a1b.md": "---\nname: Maint Ainer\n---\n",
        FRONT.letter.ledger: "4\tmaint\t_signatures/0a1b.md\n",
    }
    head = {
        **files,
        "_signatures/g1.md": "---\nname: Grace Hopper\n---\n",
        "_signatures/a1.md": "---\nname: Alan Turing\n---\n",
    }
    verdict = judge(FRONT, files, head, MAINT)
    assert verdict.kind == "sign", verdict.problems
    ledger = land(FRONT, files, verdict)[FRONT.letter.ledger]
    assert ledger.endswith("-\tby:maint\t_signatures/a1.md\n-\tby:maint\t_signatures/g1.md\n")
    # Anyone else signing twice is still a duplicate.
    ada = {"_signatures/3f9c.md": "---\nname: Ada\n---\n", FRONT.letter.ledger: "1\tada\t_signatures/3f9c.md\n"}
    twice = judge(FRONT, ada, {**ada, "_signatures/77aa.md": "---\nname: Ada L\n---\n"}, ADA)
    assert codes(twice) == ["duplicate-signer"]


# 10. The most specific variant wins, whatever the order; lint names a variant no line can reach.
def test_the_most_specific_variant_wins_in_any_order() -> None:
    line = "- Ruby Lee ([rlee](https://rlee.example))"
    for order in (CATCH_ALL, CATCH_ALL[::-1]):
        cfg = variants(order)
        verdict = one(cfg, "Signed,\n\n", f"Signed,\n\n{line}\n", Author("rlee", 8))
        assert codes(verdict) == ["field-has-markup"] or verdict.kind == "sign", order
        parsed = line_template(cfg.letter).parse(line)
        assert parsed is not None and parsed.name == "Ruby Lee" and parsed.value("url") == "https://rlee.example"
        assert one(cfg, "Signed,\n\n", "Signed,\n\n- Ruby Lee\n", Author("rlee", 8)).kind == "sign"


def test_lint_warns_about_an_unreachable_variant() -> None:
    text = {"README.md": "Signed,\n\n- Ruby Lee\n"}
    assert lint_letter(variants(CATCH_ALL), text).warnings == ()
    assert lint_letter(FREEFORM, text).warnings == ()
    shadowed = variants(["- {name} ({affiliation})", "- {name}{? ({affiliation})}", "- {name} ({text})"])
    report = lint_letter(shadowed, text)
    assert [p.code for p in report.warnings] == ["unreachable-variant"]
    assert "`- {name} ({text})`" in report.warnings[0].message and report.clean


def _lint(report: LintReport) -> str:
    out = [f"signatures: {report.signatures}"]
    for p in (*report.problems, *report.warnings):
        where = ":".join(str(x) for x in (p.path, p.line) if x is not None)
        out += [f"- {p.code} ({where})", f"  {p.message}"]
    return "\n".join(out) + "\n"


def _cases() -> Mapping[str, str]:
    site = "|Si Te|Org|[@site.example](https://site.example)"
    return {
        "2. a line without its format: the suggestion keeps a clean affiliation": _render(
            one(
                LINKED,
                "Signed,\n\n",
                "Signed,\n\n- Kim Lee([@kimlee](http://github.com/kimlee)), maintainer of Foo\n",
                KIM,
            )
        ),
        "3. a link to another host": _render(
            one(LINKED, "Signed,\n\n", "Signed,\n\n- Kim Lee ([@kimlee](https://gitlab.com/kimlee))\n", KIM)
        ),
        "4. a slug that drops letters": _render(
            judge(SLUGS, {}, {"_data/supporting/i-k-can.yml": "sortName: x\ndisplayName: Işık Can\n"}, ADA)
        ),
        "5. a login-free table: a row fixed by someone else": _render(
            one(ROWS, f"{ROWS_HEAD}{site}|x\n", f"{ROWS_HEAD}{site}|\n", Author("bob", 2))
        ),
        "6. a row with too few cells": _render(one(ROWS, ROWS_HEAD, f"{ROWS_HEAD}|Joe Doe|-\n", Author("joe", 9))),
        "8. a file name that is wrong, its content right": _render(
            judge(EXTENSION, {}, {"signatures/@kimlee": "Lee, Kim of Somewhere\n"}, KIM)
        ),
        "10. lint: a variant no line reaches": _lint(
            lint_letter(
                variants(["- {name} ({affiliation})", "- {name}{? ({affiliation})}", "- {name} ({text})"]),
                {"README.md": "Signed,\n\n- Ruby Lee\n"},
            )
        ),
    }


def test_defect_messages_match_golden_file() -> None:
    assert_golden("rules/shapes-fix.txt", "".join(f"## {name}\n{text}\n" for name, text in _cases().items()))
