"""The smaller findings of issue 18: mentions from hostile lines, and the data folder's permissions."""

from __future__ import annotations

import re
import stat
from typing import Any

from tests.e2e.test_reporting import bot_comments
from tests.github_sim import Demo, Simulator, person
from tests.service import Service, settle

World = tuple[Simulator, Demo, Service]
LINE = "-  {name} [@{login}](https://github.com/{login})"


def live_mentions(markdown: str) -> set[str]:
    """The logins GitHub would notify: @-mentions outside code blocks and code spans."""
    prose = re.sub(r"```.*?```", "", markdown, flags=re.DOTALL)
    prose = re.sub(r"`[^`\n]*`", "", prose)
    return {m.lower() for m in re.findall(r"(?<![\w`@/.-])@([A-Za-z0-9][A-Za-z0-9-]*)", prose)}


def test_the_bot_mentions_only_the_pr_author(app_world: World) -> None:
    sim, demo, service = app_world
    settle(sim, service)
    line = LINE.format(name="Linus Torvalds", login="linus") + "\n" + "-  Someone [@someone-else](https://x.example)"
    number = int(person(sim, "grace").sign(demo.repo.full_name, "README.md", line)["number"])
    settle(sim, service)
    [comment] = bot_comments(sim, number)
    assert "linus" in comment.body  # the problem is said...
    assert live_mentions(comment.body) == {"grace"}, comment.body  # ...but only the author is pinged
    pr = sim.world.pull(demo.repo, number)
    outputs: list[Any] = [r.output for r in sim.world.check_runs.values() if r.head_sha == pr.head_sha]
    assert outputs and all(not live_mentions(str(o.get("summary") or "")) for o in outputs), outputs


def test_the_data_folder_is_private(app_world: World) -> None:
    sim, _, service = app_world
    settle(sim, service)
    folder = service.settings.data_dir
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert (folder / "queue.db").exists()
    for path in folder.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
