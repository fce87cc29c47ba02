"""Judging a single-file letter in tests: the seed config, a PR's head text, and the codes of its problems."""

from __future__ import annotations

from app.rules import Author, Snapshots, Verdict, evaluate
from config import Config
from tests.helpers import NOW, SEED_CONFIG_YAML, config, seed_text

SEED = config(SEED_CONFIG_YAML)
ADA = "-  Ada Lovelace [@ada](https://github.com/ada)"


def judge(
    head: str,
    author: str | Author = "ada",
    cfg: Config = SEED,
    base: str | None = None,
    changed: tuple[str, ...] = ("README.md",),
) -> Verdict:
    who = author if isinstance(author, Author) else Author(author)
    return evaluate(cfg, Snapshots({"README.md": base or seed_text()}, {"README.md": head}), changed, who, NOW)


def codes(verdict: Verdict) -> list[str]:
    return [p.code for p in verdict.problems]


def tweak(**changes: object) -> Config:
    """The seed config with some keys changed, e.g. tweak(signers={"trusted": ["x"]})."""
    data = SEED.model_dump()
    for section, values in changes.items():
        if isinstance(values, dict):
            data[section].update(values)
        else:
            data[section] = values
    return Config.model_validate(data)
