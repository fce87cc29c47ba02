"""A letter's signature list: find the list section of a file and read its lines as signatures."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache

import yaml

from app.rules.text import clean_name, normalize_line
from app.template import Parsed, Template
from config.model import LetterConfig


@dataclass(frozen=True)
class Section:
    """A file split into three runs of lines: before the list, the list, after it (all verbatim)."""

    path: str
    head: tuple[str, ...]
    lines: tuple[str, ...]
    tail: tuple[str, ...]
    found: bool = True  # False when the start marker is missing

    def lineno(self, index: int) -> int:
        """1-based line number in the file of lines[index]."""
        return len(self.head) + index + 1

    def text_with(self, lines: list[str] | tuple[str, ...]) -> str:
        """The file with its list replaced by `lines`."""
        return "\n".join((*self.head, *lines, *self.tail))


_SPACE = "[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]*"


@lru_cache(maxsize=64)
def _marker_re(marker: str) -> re.Pattern[str]:
    # A marker line matches with any surrounding blanks and a CR, as normalize_line would read it.
    return re.compile(f"^{_SPACE}{re.escape(marker.strip())}{_SPACE}\r?$", re.MULTILINE)


@dataclass(frozen=True)
class Bounds:
    """Where the list is, in 0-based file lines: [first, end); end is None when it runs to EOF."""

    first: int
    end: int | None
    end_offset: int  # character offset where the list ends (the end marker line, or len(text))

    def holds(self, index: int) -> bool:
        return self.first <= index and (self.end is None or index < self.end)

    @property
    def last(self) -> int:
        """The last line index the list may hold (unbounded when it runs to EOF)."""
        return self.end - 1 if self.end is not None else sys.maxsize


def list_bounds(text: str, cfg: LetterConfig) -> Bounds | None:
    """The list's lines in a file, found by searching (not splitting) the text. None: no start marker."""
    first, pos = 0, 0
    if cfg.start_after is not None:
        m = _marker_re(cfg.start_after).search(text)
        if m is None:
            return None
        pos = m.end()
        first = text.count("\n", 0, pos) + 1
    if cfg.end_before is not None:
        m = _marker_re(cfg.end_before).search(text, pos + 1 if cfg.start_after is not None else 0)
        if m is not None:
            return Bounds(first, text.count("\n", 0, m.start()), m.start())
    return Bounds(first, None, len(text))


def split_section(path: str, text: str, cfg: LetterConfig) -> Section:
    """Split a single-file letter around its list; joining the three parts gives the text back."""
    bounds = list_bounds(text, cfg)
    raw = text.split("\n")
    if bounds is None:
        return Section(path, tuple(raw), (), (), False)
    start = min(bounds.first, len(raw))
    # The empty string after a final newline belongs to the tail, so appending keeps it last.
    end = len(raw) - 1 if raw[-1] == "" and len(raw) > start else len(raw)
    if bounds.end is not None:
        end = bounds.end
    return Section(path, tuple(raw[:start]), tuple(raw[start:end]), tuple(raw[end:]), True)


@dataclass(frozen=True)
class Signature:
    """One person's signature, wherever it sits (a list line or a file of its own)."""

    name: str
    login: str
    affiliation: str | None
    path: str
    line: int  # 1-based line in `path` (1 for a file-per-signer letter)
    text: str  # the normalized line, or the file's content

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"name": self.name, "login": self.login}
        if self.affiliation:
            out["affiliation"] = self.affiliation
        out.update(path=self.path, line=self.line)
        return out


def line_template(cfg: LetterConfig) -> Template:
    return _line_template(cfg.line, cfg.pattern)


@lru_cache(maxsize=64)
def _line_template(line: str, pattern: str | None) -> Template:
    return Template(line, pattern=pattern)


def file_templates(cfg: LetterConfig) -> tuple[Template, dict[str, Template], Template | None]:
    return _file_templates(cfg.filename, tuple((cfg.fields or {}).items()), cfg.content)


@lru_cache(maxsize=64)
def _file_templates(
    filename: str, fields: tuple[tuple[str, str], ...], content: str | None
) -> tuple[Template, dict[str, Template], Template | None]:
    name_tpl = Template(filename, bullet=False, required=("login",))
    templates = {k: Template(v, bullet=False, required=()) for k, v in fields}
    return name_tpl, templates, Template(content, bullet=False, required=()) if content else None


def parse_signature_file(path: str, text: str, cfg: LetterConfig) -> Parsed | str:
    """Read one signer's file. Returns the fields, or a plain-words reason it cannot be read."""
    name_tpl, fields, content = file_templates(cfg)
    base = path.rsplit("/", 1)[-1]
    by_name = name_tpl.parse(base)
    if by_name is None:
        return f"the file name `{base}` should be `{cfg.filename}`"
    login = by_name.login
    if content is not None:
        body = "\n".join(normalize_line(x) for x in text.strip("\n").split("\n"))
        parsed = content.parse(body)
        if parsed is None:
            return "the file does not have the expected content"
        return Parsed(clean_name(parsed.name), login, parsed.affiliation, (login, *parsed.logins))
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return "the file is not valid YAML"
    if not isinstance(data, dict):
        return f"the file should be YAML with the keys {', '.join(fields)}"
    extra = sorted(str(k) for k in data if k not in fields)
    missing = [k for k in fields if k not in data]
    if extra or missing:
        bits = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unexpected {', '.join(extra)}"] if extra else []
        )
        return f"the file should have exactly the keys {', '.join(fields)} ({'; '.join(bits)})"
    name, affiliation, logins = "", None, [login]
    for key, tpl in fields.items():
        value = normalize_line("" if data[key] is None else str(data[key]))
        if not value.strip() and tpl.fields == {"name"}:
            continue  # an empty name reads as name-missing, with its own message
        got = tpl.parse(value)
        if got is None:
            return f"`{key}` should look like `{tpl.source}`"
        name = name or got.name
        affiliation = affiliation or got.affiliation
        logins.extend(got.logins)
    return Parsed(clean_name(name), login, affiliation, tuple(logins))


def render_signature_file(cfg: LetterConfig, name: str, login: str, affiliation: str | None) -> str:
    _, fields, content = file_templates(cfg)
    if content is not None:
        return content.render(name, login, affiliation) + "\n"
    data = {k: tpl.render(name, login, affiliation) for k, tpl in fields.items()}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def signature_path(cfg: LetterConfig, login: str) -> str:
    name_tpl = file_templates(cfg)[0]
    return f"{(cfg.directory or '').rstrip('/')}/{name_tpl.render('', login)}"
