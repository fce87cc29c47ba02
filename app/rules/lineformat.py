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
    affiliation = rest.strip(" ,;:()[]-") or None
    return name, login, affiliation


def mentioned_logins(line: str) -> set[str]:
    """Every handle a line names (as @login or a github.com link), for catching duplicates."""
    return {m.strip(".-") for m in _LOOSE_LOGIN.findall(line)} - {""}
