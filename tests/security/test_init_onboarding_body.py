"""The onboarding PR quotes lines of the letter, which anyone may have written: they stay inside code, where
nothing renders, links or mentions anyone, whatever backticks, handles, HTML or bidi marks they hold."""

from __future__ import annotations

import re
from dataclasses import replace

from markdown_it import MarkdownIt

from app.infer.infer import infer
from app.worker.onboarding_pr import body, code
from tests.helpers import assert_golden

HOSTILE = [
    "- ``` @everyone <script>alert(1)</script> ```",
    "- Mallory `@octocat` [click](https://evil.example/login)",
    "- \u202egnp.exe @mallory",
    "- " + "`" * 40 + " @team",
]
_MD = MarkdownIt("commonmark")


def _outside_code(html: str) -> str:
    return re.sub(r"<pre>.*?</pre>|<code>.*?</code>", "", html, flags=re.S)


def test_unread_lines_are_quoted_inside_code_and_nothing_escapes() -> None:
    lines = [f"- Signer {i}, @signer{i}" for i in range(30)]
    found = infer({"README.md": "# Letter\n\nSigned,\n\n" + "\n".join(lines) + "\n"})
    assert found.config is not None
    unread = tuple(("README.md", 35 + i, line) for i, line in enumerate(HOSTILE))
    text = body(replace(found, unread=unread, unread_total=len(HOSTILE), existing=34, read=34))
    outside = _outside_code(_MD.render(text))
    for bad in ("@everyone", "@octocat", "@mallory", "@team", "<script", "evil.example", "\u202e"):
        assert bad not in outside, bad
    assert "\u202e" not in text  # shown as U+FFFD, even inside code
    assert_golden("app/onboarding-pr-unread.md", text)


def test_inline_code_holds_any_backticks() -> None:
    for text in ("a`b", "``", "`@x`", "x" * 500):
        html = _MD.render(code(text))
        assert _outside_code(html).strip() in ("<p></p>", ""), (text, html)
