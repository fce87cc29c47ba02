"""Loose reading of lines that do not fit the template; the template compiler lives in app.template."""

from __future__ import annotations

import re

from app.template import FIELDS, Parsed, Part, Template, TemplateError

__all__ = ["FIELDS", "Parsed", "Part", "Template", "TemplateError", "mentioned_logins", "salvage"]

_LOOSE_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*")
_LOOSE_LOGIN = re.compile(r"(?:github\.com/|@)([A-Za-z0-9_.-]+)")
_NAME_END = re.compile(r"\s*(?:[,(\[<]|@|https?:|\bgithub\.com)")


def salvage(line: str) -> tuple[str, str | None, str | None]:
    """Best-effort (name, login, affiliation) from a line that does not fit the template."""
    body = _LOOSE_BULLET.sub("", line, count=1)
    m = _NAME_END.search(body)
    name = (body[: m.start()] if m else body).strip(" ,;:-*_")
    logins = _LOOSE_LOGIN.findall(body)
    login = logins[0].strip(".-") if logins else None
    rest = body[m.start() :] if m else ""
    rest = re.sub(r"\[[^\]]*\]\([^)]*\)|https?:/*\S*|@[\w.-]+|github\.com/\S*", " ", rest)
    emptied = 1
    while emptied:  # what held only the link: "([@kim](...)), of Foo" -> "of Foo"; each pass shortens the text
        rest, emptied = _EMPTY_BRACKETS.subn(" ", rest)
    return name, login, _unwrap(rest.strip(" ,;:[]-")) or None


_EMPTY_BRACKETS = re.compile(r"(?:\(\s*\)|\[\s*\]|<\s*>)+")


def _unwrap(text: str) -> str:
    """The text without the parentheses around it, keeping any it holds: "(A (B))" -> "A (B)"."""
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    if text.startswith("(") and not _balanced(text):
        text = text[1:].strip()
    if text.endswith(")") and not _balanced(text):
        text = text[:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return False
    return depth == 0


def mentioned_logins(line: str) -> set[str]:
    """Every handle a line names (as @login or a github.com link), for catching duplicates."""
    return {m.strip(".-") for m in _LOOSE_LOGIN.findall(line)} - {""}
