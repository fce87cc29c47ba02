"""Every signer sees an outcome: a valid PR is shown merged, and one that does not land gets its check."""

from __future__ import annotations

from typing import Any

from tests.github_sim import Demo, Simulator, person
from tests.helpers import assert_golden
from tests.service import Service, settle, wait_until

LINE = "-  {name} [@{login}](https://github.com/{login})"
REPO = "maintainer/microsoft-drop-ice"
World = tuple[Simulator, Demo, Service]


def runs(sim: Simulator, sha: str) -> list[Any]:
    return [r for r in sim.world.check_runs.values() if r.head_sha == sha]


def pr_state(sim: Simulator, number: int) -> Any:
    return sim.world.pull(sim.world.repo(REPO), number)


def sign(sim: Simulator, login: str) -> int:
    return int(person(sim, login).sign(REPO, "README.md", LINE.format(name="Ada Lovelace", login=login))["number"])


def set_config(sim: Simulator, extra: str) -> None:
    maint = person(sim, "maintainer")
    text, _ = maint.read(REPO, ".github/undersigned.yml")
    maint.write(REPO, ".github/undersigned.yml", text + extra, "main")


def test_valid_signature_that_fails_to_land_gets_its_green_check(app_world: World) -> None:
    sim, _, service = app_world
    sim.faults.add("error", r"^POST /repos/[^/]+/[^/]+/git/commits$", status=500)  # GitHub keeps failing
    number = sign(sim, "ada")
    head = pr_state(sim, number).head_sha
    wait_until(lambda: bool(runs(sim, head)), 30, "the held-back check")
    assert not pr_state(sim, number).merged
    [run] = runs(sim, head)
    assert (run.name, run.status, run.conclusion) == ("undersigned", "completed", "success")
    assert run.output["title"] == "Signature of @ada is valid"
    assert_golden("app/check-valid.md", f"# {run.output['title']}\n\n{run.output['summary']}\n")
    sim.faults.clear()  # GitHub is back: the landing job's retry lands it, as the check said
    settle(sim, service)
    assert pr_state(sim, number).merged and len(runs(sim, head)) == 1


def test_with_merge_off_a_valid_signature_gets_a_green_check_for_the_maintainer(app_world: World) -> None:
    sim, _, service = app_world
    set_config(sim, "merge:\n  enabled: false\n")
    number = sign(sim, "ada")
    settle(sim, service)
    pr = pr_state(sim, number)
    [run] = runs(sim, pr.head_sha)
    assert run.conclusion == "success" and not pr.merged and pr.state == "open"
    assert_golden("app/check-valid-merge-off.md", f"# {run.output['title']}\n\n{run.output['summary']}\n")


def test_merge_turned_off_before_the_landing_judges_again_and_reports(app_world: World) -> None:
    sim, _, service = app_world
    queue = service.runtime.queue
    settle(sim, service)  # the start-up passes (reconciliation) first, so only this PR's jobs are counted
    queue.stop_consumer()
    number = sign(sim, "ada")
    assert sim.webhooks.wait()
    service.fed()
    assert queue.pending() == 1
    wait_until(queue.run_one, 10, "the evaluation")  # the PR's evaluation, here and now: valid, so it waits to land
    assert queue.pending() == 1  # the landing
    assert runs(sim, pr_state(sim, number).head_sha) == []
    set_config(sim, "merge:\n  enabled: false\n")  # then, before the landing runs, merging is turned off
    service.runtime.queue.start_consumer(2)
    settle(sim, service)
    pr = pr_state(sim, number)
    [run] = runs(sim, pr.head_sha)
    assert run.conclusion == "success" and "A maintainer can merge it." in run.output["summary"]
    assert not pr.merged and pr.state == "open"
    assert service.runtime.dispatcher is not None and service.runtime.dispatcher.ready.items(REPO) == []


def test_a_head_that_already_shows_a_check_gets_the_new_one_at_once(app_world: World) -> None:
    sim, _, service = app_world
    sim.world.repo(REPO).protected.add("main")
    number = sign(sim, "ada")
    settle(sim, service)
    head = pr_state(sim, number).head_sha
    assert [r.conclusion for r in runs(sim, head)] == ["action_required"]
    sim.world.repo(REPO).protected.discard("main")  # the maintainer lets the App land, and asks again
    person(sim, "maintainer").comment(REPO, number, "/recheck")
    settle(sim, service)
    assert pr_state(sim, number).merged
    [run] = runs(sim, head)  # the same run, updated: a merged PR never keeps a stale "blocked" check
    assert run.conclusion == "success"
