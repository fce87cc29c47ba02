"""A letter's markdown as safe HTML: markdown-it-py renders (raw HTML off), nh3 sanitises what remains."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# "js-default" is CommonMark plus tables and strikethrough, with raw HTML off and javascript: links refused.
_MD = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
# Jekyll front matter (GitHub Pages letters): settings for the site, not words of the letter.
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
# Our messages' `code` spans and nothing else: no HTML, links, emphasis or entities (every other rule is off).
_SPANS = MarkdownIt("zero").enable("backticks")
_TAGS = {
    *("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "em", "strong", "del"),
    *("ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td"),
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}


def render_markdown(text: str) -> str:
    """HTML that cannot run script: only the tags above, http(s)/mailto links, rel="noopener noreferrer"."""
    html = _MD.render(_FRONT_MATTER.sub("", text, count=1))
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def code_spans(text: str) -> Markup:
    """A message (a refusal's words, which may quote what a signer wrote) as HTML text: its `code` spans, by
    CommonMark's rule (linear), become <code>; every other character is escaped, so nothing becomes markup."""
    return Markup(nh3.clean(_SPANS.renderInline(text), tags={"code"}, attributes={}))  # noqa: S704 (escaped, then cleaned)
