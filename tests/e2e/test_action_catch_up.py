"""The Action's catch-up on launch day: cancelled runs lose nothing, and decided PRs are not read again.

Labels are off here (issue 21: "labels last, and off by default"), so the listing cannot tell a decided PR
from a new one: the watermark a complete catch-up leaves on GitHub does (app.action.watermark)."""

from __future__ import annotations

import re
import threading
from typing import cast

import pytest
from github import RateLimitExceededException
from github.Requester import Requester

from app.action.hourly import RESERVE, TokenApi
from app.action.watermark import STATE_NAME, Watermark
from app.github.pacing import Pacer
from tests.e2e.action_support import LINE, REPO, letter_world
from tests.github_sim import Simulator, person
from tests.helpers import SEED_CONFIG_YAML

NO_LABELS = SEED_CONFIG_YAML + "report:\n  labels:\n    invalid: null\n"


def _actors(sim: Simulator) -> list[str]:
    """Each run's token is its own installation: the actors in the order their first request came."""
    seen: list[str] = []
    for call in sim.faults.calls(actor="installation:"):
        if call.actor not in seen:
            seen.append(call.actor)
    return seen


def test_runs_read_only_what_changed_since_the_watermark_and_lose_no_cancelled_run(sim: Simulator) -> None:
    w = letter_world(sim, ["s1", "s2", "s3", "ada", "grace", "linus"], config=NO_LABELS)
    invalid = [w.sign(login, login.upper(), as_login="someone") for login in ("s1", "s2", "s3")]
    w.settle()
    heads = [w.pull(n).head_sha for n in invalid]
    assert all([r.conclusion for r in w.runs_on(h)] == ["failure"] for h in heads)
    [state] = [r for r in sim.world.check_runs.values() if r.name == STATE_NAME]
    assert Watermark.decode(state.external_id) is not None and state.conclusion == "neutral"
    before = set(_actors(sim))

    sim.world.offset += 5  # later on: every verdict above is older than what follows
    w.runner.gate = threading.Event()  # the runner is busy: ada's run waits to start, grace's is cancelled
    signed = [w.sign(login) for login in ("ada", "grace", "linus")]
    assert [r.conclusion for r in w.runner.runs[-3:]] == [None, "cancelled", None]
    w.runner.gate.set()
    w.settle()
    assert all(w.pull(n).merged for n in signed)  # grace's PR too: its run was cancelled, a catch-up found it
    assert w.letter().count("[@grace]") == 1

    later = [a for a in _actors(sim) if a not in before]
    assert len(later) == 2  # ada's run and linus's
    calls = [c for c in sim.faults.calls(actor="installation:") if c.actor == later[-1]]
    assert calls and not any(h in c.path for h in heads for c in calls)  # linus's run: decided PRs not read
    assert all(w.pull(n).state == "open" for n in invalid)


def test_a_run_stops_short_of_the_hourly_limit_and_is_never_refused(sim: Simulator) -> None:
    w = letter_world(sim, ["ada"])
    sim.world.to_top_of_hour()
    window = int(sim.world.now() // 3600)
    sim.used[f"actions:{REPO.lower()}:{window}"] = 1000 - RESERVE  # what is left is the reserve
    number = w.sign("ada", "Ada Lovelace")
    [run] = w.settle()
    assert run.conclusion == "failure" and not w.pull(number).merged
    assert "::error title=undersigned::GitHub's rate limit for this repository's token is used up" in run.output
    assert sim.limits.tally.primary == 0 and w.runner.used(REPO) == 1000 - RESERVE  # not one request sent
    sim.world.offset += 3600  # the next hour: the scheduled run finds the signature
    w.runner.schedule(w.repo)
    w.settle()
    assert w.pull(number).merged and sim.limits.tally.primary == 0


class _Spent:
    """A requester whose last response said RESERVE requests are left; it must not be asked for more."""

    base_url = "http://sim.invalid"
    rate_limiting = (RESERVE, 1000)
    rate_limiting_resettime = 1_800_000_000

    def requestJsonAndCheck(self, *args: object, **kwargs: object) -> object:
        raise AssertionError("a request was sent")


def test_the_token_client_sends_nothing_within_the_reserve() -> None:
    api = TokenApi(cast(Requester, _Spent()), 0, Pacer(0.0))
    with pytest.raises(RateLimitExceededException):
        api.get("/repos/maintainer/microsoft-drop-ice/pulls")
    assert api.reads == 0


def test_the_catch_ups_prs_are_taken_as_listed_and_a_fix_edits_the_one_comment(sim: Simulator) -> None:
    """The catch-up evaluates the PRs it lists as listed, their comment counts learnt with their checks in one
    GraphQL query: no `GET /pulls/N` each. A PR that has our comment (a report on its earlier head) gets it
    edited, never a second one."""
    w = letter_world(sim, ["linus", "s2", "ada"], config=NO_LABELS)
    fixed = w.sign("linus", "Linus", as_login="someone")
    w.settle()
    assert len(w.comments(fixed)) == 1
    w.runner.paused = True  # the runs of what follows never happen: one scheduled run finds it all
    linus = person(sim, "linus")
    text, _ = linus.read("linus/microsoft-drop-ice", "README.md", "linus-sign")
    text = text.rstrip("\n").rsplit("\n", 1)[0] + "\n" + LINE.format(name="Linus", login="linus") + "\n"
    linus.write("linus/microsoft-drop-ice", "README.md", text, "linus-sign")
    invalid, valid = w.sign("s2", "S2", as_login="someone"), w.sign("ada")
    w.runner.paused = False
    before = len(sim.faults.calls(actor="installation:"))
    [run] = w.runner.schedule(w.repo)
    w.settle()
    assert run.conclusion == "success", run.output
    numbers = (fixed, invalid, valid)
    calls = sim.faults.calls(actor="installation:")[before:]
    reads = [c.path for c in calls if c.method == "GET" and re.search(r"/pulls/\d+$", c.path)]
    assert not any(c.endswith(f"/pulls/{n}") for c in reads for n in numbers), reads
    assert w.pull(fixed).merged and w.pull(valid).merged
    [comment] = w.comments(fixed)  # the report edited into the thank-you
    assert "has landed in" in comment.body
    assert [r.conclusion for r in w.runs_on(w.pull(invalid).head_sha)] == ["failure"]
    assert len(w.comments(invalid)) == 1
