"""A bare repository and the git process that drives it: environment, errors, creation, fetch, cherry-picks."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Self

_ENV = {
    **os.environ,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",
}


class GitError(RuntimeError):
    """A git command failed; `stderr` says why."""

    def __init__(self, args: list[str], code: int, stderr: str) -> None:
        super().__init__(f"git {' '.join(args)} exited {code}: {stderr.strip()}")
        self.code, self.stderr = code, stderr


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    date: str  # git date, e.g. "1700000000 +0000"


class BareRepo:
    """One bare repository on disk, and the git CLI run in it (Repo adds objects, refs, history, diffs)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.commits: dict[str, dict[str, object]] = {}  # commit_info by sha: commits never change
        self.diffs: dict[tuple[str, str], list[dict[str, object]]] = {}  # diff_files by (old sha, new sha)

    def git(
        self, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)
    ) -> str:
        return self.git_bytes(*args, stdin=stdin, env=env, ok=ok).decode("utf-8", "replace")

    def git_bytes(
        self, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)
    ) -> bytes:
        proc = subprocess.run(
            ["git", "--git-dir", str(self.path), *args],
            input=stdin,
            capture_output=True,
            env={**_ENV, **(env or {})},
            check=False,
        )
        if proc.returncode not in ok:
            raise GitError(list(args), proc.returncode, proc.stderr.decode("utf-8", "replace"))
        self.last_code = proc.returncode
        return proc.stdout

    # --- creation -------------------------------------------------------------------------------
    @classmethod
    def init(cls, path: Path, default_branch: str) -> Self:
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "init", "--bare", "-q", f"--initial-branch={default_branch}", str(path)],
            check=True,
            env=_ENV,
            capture_output=True,
        )
        return cls(path)

    @classmethod
    def fork(cls, parent: BareRepo, path: Path) -> Self:
        """A fork shares its parent's objects (alternates) and copies its branches."""
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "clone", "--bare", "-q", "--shared", str(parent.path), str(path)],
            check=True,
            env=_ENV,
            capture_output=True,
        )
        return cls(path)

    def fetch(self, source: BareRepo, src_ref: str, dst_ref: str) -> None:
        self.git("fetch", "-q", "--no-tags", str(source.path), f"+{src_ref}:{dst_ref}")

    # --- objects --------------------------------------------------------------------------------

    def cherry_pick_onto(self, onto: str, commits: list[str], committer: Person) -> str | None:
        """Replay commits onto `onto` in a temporary worktree (the rebase merge); None on conflict."""
        work = Path(tempfile.mkdtemp(prefix="sim-rebase-"))
        env = {
            "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email,
            "GIT_COMMITTER_DATE": committer.date,
        }
        try:
            self.git("worktree", "add", "-q", "--detach", str(work / "w"), onto)
            for commit in commits:
                proc = subprocess.run(
                    ["git", "-C", str(work / "w"), "cherry-pick", "--allow-empty", "--keep-redundant-commits", commit],
                    capture_output=True,
                    env={**_ENV, **env},
                    check=False,
                )
                if proc.returncode != 0:
                    return None
            return subprocess.run(
                ["git", "-C", str(work / "w"), "rev-parse", "HEAD"],
                capture_output=True,
                env=_ENV,
                check=True,
                text=True,
            ).stdout.strip()
        finally:
            self.git("worktree", "remove", "--force", str(work / "w"), ok=(0, 128))
            shutil.rmtree(work, ignore_errors=True)
