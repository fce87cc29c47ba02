"""A letter's markdown as safe HTML: markdown-it-py renders (raw HTML off), nh3 sanitises what remains."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

# "js-default" is CommonMark plus tables and strikethrough, with raw HTML off and javascript: links refused.
_MD = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
# Jekyll front matter (GitHub Pages letters): settings for the site, not words of the letter.
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
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
