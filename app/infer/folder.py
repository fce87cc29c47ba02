"""A one-file-per-signer letter: the folder, the file name's template, and the keys (or text) of a file."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml

from app.rules.letter import slugify
from app.rules.text import is_valid_login

MIN_FILES = 3  # fewer files in a folder is not a list of signers
SAMPLE = 400  # files read to infer the keys: enough to see every key a few times, bounded whatever the folder holds
MAX_FILE = 8192  # the rules' default `max_file_bytes`: a larger file is not read
MAX_KEYS = 12
_SKIP = (".github", ".git", "node_modules", "vendor")
_KEY = re.compile(r"[A-Za-z_][\w-]{0,40}")
_GITHUB = re.compile(r"https?://github\.com/([^\s/?#]{1,39})/?", re.IGNORECASE)
_HEXISH = re.compile(r"(?=[0-9a-f]*\d)[0-9a-f]{4,}")


@dataclass
class Folder:
    """What a signers' folder holds, as a config's `letter` keys."""

    directory: str
    files: int
    filename: str
    fields: dict[str, str] = field(default_factory=dict)
    optional_fields: dict[str, str] = field(default_factory=dict)
    content: str | None = None
    front_matter: bool = False
    body: str = "none"


def candidate(paths: list[str]) -> tuple[str, list[str]] | None:
    """The folder holding the most files of one kind (at least MIN_FILES), with those files."""
    by_folder: dict[str, list[str]] = {}
    for path in paths:
        folder, sep, _ = path.rpartition("/")
        if not sep or any(part in _SKIP for part in folder.split("/")):
            continue
        by_folder.setdefault(folder, []).append(path)
    best: tuple[str, list[str]] | None = None
    for folder, found in sorted(by_folder.items()):
        exts = Counter(extension(p) for p in found)
        kind, _ = exts.most_common(1)[0]
        same = [p for p in found if extension(p) in _family(kind, exts)]
        if len(same) >= MIN_FILES and (best is None or len(same) > len(best[1])):
            best = (folder, sorted(same))
    return best


def extension(path: str) -> str:
    """A file name's extension, lower case with its dot ("" for none, or a dot file)."""
    base = path.rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    return "." + ext.lower() if dot and stem else ""


def _family(kind: str, exts: Counter[str]) -> set[str]:
    """Extensions read as one: .yaml with .yml, a name with or without .txt."""
    if kind in (".yaml", ".yml"):
        return {".yaml", ".yml"}
    if kind in ("", ".txt"):
        return {"", ".txt"}
    return {kind}


def infer_folder(directory: str, files: Mapping[str, str]) -> Folder:
    """The config keys of a signers' folder from its files (`files`: path -> text, that folder's only)."""
    paths = sorted(files)
    exts = Counter(extension(p) for p in paths)
    stems = [p.rsplit("/", 1)[-1][: len(p.rsplit("/", 1)[-1]) - len(extension(p))] for p in paths]
    sample = [
        (stem, files[p]) for stem, p in list(zip(stems, paths, strict=True))[:SAMPLE] if len(files[p]) <= MAX_FILE
    ]
    docs = [(stem, *_split(text)) for stem, text in sample]
    front = sum(1 for _, _, _, fm in docs if fm) * 2 > len(docs)
    maps: list[tuple[str, object, str]] = [
        (stem, data, body) for stem, data, body, fm in docs if isinstance(data, dict) and fm == front
    ]
    stem_field = _stem_field(stems, [(stem, data) for stem, data, _ in maps])
    out = Folder(directory, len(paths), _filename(stem_field, exts))
    if maps and len(maps) * 2 > len(docs):
        out.front_matter = front
        out.body = "text" if front and any(body.strip() for _, _, body in maps) else "none"
        _keys(out, maps, stem_field)
    else:
        out.content = "{name}"
    return out


def _split(text: str) -> tuple[object, str, bool]:
    """The YAML of a file (its front matter when it has one), the text after it, and whether it had front matter."""
    body, front = "", False
    if text.startswith("---\n") or text.startswith("---\r\n"):
        end = re.search(r"^---\s*$", text[4:], re.MULTILINE)
        if end is not None:
            text, body, front = text[4 : 4 + end.start()], text[4 + end.end() :], True
    try:
        return yaml.safe_load(text), body, front
    except yaml.YAMLError:
        return None, body, front


def _stem_field(stems: list[str], maps: list[tuple[str, object]]) -> str:
    """What a file's name holds: the signer's login, a slug of their name, or any id."""
    if maps:
        slugs = sum(1 for stem, data in maps if isinstance(data, dict) and stem in _slugs(data))
        if slugs * 10 >= len(maps) * 9:
            return "slug"
    odd = sum(1 for s in stems if not is_valid_login(s) or _HEXISH.fullmatch(s))
    return "id" if odd * 2 >= len(stems) else "login"


def _slugs(data: dict[object, object]) -> set[str]:
    return {slugify(str(v)) for v in data.values() if isinstance(v, str)}


def _filename(stem_field: str, exts: Counter[str]) -> str:
    kind = exts.most_common(1)[0][0]
    if {".yaml", ".yml"} <= set(exts):
        ext = ".y{?a}ml"
    elif {"", ".txt"} <= set(exts):
        ext = "{?.txt}"
    else:
        ext = kind
    return "{" + stem_field + "}" + ext


def _keys(out: Folder, maps: list[tuple[str, object, str]], stem_field: str) -> None:
    """Keys every file has are required; keys some files have are optional. Each value gets a template."""
    count: Counter[str] = Counter()
    values: dict[str, list[tuple[str, str]]] = {}
    for stem, data, _ in maps:
        assert isinstance(data, dict)
        for key, value in data.items():
            if isinstance(key, str) and _KEY.fullmatch(key) and isinstance(value, str | int | float):
                count[key] += 1
                values.setdefault(key, []).append((stem, str(value)))
    keys = [k for k, _ in count.most_common(MAX_KEYS)]
    name_key = _name_key(keys, values, stem_field)
    for key in sorted(keys, key=lambda k: (k != name_key, list(count).index(k))):
        tpl = "{name}" if key == name_key else _value_template(key, values[key], stem_field)
        target = out.fields if count[key] * 20 >= len(maps) * 19 else out.optional_fields
        target[key] = tpl


def _name_key(keys: list[str], values: dict[str, list[tuple[str, str]]], stem_field: str) -> str | None:
    if stem_field == "slug":
        for key in keys:
            if sum(1 for stem, v in values[key] if slugify(v) == stem) * 10 >= len(values[key]) * 9:
                return key
    named = [k for k in keys if "name" in k.lower() and "sort" not in k.lower()]
    return next(iter(sorted(named, key=lambda k: k.lower() != "name")), keys[0] if keys else None)


def _value_template(key: str, found: list[tuple[str, str]], stem_field: str) -> str:
    """A value's template: a GitHub profile link, a login, any web address, or free text."""
    n = len(found)
    profiles = [(stem, m.group(1)) for stem, v in found if (m := _GITHUB.fullmatch(v.strip()))]
    if len(profiles) == n and stem_field == "login" and all(s.lower() == g.lower() for s, g in profiles):
        slashes = sum(1 for _, v in found if v.strip().endswith("/"))
        tail = "" if slashes == 0 else "/" if slashes == n else "{?/}"
        return "https://github.com/{login}" + tail
    # 90%: a letter whose links are mostly web addresses gets `{url}`, which admits http(s) only; never `{text}`,
    # which would let a `javascript:` link through to the letter's site (the rest are reported as unread).
    if sum(1 for _, v in found if v.strip().startswith(("http://", "https://"))) * 10 >= n * 9:
        return "{url}"
    if all(is_valid_login(v.strip()) for _, v in found) and any(k in key.lower() for k in ("github", "login", "user")):
        return "{login}"
    lowered = key.lower()
    if any(k in lowered for k in ("affil", "org", "company", "employer", "institution")):
        return "{affiliation}"
    return "{text}"
