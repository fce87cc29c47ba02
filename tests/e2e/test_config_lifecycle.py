"""The maintainer's config at work: a push re-reads it at once, a broken one fails a check on its commit
(for the maintainer) while signers wait neutrally, `_extends` pulls organisation defaults."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.jobs.job import Job
from config import ConfigError, parse_config
from config.resolve import resolve
from handlers import build_router
from tests.github_sim import Simulator, person
from tests.helpers import SEED_CONFIG_YAML, SEED_LETTER
from tests.service import Service, settings_for, settle

REPO = "maintainer/microsoft-drop-ice"
CONFIG = ".github/undersigned.yml"
LINE = "-  {name} [@{login}](https://github.com/{login})"
BROKEN = "version: 1\nletter:\n  file: README.md\n  start_after: 'Signed,'\n  oder: append\n"


@pytest.fixture
def slow_cache(sim: Simulator, tmp_path: Path) -> Any:
    """The demo world with a config cache that would trust a stale config for an hour: only the push
    can make a fixed config count at once."""
    from tests.github_sim import seed_demo

    world = seed_demo(sim.world, signers=3, webhook_url=None, webhook_secret="e2e-webhook-secret")
    service = Service(settings_for(sim, world, tmp_path / "data", config_ttl=3600)).start()
    world.app.webhook_url = service.url
    settle(sim, service)
    yield sim, world, service
    service.stop()


def runs_on(sim: Simulator, sha: str) -> list[Any]:
    return [r for r in sim.world.check_runs.values() if r.head_sha == sha]


def head(sim: Simulator, repo: str = REPO) -> str:
    sha = sim.world.repo(repo).git.ref("refs/heads/main")
    assert sha is not None
    return sha


def test_broken_config_fails_on_its_commit_signers_wait_and_the_fix_counts_at_once(slow_cache: Any) -> None:
    sim, _, service = slow_cache
    maint = person(sim, "maintainer")
    ada = person(sim, "ada")
    service.runtime.queue.stop_consumer()  # the signature waits in the queue while the config breaks
    number = int(ada.sign(REPO, "README.md", LINE.format(name="Ada Lovelace", login="ada"))["number"])
    maint.write(REPO, CONFIG, BROKEN, "main", "Try a new key")
    broke = head(sim)
    assert sim.webhooks.wait()
    service.fed()
    service.runtime.queue.start_consumer(2)
    settle(sim, service)

    [check] = runs_on(sim, broke)  # on the commit that broke it, for the maintainer
    assert check.conclusion == "failure" and check.output["title"] == f"{CONFIG} has 1 error"
    assert "`letter.oder` (line 5): unknown key; did you mean `order`?" in check.output["summary"]
    assert [(a["path"], a["start_line"]) for a in check.annotations] == [(CONFIG, 5)]
    pr = sim.world.pull(sim.world.repo(REPO), number)
    [waiting] = runs_on(sim, pr.head_sha)
    assert waiting.conclusion == "neutral"
    assert waiting.output["title"] == "Waiting for the maintainers to fix the configuration"
    assert not pr.merged

    maint.write(REPO, CONFIG, SEED_CONFIG_YAML, "main", "Fix the config")
    fixed = head(sim)
    settle(sim, service)
    assert [r.conclusion for r in runs_on(sim, fixed)] == ["success"]
    assert [r.conclusion for r in runs_on(sim, pr.head_sha)] == ["success"]  # not 70 s later: now
    assert sim.world.pull(sim.world.repo(REPO), number).merged


def push_config(world: Any, text: str) -> Any:
    """The maintainer pushes `text` as the config; the one check on that commit."""
    sim, _, service = world
    person(sim, "maintainer").write(REPO, CONFIG, text, "main")
    settle(sim, service)
    [check] = runs_on(sim, head(sim))
    return check


def test_an_empty_config_says_what_to_add(slow_cache: Any) -> None:
    check = push_config(slow_cache, "# to do\n")
    assert check.conclusion == "failure" and "add a `letter:` section" in check.output["summary"]
    assert "start_after:" in check.output["summary"]


def test_pushes_that_do_not_touch_the_config_are_ignored() -> None:
    router = build_router()
    base = {"installation": {"id": 7}, "repository": {"full_name": "o/r", "default_branch": "main"}, "after": "b" * 40}
    commit = {"added": [], "removed": [], "modified": ["README.md"]}
    assert router.dispatch("push", {**base, "ref": "refs/heads/main", "commits": [commit]}) == []
    touched = {**commit, "modified": [CONFIG]}
    assert router.dispatch("push", {**base, "ref": "refs/heads/main", "commits": [touched]}) == [
        Job("config", 7, "o/r", sha="b" * 40)
    ]
    assert router.dispatch("push", {**base, "ref": "refs/heads/other", "commits": [touched]}) == []
    assert router.dispatch("push", {**base, "ref": "refs/heads/main", "deleted": True, "commits": []}) == []


def test_extends_pulls_defaults_from_the_organisations_github_repo(slow_cache: Any) -> None:
    sim, demo, service = slow_cache
    owner = sim.world.user("maintainer")
    defaults = "letter:\n  start_after: 'Signed,'\n  line: '-  {name} [@{login}](https://github.com/{login})'\n"
    sim.world.create_repo(owner, ".github", {CONFIG: defaults.encode()})
    sim.world.add_installation_repos(demo.installation, ["maintainer/.github"])
    assert push_config(slow_cache, "_extends: .github\nversion: 1\n").conclusion == "success"
    number = int(person(sim, "ada").sign(REPO, "README.md", LINE.format(name="Ada Lovelace", login="ada"))["number"])
    settle(sim, service)
    assert sim.world.pull(sim.world.repo(REPO), number).merged


def test_extends_a_repo_the_app_cannot_read_is_an_error_that_says_so(slow_cache: Any) -> None:
    check = push_config(slow_cache, "_extends: .github\n")
    assert check.conclusion == "failure"
    assert "`_extends` (line 1): names `maintainer/.github:.github/undersigned.yml`" in check.output["summary"]
    assert "is the App installed there?" in check.output["summary"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 2\n", "`version` must be 1, not `2`"),
        ("letter:\n", "`letter` is empty: give it keys"),
        ("letter: README.md\n", "`letter` must be a section of keys (indented below it), not `README.md`"),
        ("letter:\n  order: sideways\n", "`letter.order` must be one of 'append', 'sorted' or 'any', not `sideways`"),
        ("signers:\n  allow_bots: maybe\n", "`signers.allow_bots` must be true or false, not `maybe`"),
        ("signers:\n  trusted: ada\n", "`signers.trusted` must be a list, not `ada` (e.g. [ada])"),
        ("letter:\n  file: null\n", "`letter.file` needs a value"),
        ("frozen: null\n", "`frozen` must be true or false, not empty"),
        ("merge:\n  close_invalid_after_days: 0\n", "`merge.close_invalid_after_days` must be at least 1, not `0`"),
        ("report:\n  labels:\n    good: x\n", "`report.labels.good` must be one of 'valid', 'invalid' or 'landed'"),
    ],
)
def test_errors_speak_the_maintainers_language(text: str, expected: str) -> None:
    error = parse_config(text)
    assert isinstance(error, ConfigError)
    [issue] = error.issues
    assert f"`{issue.key}` {issue.message}".startswith(expected)
    for python in ("None", "instance of", "must be one of 1", "Input should"):
        assert python not in issue.message


def test_an_empty_or_missing_config_is_a_lint_error(tmp_path: Path) -> None:
    repo = tmp_path / "letter"
    (repo / ".github").mkdir(parents=True)
    (repo / "README.md").write_text(SEED_LETTER.read_text())
    lint = [sys.executable, "-m", "app.cli", "lint", str(repo)]
    missing = subprocess.run(lint, capture_output=True, text=True, check=False)
    assert missing.returncode == 1 and "missing: add it" in missing.stdout and "start_after:" in missing.stdout
    (repo / CONFIG).write_text("")
    empty = subprocess.run(lint, capture_output=True, text=True, check=False)
    assert empty.returncode == 1 and "add a `letter:` section" in empty.stdout
    assert "signatures" not in empty.stdout.splitlines()[-1]  # no count of "signature lines" read from the text
    assert isinstance(resolve(""), ConfigError) and isinstance(resolve("version: 1\n"), ConfigError)
