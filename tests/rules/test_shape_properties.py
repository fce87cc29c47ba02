"""Random edits to a letter of every shape, in both layouts: the verdict never raises, and every refusal
names a problem code and says what to change."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.rules import MESSAGES, Author, Snapshots, Verdict, evaluate, parse_ledger
from app.rules.lint import lint_letter
from config import Config
from tests.helpers import NOW
from tests.rules.shapes import FOLDER_LETTERS, LIST_LETTERS

LINE_BITS = st.sampled_from(
    [
        "- ",
        "1. ",
        "| ",
        " |",
        "@ada",
        "[@bob](https://github.com/bob)",
        "Ada Lovelace",
        "(",
        ")",
        ", ",
        "---",
        "deadbeef1",
        "<ada@example.org>",
        "\u200b",
        "\u00a0",
        "\r",
        "Signed,",
        "|---|---|---|",
        "name: ",
        "\n",
        ":",
    ]
)
# A message must never show Python's None, so the noise may not write it (a file named "None" is a login).
noise = st.lists(LINE_BITS | st.text(max_size=12), max_size=12).map("".join).filter(lambda s: "None" not in s)
authors = st.builds(Author, st.sampled_from(["ada", "bob", "maint", "x", ""]), st.none() | st.integers(0, 5))
ledgers = st.none() | st.lists(noise, max_size=4).map(lambda rows: "\n".join(f"1\tada\t{r}" for r in rows))


def _check(verdict: Verdict) -> None:
    assert verdict.kind in ("sign", "withdraw", "amend", "not_a_signature", "invalid")
    assert verdict.ok or verdict.kind == "not_a_signature" or verdict.problems
    for p in verdict.problems:
        assert p.code in MESSAGES and p.message and "None" not in p.message


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(sorted(LIST_LETTERS)), st.data(), authors, ledgers)
def test_random_edits_to_a_list_letter_never_raise(
    shape: str, data: st.DataObject, who: Author, ledger: str | None
) -> None:
    cfg, before, ada, bob = LIST_LETTERS[shape]
    lines = (before + ada + "\n").split("\n")
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(lines)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace", "glue"]))
        if action == "insert":
            lines.insert(at, data.draw(st.sampled_from([ada, bob]) | noise))
        elif lines and at < len(lines):
            if action == "delete":
                del lines[at]
            elif action == "replace":
                lines[at] = data.draw(noise)
            else:
                lines[at] += data.draw(st.sampled_from([ada, bob]) | noise)
    head = "\n".join(lines)
    path = cfg.letter.file
    verdict = evaluate(
        cfg, Snapshots({path: before}, {path: head}, {path: before}), [path], who, NOW, parse_ledger(ledger)
    )
    _check(verdict)
    lint_letter(cfg, {path: head})


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(sorted(FOLDER_LETTERS)), st.data(), authors, ledgers)
def test_random_edits_to_a_folder_letter_never_raise(
    shape: str, data: st.DataObject, who: Author, ledger: str | None
) -> None:
    cfg, before, ada_path, ada, bob_path, bob = FOLDER_LETTERS[shape]
    head = dict(before)
    folder = cfg.letter.directory or ""
    for _ in range(data.draw(st.integers(1, 3))):
        name = data.draw(st.sampled_from([ada_path, bob_path, *before]) | noise.map(lambda n: f"{folder}/{n}"))
        head[name] = data.draw(st.sampled_from([ada, bob, "---\n---\n", "[1, 2]", ": :"]) | noise)
        if data.draw(st.booleans()):
            head.pop(data.draw(st.sampled_from(sorted(head))), None)
    changed = sorted(p for p in {*before, *head} if before.get(p) != head.get(p))
    _check(evaluate(cfg, Snapshots(before, head, before), changed, who, NOW, parse_ledger(ledger)))
    lint_letter(cfg, head)


def test_no_text_no_tree_no_config() -> None:
    for cfg in (Config(), *(c for c, *_ in LIST_LETTERS.values()), *(c for c, *_ in FOLDER_LETTERS.values())):
        for base, head in (({}, {}), ({}, {"x": ""}), ({cfg.letter.file: ""}, {})):
            _check(evaluate(cfg, Snapshots(base, head), [], Author(""), NOW))
            _check(
                evaluate(
                    cfg, Snapshots(base, head, {}), ["x", cfg.letter.file], Author("ada", 1), NOW, parse_ledger("")
                )
            )
        lint_letter(cfg, {})
