"""A short content budget: each invalid PR's failing check (its signer's outcome) goes out before any comment
that explains one (issue 21: landing, then the failing check, then the comment); the comment waits, queued."""

from __future__ import annotations

from pathlib import Path

from app.jobs.job import Job
from tests.github_sim import Simulator, person, seed_demo
from tests.service import Service, settings_for, wait_until

REPO = "maintainer/microsoft-drop-ice"
INVALID = 5


def test_a_short_budget_sends_every_failing_check_and_keeps_comments_waiting(sim: Simulator, tmp_path: Path) -> None:
    # Windows of 20 from which no write leaves within the test: a check leaves 5.8 of them for landings, a comment
    # 12.6 for landings and checks (app.github.window). Paid together, a report needs 2 writes above the check's
    # reserve: all five would go, comments and all, past what the comment's own reserve allows.
    world = seed_demo(sim.world, signers=INVALID, webhook_url=None, webhook_secret="e2e-webhook-secret")
    settings = settings_for(sim, world, tmp_path / "data", content_per_hour=20, content_burst=20)
    service = Service(settings).start()
    world.app.webhook_url = service.url
    try:
        numbers = []
        for signer in world.signers[:INVALID]:
            line = f"-  Someone Else [@{signer.login}x](https://github.com/{signer.login}x)"  # not the PR's author
            numbers.append(int(person(sim, signer.login).sign(REPO, "README.md", line)["number"]))
        repo = sim.world.repo(REPO)
        heads = {sim.world.pull(repo, n).head_sha for n in numbers}

        def failing() -> int:
            return sum(1 for r in sim.world.check_runs.values() if r.head_sha in heads and r.conclusion == "failure")

        wait_until(lambda: failing() == INVALID, 30, "a failing check on every invalid PR")
        bot = [c.number for c in sim.world.comments.values() if c.user.type == "Bot"]
        commented = [n for n in numbers if n in bot]
        assert 1 <= len(commented) <= 3  # what the comment's share allowed; the others wait for the budget
        waiting = [n for n in numbers if n not in commented]
        store = service.runtime.queue.store
        installation = world.installation.id
        assert all(store.job_queued(Job("evaluate", installation, REPO, n).key) for n in waiting)  # never lost
    finally:
        service.stop()
