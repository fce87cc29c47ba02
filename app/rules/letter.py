"""A letter's signature list: find the list section of a file and read its lines as signatures."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache

import yaml
from slugify import slugify as _slugify

from app.rules.ids import id_problem
from app.rules.signature_yaml import control_problem, value_problem, yaml_of
from app.rules.text import clean_name, normalize_line
from app.template import Parsed, Template
from config.model import FILE_NAME_FIELDS, LetterConfig


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
    return _line_template(cfg.line, cfg.pattern, tuple(cfg.line_variants), cfg.verified_marker)


@lru_cache(maxsize=64)
def _line_template(line: str, pattern: str | None, variants: tuple[str, ...] = (), marker: str = "✓") -> Template:
    return Template(line, pattern=pattern, variants=variants, marker=marker)


@dataclass(frozen=True)
class FileTemplates:
    """A signer's file: its name, its required and optional YAML keys (or its text template)."""

    name: Template
    fields: dict[str, Template]
    content: Template | None
    optional: dict[str, Template]


def file_templates(cfg: LetterConfig) -> FileTemplates:
    return _file_templates(
        cfg.filename, tuple((cfg.fields or {}).items()), cfg.content, tuple(cfg.optional_fields.items())
    )


@lru_cache(maxsize=64)
def _file_templates(
    filename: str,
    fields: tuple[tuple[str, str], ...],
    content: str | None,
    optional: tuple[tuple[str, str], ...] = (),
) -> FileTemplates:
    name_tpl = Template(filename, bullet=False, any_of=FILE_NAME_FIELDS)
    templates = {k: Template(v, bullet=False) for k, v in fields}
    text = Template(content, bullet=False) if content else None
    return FileTemplates(name_tpl, templates, text, {k: Template(v, bullet=False) for k, v in optional})


def needs_name(cfg: LetterConfig) -> bool:
    """Whether a signer's file must hold a name (a required key or the text template has {name})."""
    tpls = file_templates(cfg)
    return any("name" in t.fields for t in (*tpls.fields.values(), *([tpls.content] if tpls.content else [])))


# What people type for an apostrophe: ASCII, the typographic ones, the modifier letters, a backtick, an acute.
_APOSTROPHES = re.compile("['\u2018\u2019\u02bc\u02bb`\u00b4\u2032]")


def slugify(name: str) -> str:
    """The name as a file-name slug (README, "Gallery"): transliterated to ASCII by python-slugify (text-unidecode:
    `Işık` -> `isik`, `Łucja` -> `lucja`, `Ада` -> `ada`), lower case, every other run of characters one
    hyphen; an apostrophe of any kind separates words (`O'Neil` -> `o-neil`). HTML entities are not decoded."""
    return _slugify(_APOSTROPHES.sub("'", name), entities=False, decimal=False, hexadecimal=False)


def slugs(name: str) -> tuple[str, ...]:
    """Every slug accepted for a name: the slug, and the slug with the apostrophes dropped (`ana-oneil`)."""
    first, second = slugify(name), slugify(_APOSTROPHES.sub("", name))
    return (first,) if second == first else (first, second)


def parse_signature_file(path: str, text: str, cfg: LetterConfig) -> Parsed | str:
    """Read one signer's file. Returns the fields, or a plain-words reason it cannot be read."""
    tpls = file_templates(cfg)
    base = path.rsplit("/", 1)[-1]
    by_name = tpls.name.parse(base)
    if by_name is None:
        return f"the file name `{base}` should be `{cfg.filename}`"
    if (why := id_problem(by_name.value("id"))) is not None:
        return why
    login = by_name.login
    logins = [login] if login else []
    if (why := control_problem(text)) is not None:
        return why
    if tpls.content is not None:
        body = "\n".join(normalize_line(x) for x in text.strip("\n").split("\n"))
        parsed = tpls.content.parse(body)
        if parsed is None:
            return "the file does not have the expected content"
        return _checked(clean_name(parsed.name), parsed.affiliation, [*logins, *parsed.logins], list(parsed.extra))
    data = yaml_of(text, cfg)
    if isinstance(data, str):
        return data
    if not isinstance(data, dict):
        return f"the file should be YAML with the keys {', '.join(tpls.fields)}"
    known = {**tpls.fields, **tpls.optional}
    if bad := next((why for k, v in data.items() if (why := value_problem(k, v, k in known))), None):
        return bad
    forbidden = sorted(str(k) for k in data if k in cfg.forbidden_keys)
    extra = [] if cfg.unknown_keys == "allow" else sorted(str(k) for k in data if k not in known)
    extra = [k for k in extra if k not in forbidden]
    missing = [k for k in tpls.fields if k not in data]
    if extra or missing or forbidden:
        bits = [f"{what} {', '.join(keys)}" for what, keys in (("missing", missing), ("unexpected", extra)) if keys]
        bits += [f"{', '.join(forbidden)} may not be there"] if forbidden else []
        keys = ", ".join(tpls.fields) or "no required key"
        more = f" (and may have {', '.join(tpls.optional)})" if tpls.optional else ""
        return f"the file should have the keys {keys}{more}: {'; '.join(bits)}"
    name, affiliation = "", None
    fields: list[tuple[str, str]] = []
    for key, tpl in known.items():
        if key not in data:
            continue
        value = normalize_line("" if data[key] is None else str(data[key]))
        if not value.strip() and (tpl.fields == {"name"} or key in tpls.optional):
            continue  # an empty name reads as name-missing, with its own message; an empty optional key is absent
        got = tpl.parse(value)
        if got is None:
            return f"`{key}` should look like `{tpl.source}`"
        name = name or got.name
        affiliation = affiliation or got.affiliation
        logins.extend(got.logins)
        fields += got.extra
    return _checked(clean_name(name), affiliation, logins, fields)


def _checked(name: str, affiliation: str | None, logins: list[str], extra: list[tuple[str, str]]) -> Parsed:
    # The other fields ride along so that the field checks (app.rules.checks) see every value the file holds.
    return Parsed(name, logins[0] if logins else "", affiliation, tuple(logins), None, tuple(extra))


def slug_problem(path: str, name: str, cfg: LetterConfig) -> str | None:
    """Why a new file's {slug} name does not come from its name (ada-lovelace, or ada-lovelace-2), if it does not."""
    base = path.rsplit("/", 1)[-1]
    by_name = file_templates(cfg).name.parse(base)
    slug = by_name.value("slug") if by_name is not None else None
    wants = [x for x in slugs(name) if x]
    if slug is None or not wants or any(slug == w or re.fullmatch(re.escape(w) + r"-\d+", slug) for w in wants):
        return None
    want = wants[0]
    return f"the file name should be made from the name: `{base.replace(slug, want, 1)}`"


def render_signature_file(cfg: LetterConfig, name: str, login: str, affiliation: str | None) -> str | None:
    """A signer's file with these values, or None when the values do not fill it."""
    tpls = file_templates(cfg)
    if tpls.content is not None:
        body = tpls.content.render(name, login, affiliation)
        return None if body is None else body + "\n"
    data = {k: tpl.render(name, login, affiliation) for k, tpl in tpls.fields.items()}
    if any(v is None for v in data.values()):
        return None
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return f"---\n{text}---\n" if cfg.front_matter else text


def signature_path(cfg: LetterConfig, login: str, name: str = "") -> str | None:
    """Where a signer's file goes, or None when its name cannot be derived (an {id} file name, say)."""
    base = file_templates(cfg).name.render(name, login, slug=slugify(name) or None)
    return None if base is None else f"{(cfg.directory or '').rstrip('/')}/{base}"
