"""Bare git repositories driven by the git CLI: the simulator's only storage for code."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.github_sim.git_cli import BareRepo, Person

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    type: str
    sha: str
    path: str
    size: int | None = None


class Repo(BareRepo):
    """One bare repository on disk: its objects, refs, history and diffs."""

    def write_blob(self, data: bytes) -> str:
        return self.git("hash-object", "-w", "--stdin", stdin=data).strip()

    def read_blob(self, sha: str) -> bytes:
        return self.git_bytes("cat-file", "blob", sha)

    def object_type(self, sha: str) -> str | None:
        out = self.git("cat-file", "-t", sha, ok=(0, 1, 128)).strip()
        return out if self.last_code == 0 else None

    def has_commit(self, sha: str) -> bool:
        return self.object_type(sha) == "commit"

    def ls_tree(self, tree: str, *, recursive: bool = False) -> list[TreeEntry]:
        args = ["ls-tree", "-l", "-z", *(["-r"] if recursive else []), tree]
        entries = []
        for record in self.git_bytes(*args).split(b"\0"):
            if not record:
                continue
            meta, path = record.decode().split("\t", 1)
            mode, kind, sha, size = meta.split()
            entries.append(TreeEntry(mode, kind, sha, path, None if size == "-" else int(size)))
        return entries

    def mktree(self, entries: list[TreeEntry]) -> str:
        lines = "".join(f"{e.mode} {e.type} {e.sha}\t{e.path}\0" for e in entries)
        return self.git("mktree", "-z", stdin=lines.encode()).strip()

    def tree_with(self, base_tree: str | None, changes: dict[str, tuple[str, str] | None]) -> str:
        """A new tree: `base_tree` with paths set to (mode, blob sha) or removed (None). Nested paths work."""
        index = Path(tempfile.mkdtemp(prefix="sim-index-")) / "index"
        env = {"GIT_INDEX_FILE": str(index)}
        try:
            if base_tree:
                self.git("read-tree", base_tree, env=env)
            else:
                self.git("read-tree", "--empty", env=env)
            info = []
            for path, entry in changes.items():
                # Mode 0 removes the path from the index (no work tree needed, unlike --force-remove).
                mode, sha = entry if entry is not None else ("0", "0" * 40)
                info.append(f"{mode} {sha}\t{path}\n")
            if info:
                self.git("update-index", "--add", "--index-info", stdin="".join(info).encode(), env=env)
            return self.git("write-tree", env=env).strip()
        finally:
            shutil.rmtree(index.parent, ignore_errors=True)

    def commit_tree(self, tree: str, parents: list[str], message: str, author: Person, committer: Person) -> str:
        env = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_AUTHOR_DATE": author.date,
            "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email,
            "GIT_COMMITTER_DATE": committer.date,
        }
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        return self.git(*args, stdin=message.encode(), env=env).strip()

    def commit_info(self, sha: str) -> dict[str, object]:
        if sha in self.commits:
            return self.commits[sha]
        fmt = "%T%x00%P%x00%an%x00%ae%x00%at%x00%cn%x00%ce%x00%ct%x00%B"
        out = self.git("show", "-s", f"--format={fmt}", sha)
        tree, parents, an, ae, at, cn, ce, ct, message = out.split("\0", 8)
        info: dict[str, object] = {
            "tree": tree,
            "parents": parents.split(),
            "author": {"name": an, "email": ae, "date": int(at)},
            "committer": {"name": cn, "email": ce, "date": int(ct)},
            "message": message.rstrip("\n"),
        }
        if len(sha) == 40:
            self.commits[sha] = info
        return info

    def read_path(self, commit: str, path: str) -> tuple[str, bytes] | None:
        """(blob sha, bytes) of a file at a commit, or None."""
        found = self.read_entry(commit, path)
        return None if found is None else (found[1], found[2])

    def read_entry(self, commit: str, path: str) -> tuple[str, str, bytes] | None:
        """(mode, blob sha, bytes) of a file (or symlink: its target) at a commit, or None."""
        out = self.git("ls-tree", "-z", commit, "--", path).rstrip("\0")
        if not out:
            return None
        meta, _ = out.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind != "blob":
            return None
        return mode, sha, self.read_blob(sha)

    # --- refs -----------------------------------------------------------------------------------
    def ref(self, name: str) -> str | None:
        out = self.git("rev-parse", "--verify", "-q", f"{name}^{{commit}}", ok=(0, 1)).strip()
        return out or None

    def refs(self, prefix: str = "refs/heads/") -> dict[str, str]:
        out = self.git("for-each-ref", "--format=%(refname) %(objectname)", prefix)
        return dict(line.split(" ", 1) for line in out.splitlines() if line)

    def set_ref(self, name: str, sha: str, old: str | None = None) -> bool:
        """Move a ref; with `old`, only if it still points there (compare-and-swap)."""
        args = ["update-ref", name, sha] + ([old] if old else [])
        self.git(*args, ok=(0, 1, 128))
        return self.last_code == 0

    def delete_ref(self, name: str) -> None:
        self.git("update-ref", "-d", name)

    # --- history and merges ---------------------------------------------------------------------
    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        self.git("merge-base", "--is-ancestor", ancestor, descendant, ok=(0, 1))
        return self.last_code == 0

    def merge_base(self, a: str, b: str) -> str | None:
        out = self.git("merge-base", a, b, ok=(0, 1)).strip()
        return out or None

    def merge_tree(self, ours: str, theirs: str) -> str | None:
        """The merged tree of two commits, or None on a conflict (git merge-tree --write-tree)."""
        out = self.git("merge-tree", "--write-tree", "--no-messages", ours, theirs, ok=(0, 1))
        return out.split("\n", 1)[0].strip() if self.last_code == 0 else None

    def pr_stats(self, base: str, head: str) -> tuple[int, int, int, int]:
        """(commits, additions, deletions, files) of head since its merge base with base: two git calls."""
        commits = int(self.git("rev-list", "--count", head, f"^{base}").strip() or 0)
        added = removed = files = 0
        for record in self.git("diff", "--numstat", "-z", "--no-renames", f"{base}...{head}").split("\0"):
            if record.strip():
                add, rem, _ = record.split("\t", 2)
                added, removed, files = (
                    added + int(add if add != "-" else 0),
                    removed + int(rem if rem != "-" else 0),
                    files + 1,
                )
        return commits, added, removed, files

    def history(self, tip: str, path: str | None = None) -> list[str]:
        """Commits reachable from `tip`, newest first; with `path`, those that changed it."""
        return self.git("rev-list", tip, *(["--", path] if path else [])).split()

    def rev_list(self, tip: str, exclude: str) -> list[str]:
        return self.git("rev-list", "--reverse", tip, f"^{exclude}").split()

    def diff_files(self, old: str, new: str) -> list[dict[str, object]]:
        """Per-file status, additions, deletions and unified patch, as git computes them (cached by shas)."""
        key = (old, new)
        if len(old) != 40 or len(new) != 40:
            return self._diff_files(old, new)
        if key not in self.diffs:
            self.diffs[key] = self._diff_files(old, new)
        return self.diffs[key]

    def _diff_files(self, old: str, new: str) -> list[dict[str, object]]:
        numstat = self.git("diff", "--numstat", "-z", "--no-renames", old, new)
        stats: dict[str, tuple[int, int]] = {}
        for record in numstat.split("\0"):
            if record.strip():
                add, rem, path = record.split("\t", 2)
                stats[path] = (int(add) if add != "-" else 0, int(rem) if rem != "-" else 0)
        # --raw: ":oldmode newmode oldsha newsha status" then the path; the new blob's sha saves a lookup later.
        raw = self.git("diff", "--raw", "-z", "--no-renames", "--abbrev=40", old, new).split("\0")
        files: list[dict[str, object]] = []
        for meta, path in zip(raw[0::2], raw[1::2], strict=False):
            if not path:
                continue
            _, _, old_blob, blob, status = meta.lstrip(":").split(" ", 4)
            patch = self.git("diff", "--no-renames", "--no-color", "-U3", old, new, "--", path)
            hunk = patch.find("\n@@")
            added, removed = stats.get(path, (0, 0))
            kind = {"A": "added", "D": "removed", "M": "modified", "T": "changed"}.get(status[:1], "modified")
            if kind == "modified" and old_blob == blob:
                kind = "changed"  # GitHub's word for a change of mode alone
            files.append(
                {
                    "filename": path,
                    "status": kind,
                    "additions": added,
                    "deletions": removed,
                    "patch": patch[hunk + 1 :] if hunk >= 0 else None,
                    "blob": None if set(blob) == {"0"} else blob,
                }
            )
        return files
