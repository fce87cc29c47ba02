"""The entries of a tree we write on top of a tip: each file keeps the git mode the tip gives it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.github.api import Api

FILE_MODES = ("100644", "100755")  # a file, and an executable one: what we write text into


class NotAFileError(Exception):
    """A path we would write is not a file at the tip (a symlink, a submodule, a folder), or its mode cannot be
    read; the message says which, in one line."""


def entries_at(api: Api, repo: str, tip: str, changed: Mapping[str, str | None]) -> list[dict[str, Any]]:
    """The new tree's entries: text inline ("content", which saves a blob request per file), a null sha to
    delete. A file that exists keeps its mode from the tip's tree (an executable letter stays executable: what
    lands is the tip plus the accepted changes, modes included); a new file is 100644. A path the tip holds as
    a symlink, a submodule or a folder is never written over, nor is what the tip holds where the path needs a
    folder (`_data` linked elsewhere). https://docs.github.com/en/rest/git/trees"""
    modes = tip_modes(api, repo, tip, [path for path, text in changed.items() if text is not None])
    entries: list[dict[str, Any]] = []
    for path, text in changed.items():
        mode = modes.get(path, "100644")
        if mode not in FILE_MODES:
            raise NotAFileError(f"`{path}` on the default branch is not a file (git mode {mode}): it is left as it is")
        content = {"sha": None} if text is None else {"content": text}
        entries.append({"path": path, "mode": mode, "type": "blob", **content})
    return entries


def tip_modes(api: Api, repo: str, tip: str, paths: list[str]) -> dict[str, str]:
    """The git mode of each of `paths` that the tip's tree holds: one tree read per folder on their way (for a
    letter at the top of the repo, one read of the top folder), not the whole repo's tree."""
    trees: dict[str, dict[str, tuple[str, str]]] = {}  # folder -> name -> (mode, sha)

    def listing(folder: str) -> dict[str, tuple[str, str]] | None:
        if folder not in trees:
            parent, _, name = folder.rpartition("/")
            if folder:
                above = listing(parent)
                entry = above.get(name) if above is not None else None
                if entry is None:
                    return None  # no such folder at the tip: every path under it is new
                if entry[0] != "040000":  # a symlink (`_data` linked elsewhere), a submodule or a file on the way:
                    # writing under it would replace it with a folder, so it is refused as the path itself is
                    raise NotAFileError(
                        f"`{folder}` on the default branch is not a folder (git mode {entry[0]}): it is left as it is"
                    )
            sha = tip if not folder else trees[parent][name][1]
            entries, truncated = api.tree_listing(repo, sha, recursive=False)
            if truncated:  # over 100,000 entries in one folder: the modes cannot be known, so nothing is written
                raise NotAFileError(f"GitHub lists `{folder or '/'}` only in part: its files' modes cannot be read")
            trees[folder] = {e.path: (e.mode, e.sha) for e in entries}
        return trees[folder]

    out = {}
    for path in paths:
        folder, _, name = path.rpartition("/")
        found = listing(folder)
        if found is not None and name in found:
            out[path] = found[name][0]
    return out
