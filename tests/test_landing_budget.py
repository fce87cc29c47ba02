"""A landing's three writes (the tree, the commit, the ref) are paid for at the first of them, or none is sent:
a landing the content budget cut short would spend two writes for nothing, and its PRs would be settled with
check runs they do not owe (seen in the peak-hour replay, bench/launch_day.py)."""

from __future__ import annotations

import pytest

from app.action.memory import MemoryBackend
from app.action.run import OneToken
from app.github.api import Api
from app.github.budget import BudgetShortError, ContentBudget, spending
from app.github.pacing import Pacer
from app.jobs.job import Job
from app.jobs.store import Store
from app.worker.dispatch import Dispatcher
from tests.github_sim import Simulator, person, seed_demo
from tests.sim.clients import installation_client

REPO = "maintainer/microsoft-drop-ice"


def test_a_landing_the_minute_cannot_pay_whole_sends_nothing_and_owes_no_check(sim: Simulator) -> None:
    demo = seed_demo(sim.world, signers=1, webhook_url=None, webhook_secret="landing-budget")
    budget = ContentBudget(demo.installation.id, 480, 75, landing_wait=0.0)
    api = Api(installation_client(sim, demo).requester, demo.installation.id, Pacer(0), budget=budget)
    jobs: list[Job] = []

    def enqueue(job: Job) -> bool:
        jobs.append(job)
        return True

    dispatcher = Dispatcher(OneToken(api), Store(MemoryBackend()), enqueue, 60.0)
    signer = demo.signers[0]
    line = f"-  {signer.name} [@{signer.login}](https://github.com/{signer.login})"
    number = int(person(sim, signer.login).sign(REPO, "README.md", line)["number"])
    dispatcher.run(Job("evaluate", demo.installation.id, REPO, number))
    assert [job.kind for job in jobs] == ["land"]  # valid: it waits to land, its check held back
    with spending("landing", writes=73):
        budget.take("landing", 73)  # the minute's other writes: two left
    with pytest.raises(BudgetShortError):
        dispatcher.run(jobs[0])
    writes = [c.path for c in sim.faults.calls(actor="installation:") if c.method != "GET"]
    assert not [p for p in writes if "/git/" in p or "/check-runs" in p], writes
    assert not sim.world.pull(sim.world.repo(REPO), number).merged
