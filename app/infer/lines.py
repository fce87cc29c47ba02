"""One signature line's shape as a template: `- Ada Lovelace, @ada (MIT)` is `- {name}, @{login} ({affiliation})`.

Each line is read once, left to right, with regexes that never backtrack over more than a bounded run: linear in
the line. Lines longer than MAX_LINE are not read at all (they are reported as unread)."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LINE = 1000  # the rules' default `max_line_length`: a longer line is refused anyway
MAX_CELLS = 12  # a table row with more cells is not a signature
MAX_NAME = 100  # the rules' default `max_name_length`
_NOT_IN_NAMES = "[]()<>{}@|`*_#:"  # markup, a link, a sentence's colon: a line of text, not a name alone

# Placeholders inside a shape, settled for the whole list once every line is read (see settle()).
SCHEME, SLASH, GAP = "\x00S", "\x00/", "\x00_"
_L = r"[^\s\[\]()/,@<>]{1,39}"  # a login as the rules' template captures it (validated by the rules later)
_ANCHORS = (
    (
        re.compile(rf"\[@({_L})\]\((https?)://github\.com/({_L})(/?)\)"),
        f"[@{{login}}]({SCHEME}://github.com/{{login}}{SLASH})",
    ),
    (
        re.compile(rf"\[({_L})\]\((https?)://github\.com/({_L})(/?)\)"),
        f"[{{login}}]({SCHEME}://github.com/{{login}}{SLASH})",
    ),
    (re.compile(rf"(?<![\w@/.\[])@({_L})(?![^\s\[\]()/,@<>])"), "@{login}"),
    (
        re.compile(rf"(?<![\w/(\[])(https?)://github\.com/({_L})(/?)(?=$|[\s),])"),
        f"{SCHEME}://github.com/{{login}}{SLASH}",
    ),
)
_BULLET = re.compile(r"^ *(?:(\d{1,6})\.|([-*]))( +)(?=\S)")
_COMMIT = re.compile(r"[0-9a-fA-F]{7,40}")
_EMAIL = re.compile(r"<([^<>\s@]{1,200}@[^<>\s@]{1,200})>")
_TABLE_RULE = re.compile(r"^ *\|[ :|-]*-[ :|-]*\| *$")
_LEADS = " ,;:-"


@dataclass(frozen=True)
class Shape:
    """One line's shape: its bullet, the spaces after it, the template's parts, and how its link was spelt."""

    bullet: str  # "-", "*", "N." or "" (a table row, a `login commit` line)
    spaces: int  # after the bullet
    parts: tuple[str, ...]  # template fragments; each after the first may be left out (an optional part)
    scheme: str = ""  # "http" or "https" when the line has a github.com link
    slash: bool = False  # the link ends in "/"
    gap: bool = True  # a space between the name and the handle

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return self.bullet, self.parts


def is_table_rule(line: str) -> bool:
    """A markdown table's separator row (`|---|:--|`)."""
    return _TABLE_RULE.match(line) is not None


def shape_of(line: str) -> Shape | None:
    """The shape of a normalized line, or None when it does not look like a signature at all."""
    if not line.strip() or len(line) > MAX_LINE:
        return None
    if line.lstrip().startswith("|"):
        return None if is_table_rule(line) else _table(line)
    m = _BULLET.match(line)
    bullet, spaces, body = "", 0, line.strip()
    if m is not None:
        bullet, spaces, body = ("N." if m.group(1) else m.group(2)), len(m.group(3)), line[m.end() :]
    for regex, tpl in _ANCHORS:
        found = regex.search(body)
        if found is not None:
            return _around(bullet, spaces, body, found, tpl)
    if bullet == "":
        words = body.split(" ")
        if len(words) == 2 and _COMMIT.fullmatch(words[1]) and re.fullmatch(_L, words[0]):
            return Shape("", 0, ("{login} {commit}",))
        return None  # a plain line of text, not a list item
    name, rest = body, ""
    cut = body.rfind(" (")
    if cut > 0 and body.endswith(")"):
        name, rest = body[:cut], body[cut:]
    if not name.strip() or len(name) > MAX_NAME or any(c in name for c in _NOT_IN_NAMES):
        return None  # a bullet point of the letter's text, or junk: not a name
    parts = ("{name}",) + ((" ({affiliation})",) if rest else ())
    return Shape(bullet, spaces, parts)


def _around(bullet: str, spaces: int, body: str, found: re.Match[str], tpl: str) -> Shape:
    """A line with a handle: the name before it, the separator, the handle, then what follows."""
    prefix, rest = body[: found.start()], body[found.end() :]
    trimmed = prefix.rstrip()
    core = trimmed[-1] if trimmed and trimmed[-1] in ",(:" else ""
    name = trimmed[: len(trimmed) - len(core)].rstrip()
    sep = prefix[len(name) :]
    gap = True
    if name and core in ("", "("):
        gap = sep[:1] == " "
        sep = GAP + core  # a space before the handle, or none: settled for the list
    elif name:
        sep = core + (" " if prefix.endswith(" ") else "")
    closers = min(core.count("("), len(rest) - len(rest.lstrip(")")))
    head = sep + tpl + ")" * closers
    rest = rest[closers:]
    groups = found.groups()
    scheme = next((g for g in groups if g in ("http", "https")), "")
    slash = bool(scheme) and groups[-1] == "/"
    parts = (("{name}",) if name else ()) + (head,) + _tail(rest)
    return Shape(bullet, spaces, parts, scheme, slash, gap)


def _tail(rest: str) -> tuple[str, ...]:
    """What follows the handle: an affiliation in parentheses or after a comma, an e-mail, a commit."""
    if not rest.strip():
        return ()
    stripped = rest.lstrip(_LEADS)
    lead = rest[: len(rest) - len(stripped)]
    lead = re.sub(r" +", " ", lead)
    if _EMAIL.fullmatch(stripped):
        return (lead + "<{email}>",)
    if _COMMIT.fullmatch(stripped) and lead == " ":
        return (" {commit}",)
    if stripped.startswith("(") and stripped.endswith(")") and len(stripped) > 2:
        return (lead + "({affiliation})",)
    return (lead + "{affiliation}",)


def _table(line: str) -> Shape | None:
    """A table row: the handle's cell as its link, the first other cell the name, the next the affiliation."""
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) > MAX_CELLS:
        return None
    out: list[str] = []
    free = iter(("{name}", "{affiliation}", "{text}"))
    scheme, slash = "", False
    for cell in cells:
        for regex, tpl in _ANCHORS:
            found = regex.fullmatch(cell)
            if found is not None:
                groups = found.groups()
                scheme = next((g for g in groups if g in ("http", "https")), "")
                slash = bool(scheme) and groups[-1] == "/"
                out.append(tpl)
                break
        else:
            if not cell:
                return None
            out.append(next(free, "{text}"))
    if "{name}" not in out and "{login}" not in "".join(out):
        return None
    return Shape("", 0, ("| " + " | ".join(out) + " |",), scheme, slash)


def settle(part: str, shapes: list[Shape], least: int) -> str:
    """A part with its placeholders spelt as the list spells them: one way when (nearly) all lines agree,
    an optional part (`http{?s}`, `{?/}`, `{? }`) when at least `least` lines spell it the other way."""

    def choice(yes: int, no: int, on: str, off: str, both: str) -> str:
        if yes and no and min(yes, no) >= least:
            return both
        return on if yes >= no else off

    https = sum(1 for s in shapes if s.scheme == "https")
    http = sum(1 for s in shapes if s.scheme == "http")
    slash = sum(1 for s in shapes if s.scheme and s.slash)
    bare = sum(1 for s in shapes if s.scheme and not s.slash)
    gaps = sum(1 for s in shapes if s.gap)
    out = part.replace(SCHEME, choice(https, http, "https", "http", "http{?s}"))
    out = out.replace(SLASH, choice(slash, bare, "/", "", "{?/}"))
    return out.replace(GAP, choice(gaps, len(shapes) - gaps, " ", "", "{? }"))
