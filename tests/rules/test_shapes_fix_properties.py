"""Issue 23's defect shapes under random edits: the verdict and lint never raise, every refusal has a code and
plain words, and every slug the engine derives is one it accepts."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.rules import MESSAGES, Author, Verdict, evaluate
from app.rules.letter import slug_problem, slugify, slugs
from app.rules.lint import LINT_MESSAGES, lint_letter
from app.rules.model import Snapshots
from app.template import Template, TemplateError
from config import Config
from tests.helpers import NOW
from tests.rules.shapes import FREEFORM, NAMES, SLUGS
from tests.rules.test_shapes_fix_defects import CATCH_ALL, LINKED, ROWS, ROWS_HEAD, SORTED_TABLE, table, variants

LETTERS: dict[str, tuple[Config, str]] = {
    "linked": (LINKED, "Signed,\n\n- Cy Pre ([@cy](https://github.com/cy))\n"),
    "rows": (ROWS, ROWS_HEAD + "|Cy Pre|Old Co|hi|\n"),
    "sorted-table": (SORTED_TABLE, table(["Amy Ash | A", "Zed Zorn | Z", "Cy Pre | C"])),
    "catch-all": (variants(CATCH_ALL), "Signed,\n\n- Cy Pre\n"),
    "freeform": (FREEFORM, "Signed,\n\n- Cy Pre\n- Zed (@zed)\n"),
    "names": (NAMES, "# Letter\n\nSigned,\n\n1. Cy Pre (Old Co)\n"),
}
BITS = st.sampled_from(
    [
        "- ",
        "1. ",
        "|",
        " | ",
        "@kimlee",
        "([@kimlee](http://GitHub.com/kimlee/))",
        "https://www.github.com/",
        "https://social.example/@me",
        "[rlee](https://rlee.example)",
        "Kim Lee",
        "Işık",
        "O\u2019Neil",
        "O'Neil",
        ", ",
        "(",
        ")",
        "<ada@example.org>",
        "by:maint",
        "\u200b",
        "\u00a0",
        "\t",
        "Zed Zorn | Z",
    ]
)
LINE = st.lists(BITS | st.text(max_size=8), max_size=10).map("".join)
AUTHORS = st.builds(Author, st.sampled_from(["kimlee", "ada", "maint", "me", ""]), st.none() | st.integers(0, 9))
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _plain(verdict: Verdict) -> None:
    assert verdict.ok or verdict.kind == "not_a_signature" or verdict.problems
    for p in verdict.problems:
        assert p.code in MESSAGES and p.message.strip(), p
        assert "None" not in p.message and p.message.rstrip().endswith((".", ")")), p


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(sorted(LETTERS)), st.data(), AUTHORS)
def test_random_edits_never_raise_and_refusals_say_why(shape: str, data: st.DataObject, who: Author) -> None:
    cfg, before = LETTERS[shape]
    lines = before.split("\n")
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(lines)))
        if data.draw(st.booleans()) and at < len(lines):
            lines.pop(at)  # a removed or moved line
        lines.insert(data.draw(st.integers(0, len(lines))), data.draw(LINE))
    after = "\n".join(lines)
    verdict = evaluate(cfg, Snapshots({"README.md": before}, {"README.md": after}), ["README.md"], who, NOW)
    _plain(verdict)
    report = lint_letter(cfg, {"README.md": after})
    for p in (*report.problems, *report.warnings):
        assert p.code in MESSAGES or p.code in LINT_MESSAGES


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["- ", "{name}", "{login}", "{text}", "{url}", " (", ")", "{? ", "}", "@", "|"]), max_size=8
    )
)
def test_unreachable_variants_never_raise(bits: list[str]) -> None:
    try:
        tpl = Template("- {name}", variants=("".join(bits), "- {name} ({text})"))
    except TemplateError:
        return
    for variant, winner in tpl.unreachable():
        assert variant in tpl.source or variant in {v.source for v in tpl.variants}
        assert winner


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_every_derived_slug_is_accepted(name: str) -> None:
    for slug in slugs(name):
        assert slug == "" or _SLUG.fullmatch(slug), slug
    slug = slugify(name)
    if slug:
        assert slug_problem(f"_data/supporting/{slug}.yml", name, SLUGS.letter) is None
        assert slug_problem(f"_data/supporting/{slug}-2.yml", name, SLUGS.letter) is None
