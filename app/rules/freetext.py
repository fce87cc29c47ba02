"""A free `{text}` field ("It can be anything: a name, with an optional link or email"), still safe.

The markup rules hold as for every field (no `[ ] < > & \\``, no `](`, no control characters: checks.py), so the
only links a `{text}` can make are the bare addresses GitHub links by itself, which show their own target.
https://github.github.com/gfm/#autolinks-extension-: www., http://, https://, email addresses (and mailto:,
xmpp:). This caps how many one field may hold (`signers.max_links_in_text`, one by default)."""

from __future__ import annotations

import re

from app.rules.problems import Problem, problem
from app.template import Parsed
from config.model import SignerRules

# An address starts only where a run of its characters starts (the lookbehind), so each run is scanned once:
# linear time on a hostile line.
_LINK = re.compile(
    r"(?i:https?://|www\.|mailto:|xmpp:)\S+"
    r"|(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)


def link_count(text: str) -> int:
    """How many addresses GitHub would turn into links in this text."""
    return sum(1 for _ in _LINK.finditer(text))


def text_link_problems(parsed: Parsed, rules: SignerRules, at: tuple[str, int]) -> list[Problem]:
    """A `{text}` field with more links than the letter allows."""
    value = parsed.value("text")
    if not value:
        return []
    count = link_count(value)
    if count <= rules.max_links_in_text:
        return []
    limit = rules.max_links_in_text
    allowed = "no web or email address" if limit == 0 else f"at most {limit} web or email address" + "es" * (limit > 1)
    return [problem("text-too-many-links", *at, count=count, allowed=allowed)]
