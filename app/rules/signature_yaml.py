"""A signer's YAML file read safely: no anchors or aliases, plain-text values, nothing after the front matter."""

from __future__ import annotations

import re
from datetime import date

import yaml

from app.rules.text import has_control_chars, markup_in, normalize_line
from config.model import LetterConfig

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$", re.DOTALL | re.MULTILINE)


def control_problem(text: str) -> str | None:
    """Why a signer's file may not be kept as it is: a control character on some line (a CRLF ending is fine)."""
    for number, raw in enumerate(text.lstrip("\ufeff").split("\n"), 1):
        if has_control_chars(raw.removesuffix("\r")):
            return f"line {number} contains invisible or control characters; please type it again as plain text"
    return None


def yaml_of(text: str, cfg: LetterConfig) -> object | str:
    """The YAML data of a signer's file (its front matter when configured), or why it cannot be read."""
    if cfg.front_matter:
        m = _FRONT.match(text.lstrip("\ufeff"))
        if m is None:
            return "the file should start with YAML front matter between two `---` lines"
        body = text.lstrip("\ufeff")[m.end() :]
        if (why := _body_problem(body, cfg)) is not None:
            return why
        text = m.group(1)
    what = "the front matter" if cfg.front_matter else "the file"
    try:
        # An alias bomb (`&a [*b, *b, ...]`) of a few hundred bytes expands to gigabytes: a signature file may
        # not use anchors or aliases at all, checked on the parser's events before anything is built.
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                return f"{what} may not use YAML anchors or aliases (`&name`, `*name`)"
        data: object = yaml.safe_load(text)
    except yaml.YAMLError:
        return f"{what} is not valid YAML"
    return data


def _body_problem(body: str, cfg: LetterConfig) -> str | None:
    """Why the text after the front matter may not be there, or None."""
    if not body.strip():
        return None
    if cfg.body == "none":
        return "the file may hold only its front matter: remove the text after the second `---` line"
    for raw in body.split("\n"):
        line = normalize_line(raw)
        if has_control_chars(line):
            return "the text after the front matter contains invisible or control characters"
        if (found := markup_in(line)) is not None:
            return f"the text after the front matter may not contain links or HTML (it has `{found}`)"
    return None


_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


def value_problem(key: object, value: object, known: bool) -> str | None:
    """Why a YAML key or its value is not plain text, or None. A key no template names must be a plain word
    and hold plain text too."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        return f"the key `{str(key)[:40]}` should be a plain word"
    if isinstance(value, bool) or not isinstance(value, str | int | float | date | None):
        return f"`{key}` should be plain text, not a {'list' if isinstance(value, list) else 'structure'}"
    if not known:
        text = "" if value is None else str(value)
        if has_control_chars(text) or markup_in(text, "&" if text.startswith(("https://", "http://")) else ""):
            return f"`{key}` should be plain text, without links, HTML or control characters"
    return None
