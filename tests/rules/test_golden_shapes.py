"""Golden file for what signers of the new letter shapes read: unowned lines, file keys, front matter, slugs."""

from __future__ import annotations

from app.rules import Author, Snapshots, Verdict, evaluate
from tests.helpers import NOW, assert_golden, config
from tests.rules.shapes import FRONT, NAMES, SLUGS
from tests.rules.test_golden import _render

SLUG_BASE = {"_data/supporting/cy-pre.yml": "sortName: Pre, Cy\ndisplayName: Cy Pre\n"}
CASES: dict[str, Verdict] = {
    "a names-only line nobody owns, removed": evaluate(
        NAMES,
        Snapshots({"README.md": "Signed,\n\n1. Cy Pre\n"}, {"README.md": "Signed,\n"}),
        ["README.md"],
        Author("bob", 2),
        NOW,
    ),
    "front matter missing": evaluate(
        FRONT, Snapshots({}, {"_signatures/3f9c.md": "name: Ada\n"}), ["_signatures/3f9c.md"], Author("ada", 1), NOW
    ),
    "a forbidden and a missing key": evaluate(
        FRONT,
        Snapshots({}, {"_signatures/3f9c.md": "---\nlayout: x\n---\n"}),
        ["_signatures/3f9c.md"],
        Author("ada", 1),
        NOW,
    ),
    "a file name that is not the name's slug": evaluate(
        SLUGS,
        Snapshots(
            SLUG_BASE, {**SLUG_BASE, "_data/supporting/ada.yml": "sortName: Lovelace, Ada\ndisplayName: Ada Lovelace\n"}
        ),
        ["_data/supporting/ada.yml"],
        Author("ada", 1),
        NOW,
    ),
    "a signature after the list's end": evaluate(
        config("letter:\n  end_before: '## Thanks'\n  line: '- {name}'\nmerge:\n  fix_placement: false\n"),
        Snapshots({"README.md": "- Cy\n## Thanks\n"}, {"README.md": "- Cy\n## Thanks\n- Ada Lovelace\n"}),
        ["README.md"],
        Author("ada", 1),
        NOW,
    ),
}


def test_shape_messages_match_golden_file() -> None:
    out = "".join(f"## {name}\n{_render(verdict)}\n" for name, verdict in CASES.items())
    assert_golden("rules/shapes.txt", out)
