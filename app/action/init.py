"""`undersigned init`: infer the config from a letter's repo, and write it (and the Action's workflow) on request."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from app.action.workflow import ACTION, WORKFLOW_PATH, workflow
from app.infer.infer import infer
from config import CONFIG_PATH

# What `init --write` writes when no signature list was found: a sensible start, not the letter's own shape.
STARTER_CONFIG = """\
# undersigned's configuration: where the signatures are and what one looks like.
# This is a starting point: make `file`, `start_after` and `line` match your letter
# (config/undersigned.example.yml in undersigned's repository documents every key).
version: 1
letter:
  file: README.md
  start_after: "Signed,"
  line: "- {name} [@{login}](https://github.com/{login})"
  order: append
"""
# Bounds on what `init` reads of a repo (it may be anyone's clone): files, bytes per file, bytes in all.
MAX_FILES = 20_000
MAX_FILE_BYTES = 2_000_000
MAX_TOTAL_BYTES = 64_000_000
_SKIP_DIRS = {".git", "node_modules", "vendor", "_site", ".venv"}


@dataclass(frozen=True)
class Written:
    path: Path
    created: bool  # False: it was there already and was left alone (the config) or replaced (the workflow)


def default_branch(repo: Path) -> str:
    """The branch `init` runs on (a fresh clone is on the default branch), or "main"."""
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), "symbolic-ref", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return "main"
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else "main"


def read_repo(repo: Path) -> dict[str, str]:
    """The repo's text files by repo-relative path, bounded (files, bytes); binary and oversized files skipped."""
    out: dict[str, str] = {}
    total = 0
    for dirpath, dirnames, filenames in os.walk(repo):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            full = Path(dirpath) / name
            try:
                size = full.stat().st_size
                if full.is_symlink() or size > MAX_FILE_BYTES or total + size > MAX_TOTAL_BYTES:
                    continue
                with open(full, encoding="utf-8", newline="") as fh:  # newline="": CRLF kept, as git gives it
                    out[full.relative_to(repo).as_posix()] = fh.read()
            except (OSError, UnicodeDecodeError):
                continue
            total += size
            if len(out) >= MAX_FILES:
                return out
    return out


def write_config(repo: Path, text: str) -> Written:
    """Write the config, unless the repo has one: a maintainer's config is never replaced."""
    config = repo / CONFIG_PATH
    if config.exists():
        return Written(config, False)
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text, encoding="utf-8")
    return Written(config, True)


def write_workflow(repo: Path, branch: str | None = None, action: str | None = None) -> Written:
    """Write the workflow (always: it is ours)."""
    flow = repo / WORKFLOW_PATH
    existed = flow.exists()
    flow.parent.mkdir(parents=True, exist_ok=True)
    flow.write_text(workflow(branch or default_branch(repo), action or ACTION), encoding="utf-8")
    return Written(flow, not existed)


def run_init(repo: Path, shown: str, *, write: bool, action: bool, branch: str | None, uses: str | None) -> None:
    """Print the config inferred from the letter, what it reads and what not; write it and the workflow if asked."""
    found = infer(read_repo(repo))
    if found.config is None:
        print(f"No signature list found in {shown}: a starter config (make `file`, `start_after` and `line` match):\n")
        print(STARTER_CONFIG)
    else:
        print(found.text)
        what = "files" if found.config.letter.directory is not None else "lines"
        print(
            f"{found.source}: it reads {found.accepted} of {found.existing} signature {what} ({100 * found.share:.1f}%)"
        )
        if found.unread_total:
            print(f"{found.unread_total} it cannot read (`undersigned lint` says why, once the config is written):")
            for path, line, text in found.unread:
                print(f"    {path}:{line}: {text}" if line else f"    {path}: {text}")
            if found.unread_total > len(found.unread):
                print(f"    ... and {found.unread_total - len(found.unread)} more")
    written = [write_workflow(repo, branch, uses)] if action else []
    written += [write_config(repo, found.text if found.config is not None else STARTER_CONFIG)] if write else []
    for item in written:
        where = item.path.relative_to(repo).as_posix()
        if where == CONFIG_PATH:
            starter = "a starter config: make `file`, `start_after` and `line` match your letter"
            note = "kept as it is" if not item.created else starter if found.config is None else "written"
        else:
            note = "written" if item.created else "replaced"
        print(f"{where}: {note}")
    if written:
        print("Commit them to the default branch: undersigned then runs on every signature pull request.")
    else:
        print(f"Nothing written: `undersigned init --write {shown}` writes {CONFIG_PATH}, `--action` the workflow.")
