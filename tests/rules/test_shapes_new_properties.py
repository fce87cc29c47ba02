"""Random edits to letters of issue 23's new shapes: the verdict never raises, every refusal has a code and plain
words, and a valid verdict lands exactly its changes (principle 1)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.rules import Author, Snapshots, evaluate, parse_ledger
from app.rules.apply import apply_changes
from app.rules.lint import lint_letter
from app.rules.text import normalize_line
from tests.helpers import NOW
from tests.rules.shapes_new import (
    ADA_LINE,
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
)
from tests.rules.test_shape_properties import _check, authors, noise

LETTERS = {"lists": (LISTS, LISTS_BASE), "two-people": (TWO_PEOPLE, TWO_BASE), "free": (FREE, FREE_BASE)}
LINES = st.sampled_from(
    [
        ADA_LINE,
        "- Zeta Org (https://zeta.example)",
        "- Acme",
        "2. Ada Lovelace",
        "- Ada, https://a.example",
        "## People",
        "## Organisations",
        "Additional signers:",
        "- Ada https://a.example www.b.example",
        "",
    ]
)
ledgers = st.none() | st.lists(LINES | noise, max_size=3).map(
    lambda rows: "".join(f"1\tada\t{r}\t{p}\n" for r, p in zip(rows, ["People", "Organisations", "x"], strict=False))
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(sorted(LETTERS)), st.data(), authors, ledgers)
def test_random_edits_to_a_letter_of_several_lists_never_raise(
    shape: str, data: st.DataObject, who: Author, ledger: str | None
) -> None:
    cfg, before = LETTERS[shape]
    lines = before.split("\n")
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(lines)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "insert":
            lines.insert(at, data.draw(LINES | noise))
        elif lines and at < len(lines):
            if action == "delete":
                del lines[at]
            else:
                lines[at] = data.draw(LINES | noise)
    head = "\n".join(lines)
    verdict = evaluate(
        cfg, Snapshots({"README.md": before}, {"README.md": head}), ["README.md"], who, NOW, parse_ledger(ledger)
    )
    _check(verdict)
    lint_letter(cfg, {"README.md": head})
    if not verdict.ok:
        return
    files = {"README.md": before, **({LEDGER: ledger} if ledger else {})}
    out = apply_changes(cfg, files, verdict.land)  # a valid verdict applies to the letter it was judged on
    # Exactly the validated changes: every added line is there, every removed one gone, nothing else moved.
    landed = [normalize_line(x) for x in str(out.get("README.md", before)).split("\n")]
    kept = [normalize_line(x) for x in before.split("\n")]
    for change in verdict.land:
        if change.text is not None:
            assert change.text in landed
            landed.remove(change.text)
        if change.old is not None:
            kept.remove(change.old)
    assert sorted(landed) == sorted(kept)


FOLDER_LETTERS = {"folders": (FOLDERS, FOLDERS_BASE), "ids": (IDS, {"signatures/Kim_Lee.md": "Kim Lee\n"})}
PATHS = st.sampled_from(
    [
        "_data/orgs/zeta-org.yml",
        "_data/orgs/acme.yml",
        "_data/people/ada.yml",
        "_data/x.yml",
        "signatures/Zoë.md",
        "signatures/kim_lee.md",
        "signatures/.x.md",
        "signatures/a.b.md",
        "signatures/CON.md",
    ]
)
FILES = st.sampled_from(["name: Zeta Org\n", "name: Ada\ngithub: ada\n", "Ada\n", "name: [x](y)\n", "---\n"])


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(sorted(FOLDER_LETTERS)), st.data(), authors)
def test_random_edits_to_a_letter_of_several_folders_never_raise(shape: str, data: st.DataObject, who: Author) -> None:
    cfg, before = FOLDER_LETTERS[shape]
    head = dict(before)
    for _ in range(data.draw(st.integers(1, 3))):
        head[data.draw(PATHS | noise.map(lambda n: f"_data/people/{n}"))] = data.draw(FILES | noise)
        if data.draw(st.booleans()):
            head.pop(data.draw(st.sampled_from(sorted(head))), None)
    changed = sorted(p for p in {*before, *head} if before.get(p) != head.get(p))
    verdict = evaluate(cfg, Snapshots(before, head, before), changed, who, NOW, parse_ledger(None))
    _check(verdict)
    lint_letter(cfg, head)
    if verdict.ok:
        out = apply_changes(cfg, before, verdict.land)
        assert {p: t for p, t in out.items() if p != LEDGER} == {c.path: c.text for c in verdict.land}
