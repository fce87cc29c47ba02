"""A refusal's `code` spans show as <code> on the signing page, and nothing a signer wrote becomes markup."""

from __future__ import annotations

from app.web.markdown import code_spans


def test_code_spans_are_code_and_everything_else_is_escaped_text() -> None:
    message = "The name `<b>x</b>` has `` ` `` and <img src=x onerror=alert(1)> [a](https://evil.example) &amp;"
    got = str(code_spans(message))
    assert got == (
        "The name <code>&lt;b&gt;x&lt;/b&gt;</code> has <code>`</code> and &lt;img src=x onerror=alert(1)&gt; "
        "[a](https://evil.example) &amp;amp;"
    )
    assert str(code_spans("`" * 10_000 + "a")) == "`" * 10_000 + "a"  # an unclosed run stays text
