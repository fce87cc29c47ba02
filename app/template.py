"""Line templates: compile `- {name} [@{login}](...)` to a regex, parse and render lines. Imports no config or rules."""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass

# Every field a template may use, and what it matches. Free text is lazy, so the literals around it decide;
# a free field followed by a literal and more never holds that literal (see Template._free), so every line
# is read in linear time.
FIELDS = ("name", "login", "affiliation", "email", "url", "commit", "slug", "id", "text", "verified")
_FIELD_RE = {
    "name": r"\S.*?",
    # Captured loosely and validated afterwards, so "@lady_ada_king" reads as a bad login, not a bad line.
    "login": r"[^\s\[\]()/,@<>]+",
    "affiliation": r"\S.*?",
    "email": r"[^\s<>()\[\],@]+@[^\s<>()\[\],@]+",
    # A web address, or a mail address as a mailto: link (rms-support-letter has 472): never javascript: or data:.
    "url": r"(?:https?://[^\s<>()\[\]\"'`]+|mailto:[^\s<>()\[\],@?&]+@[^\s<>()\[\],@?&]+)",
    "commit": r"[0-9a-fA-F]{7,40}",
    "slug": r"[a-z0-9]+(?:-[a-z0-9]+)*",
    "id": r"[\w-][\w.-]*",  # letters of any script, digits, _ - and inner dots; checked by app.rules.ids
    "text": r"\S.*?",
    "verified": "",  # the maintainer's marker itself (Template's `marker`), never a signer's free text
}
_FREE = ("name", "affiliation", "text")
VERIFIED_SLOT = "_verified"  # the regex group spanning {verified}'s optional part, filled or empty
MAX_NESTING = 8  # optional parts inside optional parts: deeper is a config error, never a RecursionError
_BULLET = re.compile(r"^\s*(?:(N)\.|([-*]))(?= )")
# A GitHub profile link in a template matches the same profile however it is written: http or https, any case
# of the host, with or without `www.` and a trailing slash. Any other host or path stays refused.
_GITHUB = re.compile(r"https?://(?:www\.)?github\.com/", re.IGNORECASE)
_GITHUB_REGEX = r"(?i:https?://(?:www\.)?github\.com)/"


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
    extra: tuple[tuple[str, str], ...] = ()  # the other fields read (email, url, commit, slug, id, text)
    shape: int = 0  # which shape read the line: 0 the template's own, i its i-th variant

    def value(self, field: str) -> str | None:
        """The value of any field, or None when the line does not have it."""
        if field == "name":
            return self.name or None
        if field == "login":
            return self.login or None
        if field == "affiliation":
            return self.affiliation
        return dict(self.extra).get(field)


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
            if depth >= MAX_NESTING:
                raise TemplateError(f"optional parts '{{? ...}}' nest more than {MAX_NESTING} deep")
            flush()
            inner, pos = _tokenize(text, pos + 2, depth + 1)
            parts.append(("opt", inner))
        elif ch == "{":
            end = text.find("}", pos)
            field = text[pos + 1 : end] if end > 0 else ""
            if field not in FIELDS:
                known = ", ".join(f"{{{f}}}" for f in FIELDS)
                close = difflib.get_close_matches(field, FIELDS, n=1, cutoff=0.6)
                meant = f"did you mean {{{close[0]}}}? " if close else ""
                raise TemplateError(f"unknown field {{{field}}}; {meant}the fields are {known}")
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
    """A compiled line template. `bullet` is True for list lines, False for a file's name or fields.

    A template starting with `|` is a markdown table row: spaces around the pipes are optional and no free
    field spans a pipe. `variants` are other accepted shapes of the same line; `render` uses the first."""

    def __init__(
        self,
        source: str,
        *,
        bullet: bool = True,
        pattern: str | None = None,
        required: tuple[str, ...] = (),
        any_of: tuple[str, ...] | None = None,
        variants: tuple[str, ...] = (),
        marker: str = "✓",
    ) -> None:
        self.source, self.pattern, self.marker = source, pattern, marker
        self.numbered = False
        body = source
        self.bullet = ""
        if bullet:
            m = _BULLET.match(source)
            if m:
                self.numbered = m.group(1) is not None
                self.bullet = "N." if self.numbered else m.group(2)
                body = source[m.end() :]
        self.table = body.lstrip().startswith("|")
        self._dotless = not bullet  # in a file name, a login never takes the dot of an extension
        self.parts, _ = _tokenize(body)
        # GitHub renders a table row without its closing pipe the same (GFM), so that pipe is optional.
        last = self.parts[-1] if self.parts else ("", "")
        self._open_end = self.table and last[0] == "lit" and str(last[1]).endswith("|")
        names = self._fields(self.parts)
        for field in required:
            if field not in names:
                raise TemplateError(f"the template must contain {{{field}}}")
        # A line needs a name or a login, or is a free `- {text}` line bound to its author (app.rules.freetext).
        wanted = ("name", "login", "text") if any_of is None and bullet else (any_of or ())
        if wanted and pattern is None and not names & set(wanted):
            raise TemplateError("the template must contain " + " or ".join(f"{{{f}}}" for f in wanted))
        self.fields = names
        if "verified" in names and not bullet:
            raise TemplateError("{verified} is for a list letter's line only")
        self.slot_text = _verified_slot(self.parts, marker) if "verified" in names else None
        self._counts: dict[str, int] = {}
        regex = self._regex(self.parts)
        lead = (r"(?P<number>\d+)\." if self.numbered else r"[-*]") if self.bullet else ""
        self.regex = re.compile(r"\s*" + lead + regex if self.bullet else regex)
        # The same shape over a whole list at once, one match per line: a line that fits it fills the groups,
        # any other line lands whole in `_other` (its lead is plain spaces only: a stricter read is safe).
        top = {str(v) for k, v in self.parts if k == "field"}
        whole = pattern is None and not variants and bool(top & {"name", "login"})
        self._counts = {}
        one = self._regex(self.parts, backref=True)  # a line whose logins differ is left to the slow path
        body = (r"[ ]*" + lead + one) if self.bullet else one
        self.multiline = re.compile(rf"(?m)^(?:{body})$|^(?P<_other>.*)$") if whole else None
        if pattern is not None:
            try:
                custom = re.compile(pattern)
            except re.error as exc:
                raise TemplateError(f"pattern is not a valid regex: {exc}") from exc
            missing = {"name", "login"} - set(custom.groupindex)
            if missing & set(required) or not {"name", "login"} & set(custom.groupindex):
                raise TemplateError(f"pattern needs the named groups {sorted(missing)}")
            self.regex = custom
            self.fields = {g for g in custom.groupindex if g in FIELDS}
        groups = self.regex.groupindex
        self._has_name, self._has_affiliation = "name" in groups, "affiliation" in groups
        self._has_login, self._numbered_group = "login" in groups, "number" in groups
        self._login_groups = [g for g in groups if g == "login" or g.startswith("login_")]
        self._single_login = self._login_groups == ["login"]
        self._extra = [g for g in groups if g in FIELDS and g not in ("name", "login", "affiliation")]
        self.own_fields = frozenset(self.fields)  # this shape's fields, without its variants'
        self.variants = tuple(Template(v, bullet=bullet, any_of=any_of, marker=marker) for v in variants)
        for other in self.variants:
            self.fields = self.fields | other.fields
        prefixes = {t._login_prefix(t.parts) for t in (self, *self.variants) if "login" in t.fields}
        self.login_prefix = prefixes.pop() if len(prefixes) == 1 and pattern is None else None

    @staticmethod
    def _login_prefix(parts: list[Part]) -> str | None:
        """The literal text just before the first {login} (e.g. "[@"), to find a login fast."""
        for i, (kind, value) in enumerate(parts):
            if kind == "field" and value == "login":
                if i == 0 or parts[i - 1][0] != "lit":
                    return None
                prefix = str(parts[i - 1][1]).rsplit(" ", 1)[-1].rsplit("|", 1)[-1]
                # A GitHub link is matched by meaning (http, host case), so its literal text is no needle.
                return prefix if prefix and not _GITHUB.search(prefix) else None
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

    def _field_regex(self, field: str, after: str | None = None) -> str:
        """What a field matches; `after` is the literal that follows it when more parts follow that literal."""
        if self.table and field in _FREE:
            # A run of spaces is taken whole (atomic), so ` *\|` after it is tried once per run, not per space.
            return r"[^\s|](?:[^ |\n]++|(?> +))*?"
        if field == "verified":
            return re.escape(self.marker)
        if self._dotless and field == "login":
            return r"[^\s\[\]()/,@<>.]+"
        if field in _FREE and after is not None:
            return self._free(after)
        return _FIELD_RE[field]

    def _literal(self, text: str) -> str:
        """The regex of a literal: a run of spaces matches one or more (in a table row, any). Inside the literal
        the run is possessive: the character after it is never a space. A GitHub profile link's start matches
        however the link is spelled (see _GITHUB)."""
        if _GITHUB.search(text):
            return _GITHUB_REGEX.join(self._literal(piece) if piece else "" for piece in _GITHUB.split(text))
        spaces = " *" if self.table else " +"
        chunks = re.split(r" +", text)
        out = [re.escape(chunks[0])]
        out += [(spaces + "+" if chunk else spaces) + re.escape(chunk) for chunk in chunks[1:]]
        return "".join(out)

    def _free(self, after: str) -> str:
        """A free field that never holds the literal after it, so it can end at one place only: linear time.

        With `\\S.*?` two free fields were quadratic and three cubic. Words and runs of spaces are taken whole
        (possessive, atomic); the field ends before the first place where the literal follows."""
        rest = after.lstrip(" ")
        if after.startswith(" "):
            if not rest:
                return r"\S[^ \n]*+"  # only spaces before the next field: the field is one word
            return rf"\S(?:[^ \n]*+(?> +)(?!{self._literal(rest)}))*?[^ \n]*+"
        lit, c = self._literal(after), re.escape(after[0])
        return rf"(?!{lit})\S(?:[^ \n{c}]++|(?!{lit}){c}|(?> +))*?"

    @staticmethod
    def _after(parts: list[Part], i: int) -> str | None:
        """The literal right after parts[i] (or opening the optional part after it) when more parts follow it."""
        if i + 1 >= len(parts):
            return None
        kind, value = parts[i + 1]
        if kind == "lit":
            return str(value) if i + 2 < len(parts) and str(value) else None
        if kind == "opt":
            inner: list[Part] = value  # type: ignore[assignment]
            if len(inner) > 1 and inner[0][0] == "lit" and str(inner[0][1]).strip(" "):
                return str(inner[0][1])
        return None

    def _regex(self, parts: list[Part], *, backref: bool = False) -> str:
        """The regex of these parts; with `backref`, a second {login} must repeat the first exactly."""
        out = []
        for i, (kind, value) in enumerate(parts):
            if kind == "lit" and parts is self.parts and i == len(parts) - 1 and self._open_end:
                out.append(self._literal(str(value)[:-1].rstrip(" ")) + r"(?: *\|)?")
            elif kind == "lit":
                out.append(self._literal(str(value)))  # NBSP and tabs are already plain spaces
            elif kind == "field":
                n = self._counts.get(str(value), 0) + 1
                self._counts[str(value)] = n
                group = str(value) if n == 1 else f"{value}_{n}"
                if backref and value == "login" and n > 1:
                    out.append("(?P=login)")
                else:
                    out.append(f"(?P<{group}>{self._field_regex(str(value), self._after(parts, i))})")
                if value == "login" and i and parts[i - 1][0] == "lit" and _github_end(str(parts[i - 1][1])):
                    out.append("/?")  # https://github.com/ada/ is the same profile
            elif ("field", "verified") in value:  # type: ignore[operator]
                # Always matched, empty when the line has no marker: where the marker goes (Template.slot).
                out.append(f"(?P<{VERIFIED_SLOT}>(?:{self._regex(value, backref=backref)})?)")  # type: ignore[arg-type]
            else:
                out.append(f"(?:{self._regex(value, backref=backref)})?")  # type: ignore[arg-type]
        return "".join(out)

    def parse(self, line: str) -> Parsed | None:
        """Read a normalized line; None when it has none of the template's shapes.

        With variants, the most specific shape that reads the line wins: the one that binds the most fields,
        then the one whose literal text covers most of the line; on a tie, the first (the template's own)."""
        best = self._parse_one(line)
        if not self.variants:
            return best
        rank = _specificity(best, line) if best is not None else None
        for shape, other in enumerate(self.variants, 1):
            got = other._parse_one(line)
            if got is None:
                continue
            mine = _specificity(got, line)
            if rank is None or mine > rank:
                best, rank = dataclasses.replace(got, shape=shape), mine
        return best

    def shape(self, parsed: Parsed) -> Template:
        """The shape (this template or one of its variants) that read `parsed`."""
        return self.variants[parsed.shape - 1] if 0 < parsed.shape <= len(self.variants) else self

    def slot(self, line: str) -> tuple[int, int, str] | None:
        """Where the {verified} marker sits in a normalized line: (start, end) of its optional part as the line
        has it (empty when the line has no marker), and that part written out with the marker. None when the
        line's shape has no {verified} (or the line is not a signature)."""
        parsed = self.parse(line)
        shape = self.shape(parsed) if parsed is not None else None
        if shape is None or shape.slot_text is None or shape.pattern is not None:
            return None
        m = shape.regex.fullmatch(line)
        if m is None:
            return None
        return m.start(VERIFIED_SLOT), m.end(VERIFIED_SLOT), shape.slot_text

    def unreachable(self) -> list[tuple[str, str]]:
        """The variants no line reaches, each with the shape that reads its lines instead (a more specific
        one, or an earlier one as specific). Checked on sample lines: each variant rendered with every field,
        and with its required fields only."""
        out = []
        for shape, other in enumerate(self.variants, 1):
            needed = {str(v) for k, v in other.parts if k == "field"}
            lines = [x for x in (_sample(other, set(FIELDS)), _sample(other, needed)) if x is not None]
            winners = [got for x in lines if (got := self.parse(x)) is not None and got.shape != shape]
            if lines and len(winners) == len(lines):
                out.append((other.source, self.shape(winners[0]).source))
        return out

    def _parse_one(self, line: str) -> Parsed | None:
        m = self.regex.fullmatch(line)
        if m is None:
            return None
        login = m.group("login") if self._has_login else ""
        if self._single_login or not self._login_groups:
            logins: tuple[str, ...] = (login,) if login else ()
        else:
            found = m.group(*self._login_groups)
            logins = found if None not in found else tuple(x for x in found if x)
        extra = tuple((g, m.group(g).strip()) for g in self._extra if m.group(g)) if self._extra else ()
        return Parsed(
            m.group("name").strip() if self._has_name and m.group("name") else "",
            login or "",
            (m.group("affiliation").strip() or None) if self._has_affiliation and m.group("affiliation") else None,
            logins,
            int(m.group("number")) if self._numbered_group and m.group("number") else None,
            extra,
        )

    def render(
        self, name: str, login: str, affiliation: str | None = None, number: int = 1, **extra: str | None
    ) -> str | None:
        """The line with these values, or None when a field the template needs has no value."""
        values = {"name": name, "login": login, "affiliation": affiliation, **extra}
        body = self._render(self.parts, values)
        if body is None:
            return None
        if not self.bullet:
            return body
        return (f"{number}." if self.numbered else self.bullet) + body

    def render_parsed(self, parsed: Parsed, login: str | None = None) -> str | None:
        """What was read, in this template's shape (with another login when given)."""
        return self.shape(parsed).render(
            parsed.name,
            parsed.login if login is None else login,
            parsed.affiliation,
            parsed.number or 1,
            **dict(parsed.extra),
        )

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


def _github_end(literal: str) -> bool:
    """Whether a literal ends with the start of a GitHub profile link (the login comes next)."""
    found = list(_GITHUB.finditer(literal))
    return bool(found) and found[-1].end() == len(literal)


def _verified_slot(parts: list[Part], marker: str) -> str:
    """{verified}'s optional part written out with the marker; a TemplateError unless it is one optional part at
    the top of the template holding only fixed text and {verified} (so the marker is added or removed alone)."""
    found = [value for kind, value in parts if kind == "opt" and ("field", "verified") in value]  # type: ignore[operator]
    slot: list[Part] = found[0] if len(found) == 1 else []  # type: ignore[assignment]
    if not slot or _count(parts, "verified") != 1:
        raise TemplateError("{verified} must appear once, in an optional part of its own, e.g. '{? {verified}}'")
    if any(kind != "lit" and value != "verified" for kind, value in slot) or sum(k == "field" for k, _ in slot) != 1:
        raise TemplateError("the optional part of {verified} may hold only fixed text around it, e.g. '{? {verified}}'")
    if not marker.strip() or marker != marker.strip() or not marker.isprintable():
        raise TemplateError("verified_marker must be a non-empty text without spaces around it")
    return "".join(str(value) if kind == "lit" else marker for kind, value in slot)


def _count(parts: list[Part], field: str) -> int:
    """How many times `field` appears in these parts, optional ones included."""
    total = 0
    for kind, value in parts:
        if kind == "opt":
            total += _count(value, field)  # type: ignore[arg-type]
        elif kind == "field" and value == field:
            total += 1
    return total


def _specificity(parsed: Parsed, line: str) -> tuple[int, int]:
    """How specific the shape that read `line` is: the fields it bound, then its literal characters."""
    values = [parsed.name, parsed.affiliation or "", *(v for _k, v in parsed.extra)]
    bound = sum(1 for v in values if v) + (1 if parsed.login else 0)
    held = sum(len(v) for v in values) + sum(len(x) for x in parsed.logins)
    return bound, len(line) - held


def _sample(tpl: Template, fields: set[str]) -> str | None:
    """`tpl` rendered with sample values for `fields` only."""
    values: dict[str, str | None] = {f: _SAMPLE.get(f, tpl.marker) if f in fields else None for f in FIELDS}
    name, login, affiliation = values.pop("name") or "", values.pop("login") or "", values.pop("affiliation")
    return tpl.render(name, login, affiliation, 1, **values)


# Sample values to render a shape with, to find the variants no line reaches (Template.unreachable).
_SAMPLE = {
    "name": "Ada Lovelace",
    "login": "ada",
    "affiliation": "Analytical Engines",
    "email": "ada@example.org",
    "url": "https://ada.example",
    "commit": "3f9c2b1aa",
    "slug": "ada-lovelace",
    "id": "ada_1",
    "text": "Ada",
}
