"""Line templates: compile `- {name} [@{login}](...)` to a regex, parse and render lines. Imports no config or rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

FIELDS = ("name", "login", "affiliation")
_FIELD_RE = {
    "name": r"\S.*?",
    # Captured loosely and validated afterwards, so "@lady_ada_king" reads as a bad login, not a bad line.
    "login": r"[^\s\[\]()/,@<>]+",
    "affiliation": r"\S.*?",
}
_BULLET = re.compile(r"^\s*(?:(N)\.|([-*]))(?= )")


class TemplateError(ValueError):
    """The template itself is wrong (an unknown field, an unclosed optional part...)."""


@dataclass(frozen=True, slots=True)
class Parsed:
    """The fields read from one line; `logins` holds every place the login appears (text, link)."""

    name: str
    login: str
    affiliation: str | None
    logins: tuple[str, ...]
    number: int | None = None


# A template is a list of parts: ("lit", text) | ("field", name) | ("opt", [parts]).
Part = tuple[str, object]


def _tokenize(text: str, pos: int = 0, depth: int = 0) -> tuple[list[Part], int]:
    parts: list[Part] = []
    literal: list[str] = []

    def flush() -> None:
        if literal:
            parts.append(("lit", "".join(literal)))
            literal.clear()

    while pos < len(text):
        ch = text[pos]
        if text.startswith("{?", pos):
            flush()
            inner, pos = _tokenize(text, pos + 2, depth + 1)
            parts.append(("opt", inner))
        elif ch == "{":
            end = text.find("}", pos)
            field = text[pos + 1 : end] if end > 0 else ""
            if field not in FIELDS:
                raise TemplateError(f"unknown field {{{field}}}; use {{name}}, {{login}} or {{affiliation}}")
            flush()
            parts.append(("field", field))
            pos = end + 1
        elif ch == "}":
            if depth == 0:
                raise TemplateError("a '}' closes nothing")
            flush()
            return parts, pos + 1
        else:
            literal.append(ch)
            pos += 1
    if depth:
        raise TemplateError("an optional part '{? ...' is not closed with '}'")
    flush()
    return parts, pos


class Template:
    """A compiled line template. `bullet` is True for list lines, False for a file's fields."""

    def __init__(
        self,
        source: str,
        *,
        bullet: bool = True,
        pattern: str | None = None,
        required: tuple[str, ...] = ("name", "login"),
    ) -> None:
        self.source = source
        self.numbered = False
        body = source
        self.bullet = ""
        if bullet:
            m = _BULLET.match(source)
            if m:
                self.numbered = m.group(1) is not None
                self.bullet = "N." if self.numbered else m.group(2)
                body = source[m.end() :]
        self.parts, _ = _tokenize(body)
        names = self._fields(self.parts)
        for field in required:
            if field not in names:
                raise TemplateError(f"the template must contain {{{field}}}")
        self.fields = names
        self.login_prefix = None if pattern else self._login_prefix(self.parts)
        self._counts: dict[str, int] = {}
        regex = self._regex(self.parts)
        if self.bullet:
            lead = r"(?P<number>\d+)\." if self.numbered else r"[-*]"
            regex = r"\s*" + lead + regex
        self.regex = re.compile(regex)
        if pattern is not None:
            try:
                custom = re.compile(pattern)
            except re.error as exc:
                raise TemplateError(f"pattern is not a valid regex: {exc}") from exc
            missing = {"name", "login"} - set(custom.groupindex)
            if missing & set(required):
                raise TemplateError(f"pattern needs the named groups {sorted(missing)}")
            self.regex = custom
        groups = self.regex.groupindex
        self._has_name, self._has_affiliation = "name" in groups, "affiliation" in groups
        self._has_login, self._numbered_group = "login" in groups, "number" in groups
        self._login_groups = [g for g in groups if g == "login" or g.startswith("login_")]
        self._single_login = self._login_groups == ["login"]

    @staticmethod
    def _login_prefix(parts: list[Part]) -> str | None:
        """The literal text just before the first {login} (e.g. "[@"), to find a login fast."""
        for i, (kind, value) in enumerate(parts):
            if kind == "field" and value == "login":
                if i == 0 or parts[i - 1][0] != "lit":
                    return None
                prefix = str(parts[i - 1][1]).rsplit(" ", 1)[-1]
                return prefix or None
        return None

    @staticmethod
    def _fields(parts: list[Part]) -> set[str]:
        found: set[str] = set()
        for kind, value in parts:
            if kind == "field":
                found.add(str(value))
            elif kind == "opt":
                found |= Template._fields(value)  # type: ignore[arg-type]
        return found

    def _regex(self, parts: list[Part]) -> str:
        out = []
        for kind, value in parts:
            if kind == "lit":
                # A run of spaces matches one or more; NBSP and tabs are already plain spaces.
                out.append(" +".join(re.escape(chunk) for chunk in re.split(r" +", str(value))))
            elif kind == "field":
                n = self._counts.get(str(value), 0) + 1
                self._counts[str(value)] = n
                group = str(value) if n == 1 else f"{value}_{n}"
                out.append(f"(?P<{group}>{_FIELD_RE[str(value)]})")
            else:
                out.append(f"(?:{self._regex(value)})?")  # type: ignore[arg-type]
        return "".join(out)

    def parse(self, line: str) -> Parsed | None:
        """Read a normalized line; None when it does not have the template's shape."""
        m = self.regex.fullmatch(line)
        if m is None:
            return None
        login = m.group("login") if self._has_login else ""
        if self._single_login or not self._login_groups:
            logins: tuple[str, ...] = (login,) if login else ()
        else:
            found = m.group(*self._login_groups)
            logins = found if None not in found else tuple(x for x in found if x)
        return Parsed(
            m.group("name").strip() if self._has_name and m.group("name") else "",
            login or "",
            (m.group("affiliation") or None) if self._has_affiliation else None,
            logins,
            int(m.group("number")) if self._numbered_group and m.group("number") else None,
        )

    def render(self, name: str, login: str, affiliation: str | None = None, number: int = 1) -> str:
        values = {"name": name, "login": login, "affiliation": affiliation}
        body = self._render(self.parts, values)
        assert body is not None
        if not self.bullet:
            return body
        return (f"{number}." if self.numbered else self.bullet) + body

    def _render(self, parts: list[Part], values: dict[str, str | None]) -> str | None:
        out = []
        for kind, value in parts:
            if kind == "lit":
                out.append(str(value))
            elif kind == "field":
                filled = values.get(str(value))
                if not filled:
                    return None
                out.append(filled)
            else:
                out.append(self._render(value, values) or "")  # type: ignore[arg-type]
        return "".join(out)
