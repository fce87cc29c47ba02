"""GitHub-shaped JSON, one full shape per kind, as GitHub's REST description and webhook schemas give it.

URLs are absolute and point at the simulator (which also stands in for github.com). Kinds live in shapes_base
(people, repositories, labels, Apps), shapes_issues (PRs, issues, comments), shapes_checks and shapes_git."""

from __future__ import annotations

from tests.github_sim.shapes_base import iso, stamp
from tests.github_sim.shapes_checks import CheckShapes
from tests.github_sim.shapes_git import GitShapes
from tests.github_sim.shapes_issues import IssueShapes


class Shapes(IssueShapes, CheckShapes, GitShapes):
    """Renders the world's objects; `api` is the public API base URL (no trailing slash)."""


__all__ = ["Shapes", "iso", "stamp"]
