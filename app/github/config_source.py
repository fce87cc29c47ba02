"""Read a repo's config from GitHub: the file on the default branch and, with `_extends`, the file it names."""

from __future__ import annotations

from github import GithubException

from app.github.api import Api, NotUtf8Error
from config import CONFIG_PATH, Config, ConfigError
from config.loader import ConfigIssue
from config.resolve import EXTENDS, extends_target, resolve

Parsed = dict[str, Config | ConfigError]


def load_config(api: Api, repo: str, ref: str, parsed: Parsed | None = None) -> Config | ConfigError | None:
    """The config at `ref` (None: no file, not a letter). `parsed` caches results by the blob shas read."""
    try:
        found = api.file(repo, CONFIG_PATH, ref)  # always the default branch (or a commit on it), never a PR
    except NotUtf8Error:
        return ConfigError((ConfigIssue("", "is not UTF-8 text", None),), CONFIG_PATH)
    if found is None:
        return None
    text, sha = found
    target = extends_target(text, repo)
    if isinstance(target, ConfigError):
        return target
    base: tuple[str, str] | None = None
    if target is not None:
        refused = _not_readable(api, repo, target[0])
        if refused is not None:
            return ConfigError((ConfigIssue(EXTENDS, refused, None),))
        try:
            base = _file_on_default_branch(api, *target)
        except NotUtf8Error:
            issue = ConfigIssue(EXTENDS, f"names `{target[0]}:{target[1]}`, which is not UTF-8 text", None)
            return ConfigError((issue,))
    key = f"{sha}:{base[1] if base else ''}"
    if parsed is not None and key in parsed:
        return parsed[key]
    name = f"`{target[0]}:{target[1]}`" if target else ""
    result = resolve(text, base[0] if base else None, base_name=name)
    if parsed is not None:
        parsed[key] = result
    return result


def extends_another(api: Api, repo: str, ref: str) -> bool:
    """Whether the config at `ref` takes values from another file (whose values must then not be shown)."""
    try:
        found = api.file(repo, CONFIG_PATH, ref)
    except NotUtf8Error:
        return False
    return found is not None and isinstance(extends_target(found[0], repo), tuple)


def _not_readable(api: Api, repo: str, target: str) -> str | None:
    """Why `_extends` may not read `target`, or None. A config can name any repo the installation reaches, and
    what it inherits shows in the check run: only the owner's `.github` repository (or this repo) and public
    repositories may be read, never another private one the App happens to be installed on."""
    owner = repo.split("/")[0].lower()
    if target.lower() in (f"{owner}/.github", repo.lower()):
        return None
    try:
        public = api.cached_get(f"/repos/{target}")[1].get("private") is False
    except GithubException as exc:
        if exc.status not in (403, 404):
            raise
        public = False
    if public:
        return None
    return (
        f"names `{target}`, which undersigned may not read: `_extends` takes a file from your own "
        "`.github` repository or from a public repository"
    )


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
