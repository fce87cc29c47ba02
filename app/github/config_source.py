"""Read a repo's config from GitHub: the file on the default branch and, with `_extends`, the file it names."""

from __future__ import annotations

from github import GithubException

from app.github.api import Api
from config import CONFIG_PATH, Config, ConfigError
from config.resolve import extends_target, resolve

Parsed = dict[str, Config | ConfigError]


def load_config(api: Api, repo: str, ref: str, parsed: Parsed | None = None) -> Config | ConfigError | None:
    """The config at `ref` (None: no file, not a letter). `parsed` caches results by the blob shas read."""
    found = api.file(repo, CONFIG_PATH, ref)  # always the default branch (or a commit on it), never a PR
    if found is None:
        return None
    text, sha = found
    target = extends_target(text, repo)
    if isinstance(target, ConfigError):
        return target
    base: tuple[str, str] | None = None
    if target is not None:
        base = _file_on_default_branch(api, *target)
    key = f"{sha}:{base[1] if base else ''}"
    if parsed is not None and key in parsed:
        return parsed[key]
    name = f"`{target[0]}:{target[1]}`" if target else ""
    result = resolve(text, base[0] if base else None, base_name=name)
    if parsed is not None:
        parsed[key] = result
    return result


def _file_on_default_branch(api: Api, repo: str, path: str) -> tuple[str, str] | None:
    """A file of another repo (the organisation's `.github`), or None when it is missing or not ours to
    read: the App must be installed on that repository too, as for any Probot app."""
    try:
        branch = api.repository(repo).default_branch
        return api.file(repo, path, branch)
    except GithubException as exc:
        if exc.status in (403, 404):
            return None
        raise
