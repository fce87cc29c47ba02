"""`undersigned lint` on a letter of several lists or folders: each part linted with its own config."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Protocol

from app.rules.ledger import Ownership
from app.rules.parts import parts
from app.rules.problems import Problem
from config.model import Config
from config.parts import FolderConfig


class Report(Protocol):
    """What app.rules.lint's LintReport holds (imported from there, it would make a cycle)."""

    @property
    def signatures(self) -> int: ...
    @property
    def problems(self) -> tuple[Problem, ...]: ...
    @property
    def notes(self) -> tuple[Problem, ...]: ...


Lint = Callable[[Config, Mapping[str, str], Ownership | None], Report]


def lint_parts(
    config: Config, files: Mapping[str, str], ownership: Ownership | None, lint: Lint
) -> tuple[int, tuple[Problem, ...], tuple[Problem, ...]]:
    """(signatures, problems, notes) over every part; each problem says which list or folder it is in."""
    count, problems, notes = 0, list[Problem](), list[Problem]()
    for spec, cfg in parts(config):
        mine: Mapping[str, str] = files
        if isinstance(spec, FolderConfig):
            prefix = spec.directory.rstrip("/") + "/"
            mine = {p: t for p, t in files.items() if p.startswith(prefix)}
        # A representative's organisation line and their own line are two signatures, not one account twice.
        report = lint(cfg, mine, ownership if spec.signers == "people" else None)
        count += report.signatures
        problems += [replace(p, message=f"In “{spec.name}”: {p.message}") for p in report.problems]
        notes += report.notes
    return count, tuple(sorted(problems, key=lambda p: (p.path or "", p.line or 0))), tuple(notes)
