"""`undersigned init`: the workflow and, if there is none, a starter config, written into a letter's repo."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from app.action.workflow import ACTION, WORKFLOW_PATH, workflow
from config import CONFIG_PATH

# A sensible start, not the letter's own shape (inferring that from the letter is another issue's work):
# the maintainer edits `file`, `start_after` and `line` to match the letter before committing.
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


def init(repo: Path, branch: str | None = None, action: str | None = None) -> list[Written]:
    """Write the workflow (always: it is ours) and the config (only if the repo has none)."""
    flow = repo / WORKFLOW_PATH
    existed = flow.exists()
    flow.parent.mkdir(parents=True, exist_ok=True)
    flow.write_text(workflow(branch or default_branch(repo), action or ACTION), encoding="utf-8")
    out = [Written(flow, not existed)]
    config = repo / CONFIG_PATH
    if not config.exists():
        config.write_text(STARTER_CONFIG, encoding="utf-8")
        out.append(Written(config, True))
    else:
        out.append(Written(config, False))
    return out
