"""The config as undersigned uses it: an empty file is an error that says what to add, and `_extends`
pulls defaults from another repository's config (the organisation's `.github` repository), as Probot
apps do (https://github.com/probot/octokit-plugin-config#extends)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from config.loader import ConfigError, ConfigIssue, parse_config, validate
from config.model import CONFIG_PATH, Config

EXTENDS = "_extends"
STARTER = """version: 1
letter:
  file: README.md                 # the file that holds the signature list
  start_after: "Signed,"          # the line just before the list
  line: "- {name} [@{login}](https://github.com/{login})"   # what one signature looks like"""
EMPTY = (
    "the file says nothing yet, so undersigned would read the whole README as signature lines: "
    "add a `letter:` section that says where the list is and what one line looks like, e.g.\n\n" + STARTER
)
_TARGET = re.compile(r"^(?:(?P<owner>[A-Za-z0-9-]+)/)?(?P<repo>[A-Za-z0-9._-]+)(?::(?P<path>[^\s]+))?$")


def extends_target(text: str, repo: str) -> tuple[str, str] | ConfigError | None:
    """(owner/repo, path) that `_extends` names, None without one. `.github` alone means the owner's
    `.github` repository; `other` a repository of the same owner; `owner/repo:path` a file elsewhere."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None  # parse_config reports it
    if not isinstance(data, dict) or EXTENDS not in data:
        return None
    value = data[EXTENDS]
    found = _TARGET.match(value.strip()) if isinstance(value, str) else None
    if found is None:
        message = "must name a repository, like `.github` (your organisation's) or `owner/repo:path/to/file.yml`"
        return ConfigError((ConfigIssue(EXTENDS, message, _line_of(text, EXTENDS)),))
    owner = found["owner"] or repo.split("/")[0]
    return f"{owner}/{found['repo']}", found["path"] or CONFIG_PATH


def resolve(text: str, base: str | None = None, path: str = CONFIG_PATH, base_name: str = "") -> Config | ConfigError:
    """Parse the repo's config. With `_extends`, `base` is the text of the file it names (None when that
    file is missing), and the repo's own keys win over it, section by section."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return parse_config(text, path)
    if not isinstance(data, dict) or EXTENDS not in data:
        return _empty(path) if _says_nothing(data) else parse_config(text, path)
    own = {k: v for k, v in data.items() if k != EXTENDS}
    if base is None:
        message = (
            f"names {base_name or 'a file'}, which has no config undersigned can read (is the App installed there?)"
        )
        return ConfigError((ConfigIssue(EXTENDS, message, _line_of(text, EXTENDS)),), path)
    try:
        inherited = yaml.safe_load(base)
    except yaml.YAMLError as exc:
        message = f"names {base_name}, which is not valid YAML ({getattr(exc, 'problem', None) or exc})"
        return ConfigError((ConfigIssue(EXTENDS, message, _line_of(text, EXTENDS)),), path)
    if inherited is not None and not isinstance(inherited, dict):
        message = f"names {base_name}, which is not a mapping of keys to values"
        return ConfigError((ConfigIssue(EXTENDS, message, _line_of(text, EXTENDS)),), path)
    merged = merge({k: v for k, v in (inherited or {}).items() if k != EXTENDS}, own)
    if _says_nothing(merged):
        return _empty(path)
    result = validate(merged, root, path)
    return _hidden(result, own, text, base_name) if isinstance(result, ConfigError) else result


def _hidden(error: ConfigError, own: dict[str, Any], text: str, base_name: str) -> ConfigError:
    """Issues in keys this file sets are its own; the others come from the file it extends, which the check
    run must not repeat (its key names and values may be private): one issue names that file instead."""
    mine = tuple(i for i in error.issues if _sets(own, i.key))
    if len(mine) == len(error.issues):
        return error
    message = (
        f"names {base_name}, whose settings do not make a valid config with this file's: check that file "
        "(undersigned does not repeat what it says here)"
    )
    return ConfigError((*mine, ConfigIssue(EXTENDS, message, _line_of(text, EXTENDS))), error.path)


def _sets(own: Any, key: str) -> bool:
    """Whether this file itself sets the dotted `key`."""
    node = own
    for part in key.split(".") if key else [""]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


def merge(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """`own` over `base`: sections merge key by key; any other value (a list too) replaces the base's."""
    out = dict(base)
    for key, value in own.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _says_nothing(data: Any) -> bool:
    return data is None or (isinstance(data, dict) and not (set(data) - {"version"}))


def _empty(path: str) -> ConfigError:
    return ConfigError((ConfigIssue("", EMPTY, 1),), path)


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(f"{key}:"):
            return number
    return None


__all__ = ["EXTENDS", "STARTER", "Config", "extends_target", "merge", "resolve"]
