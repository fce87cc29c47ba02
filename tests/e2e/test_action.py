"""undersigned as a GitHub Action, end to end: the simulator's runner runs `undersigned action` per event."""

from __future__ import annotations

from tests.e2e.action_support import letter_world
from tests.github_sim import Simulator


def test_one_signature_lands_with_no_app(sim: Simulator) -> None:
    w = letter_world(sim, ["ada"])
    number = w.sign("ada", "Ada Lovelace")
    runs = w.settle()
    assert [r.event for r in runs] == ["pull_request_target"], [(r.event, r.action) for r in runs]
    [run] = runs
    assert run.conclusion == "success", run.output
    assert w.pull(number).merged, run.output
    assert "-  Ada Lovelace [@ada](https://github.com/ada)" in w.letter()
    print(run.summary, run.requests)
