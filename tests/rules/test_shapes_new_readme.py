"""The README gallery's examples of issue 23's shapes, run: each config, with the example the prose gives, is
judged valid and lands (a gallery example the engine refuses fails here)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.rules import Author, Snapshots, evaluate
from app.rules.apply import apply_changes
from config import Config, parse_config
from tests.helpers import NOW, ROOT


def gallery() -> list[tuple[str, str]]:
    """(the prose before the block, the block) for each config of the README's gallery."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Gallery") : readme.index("**When a change counts.**")]
    pieces = section.split("```yaml\n")
    return [(pieces[i - 1].rsplit("```", 1)[-1], pieces[i].split("```")[0]) for i in range(1, len(pieces))]


@dataclass(frozen=True)
class Example:
    """A gallery block found by words of its prose; the letter before, and what the signer's PR changes."""

    said: tuple[str, ...]  # what the prose shows, each quoted in it
    base: dict[str, str]
    head: dict[str, str]


LISTED = "Letter.\n\nOriginal signers:\n\n1. Cy Pre\n\nAdditional signers:\n\n- Dee Lin\n"
ORGS = "# We object\n\n## Organisations\n\n- Zeta\n\n## People\n\n-  Cy Pre [@cy](https://github.com/cy)\n"
ADA = "-  Ada Lovelace [@ada](https://github.com/ada)"
EXAMPLES = {
    "original and additional signers": [
        Example(
            ("1. Ada Lovelace",),
            {"README.md": LISTED},
            {"README.md": LISTED.replace("Cy Pre", "Cy Pre\n1. Ada Lovelace")},
        ),
        Example(("- Grace Hopper (Navy)",), {"README.md": LISTED}, {"README.md": LISTED + "- Grace Hopper (Navy)\n"}),
    ],
    "Organisations and people": [
        Example(
            ("- Acme Corp (https://acme.example)",),
            {"README.md": ORGS},
            {"README.md": ORGS.replace("\n- Zeta", "\n- Acme Corp (https://acme.example)\n- Zeta")},
        ),
        Example((ADA,), {"README.md": ORGS}, {"README.md": ORGS + ADA + "\n"}),
    ],
    "Several folders": [
        Example(("_data/orgs/acme-corp.yml", "name: Acme Corp"), {}, {"_data/orgs/acme-corp.yml": "name: Acme Corp\n"}),
        Example(
            ("_data/people/ada.yml", "name: Ada Lovelace", "github: ada"),
            {},
            {"_data/people/ada.yml": "name: Ada Lovelace\ngithub: ada\n"},
        ),
    ],
    "It can be anything": [
        Example(
            ("- Ada Lovelace, https://ada.example",),
            {"README.md": "Letter.\n\nSigned,\n"},
            {"README.md": "Letter.\n\nSigned,\n- Ada Lovelace, https://ada.example\n"},
        )
    ],
    "Any unique file name": [
        Example(("signatures/Zoë_Tölva.md",), {}, {"signatures/Zoë_Tölva.md": "Zoë Tölva\n"}),
        Example(("signatures/Kim_E._Lee.md",), {}, {"signatures/Kim_E._Lee.md": "Kim E. Lee\n"}),
    ],
}


def _config(words: str) -> tuple[str, Config]:
    found = [(prose, block) for prose, block in gallery() if words in prose]
    assert len(found) == 1, f"one gallery block says {words!r}"
    cfg = parse_config(found[0][1])
    assert isinstance(cfg, Config), cfg
    return found[0][0], cfg


@pytest.mark.parametrize("words", sorted(EXAMPLES))
def test_the_gallerys_example_is_valid_and_lands(words: str) -> None:
    prose, cfg = _config(words)
    for example in EXAMPLES[words]:
        for quoted in example.said:
            assert f"`{quoted}`" in prose.replace("\n", " ") or quoted in prose, quoted
        changed = sorted(p for p in {*example.base, *example.head} if example.base.get(p) != example.head.get(p))
        verdict = evaluate(cfg, Snapshots(example.base, example.head), changed, Author("ada", 1), NOW)
        assert verdict.ok, verdict.problems
        out = apply_changes(cfg, example.base, verdict.land)
        assert {p: out[p] for p in changed} == {p: example.head[p] for p in changed}
