"""undersigned as a GitHub Action, end to end: the simulator's runner runs `undersigned action` per event, with
a GITHUB_TOKEN of the workflow's permissions, one concurrency group, and no App anywhere."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.e2e.action_support import LINE, REPO, letter_world
from tests.github_sim import Simulator, person
from tests.helpers import SEED_CONFIG_YAML, assert_golden

BROKEN = "version: 1\nletter:\n  file: README.md\n  start_after: 'Signed,'\n  oder: append\n"
LEA_LINE = "-  Lea Verou [@leaverou](https://github.com/leaverou)\n"


def test_one_signature_lands_and_the_tokens_own_pushes_start_nothing(sim: Simulator) -> None:
    w = letter_world(sim, ["ada"])
    number = w.sign("ada", "Ada Lovelace")
    runs = w.settle()
    # The landing pushed to main and closed the PR, with the run's GITHUB_TOKEN: neither started a run.
    assert [(r.event, r.action, r.conclusion) for r in runs] == [("pull_request_target", "opened", "success")]
    assert w.pull(number).merged, runs[0].output
    assert w.letter().count("[@ada]") == 1
    assert w.runs_on(w.pull(number).head_sha) == []  # merged is the outcome
    [thanks] = w.comments(number)  # and the one comment is the thank-you (issue 22: report.thank_you)
    assert "has landed in" in thanks.body
    assert "| [#1](" in runs[0].summary and "valid signature; landed in" in runs[0].summary


def test_thirty_concurrent_fork_prs_all_land_exactly_once(sim: Simulator) -> None:
    signers = [f"signer{i:02d}" for i in range(30)]
    w = letter_world(sim, signers)
    sim.world.to_top_of_hour()  # the token's requests, compared below, in one hourly window
    start = time.monotonic()
    with ThreadPoolExecutor(10) as pool:
        numbers = list(pool.map(lambda login: w.sign(login, f"Person {login[-2:]}"), signers))
    runs = w.settle(600)
    took = time.monotonic() - start
    text = w.letter()
    for login, number in zip(signers, numbers, strict=True):
        assert text.count(f"[@{login}]") == 1, login
        assert w.pull(number).merged, number  # every signer sees the outcome: their PR merged
    done = [r for r in runs if r.conclusion != "cancelled"]
    assert all(r.conclusion == "success" for r in done), [r.output for r in done if r.conclusion != "success"]
    requests = sum(r.requests for r in done)
    print(
        f"\n30 fork PRs: {len(runs)} runs ({len(runs) - len(done)} cancelled while pending), {took:.1f} s, "
        f"{requests} requests, {requests / 30:.1f} per signature, "
        f"{int(1000 / (requests / 30))} signatures/hour on GITHUB_TOKEN's 1,000 requests"
    )
    assert w.runner.used(REPO) == requests


def test_a_cancelled_pending_run_loses_no_signature(sim: Simulator) -> None:
    w = letter_world(sim, ["ada", "grace", "linus"])
    w.runner.gate = threading.Event()  # the runner is busy: runs wait to start
    first = w.sign("ada", "Ada Lovelace")
    second = w.sign("grace", "Grace Hopper")
    third = w.sign("linus", "Linus")
    runs = list(w.runner.runs)
    assert [r.status for r in runs] == ["queued", "completed", "queued"]  # one running (at the gate), one pending
    assert runs[1].conclusion == "cancelled"  # grace's run: cancelled by linus's, as GitHub does
    w.runner.gate.set()
    w.settle()
    assert all(w.pull(n).merged for n in (first, second, third))  # grace's PR was found all the same
    # ada's run, started last of all, found the two others waiting and landed the three in one commit
    assert len({w.pull(n).merge_commit_sha for n in (first, second, third)}) == 1
    assert w.letter().count("[@grace]") == 1


def test_invalid_signature_gets_the_apps_check_and_comment(sim: Simulator) -> None:
    w = letter_world(sim, ["grace"])
    number = w.sign("grace", "Grace Hopper", as_login="ada")
    w.settle()
    pr = w.pull(number)
    [run] = w.runs_on(pr.head_sha)
    assert run.conclusion == "failure" and run.app.slug == "github-actions"
    assert [(a["path"], a["start_line"], a["title"]) for a in run.annotations] == [("README.md", 38, "author-mismatch")]
    [comment] = w.comments(number)
    assert comment.user.login == "github-actions[bot]" and pr.labels == []  # labels: off by default (issue 21)
    assert_golden("app/check-invalid.md", f"# {run.output['title']}\n\n{run.output['summary']}\n")
    assert_golden("app/comment-invalid.md", comment.body)
    assert not pr.merged
    assert "needs changes (author-mismatch)" in w.runner.runs[0].summary


def test_a_fix_edits_the_one_comment_and_lands_with_the_apps_thanks(sim: Simulator) -> None:
    w = letter_world(sim, ["linus"])
    number = w.sign("linus", "Linus", as_login="someone")
    w.settle()
    linus = person(sim, "linus")
    text, _ = linus.read("linus/microsoft-drop-ice", "README.md", "linus-sign")
    text = text.rstrip("\n").rsplit("\n", 1)[0] + "\n" + LINE.format(name="Linus", login="linus") + "\n"
    linus.write("linus/microsoft-drop-ice", "README.md", text, "linus-sign")
    w.settle()
    pr = w.pull(number)
    [comment] = w.comments(number)  # found again by its hidden marker: the run kept nothing
    assert pr.merged and pr.labels == []
    landed = comment.body.replace(str(pr.merge_commit_sha), "<sha>")
    assert_golden("app/comment-landed.md", re.sub(r"(See the letter: )\S+/blob/", r"\1<site>/blob/", landed))


def _lea_pr(w: object, sim: Simulator, branch: str, edit: object) -> int:
    repo = sim.world.repo(REPO)
    if "leaverou" not in sim.world.users:
        sim.world.add_user("leaverou")
    found = repo.git.read_path("refs/heads/main", "README.md")
    assert found is not None and callable(edit)
    lea = person(sim, "leaverou")
    fork = lea.fork(REPO)
    lea.branch(fork, branch)
    lea.write(fork, "README.md", edit(found[1].decode()), branch)
    return int(lea.open_pr(REPO, branch, branch, fork=fork)["number"])


def test_withdraw_amend_and_duplicate_behave_as_in_the_app(sim: Simulator) -> None:
    w = letter_world(sim, ["ada"])
    amend = _lea_pr(w, sim, "accent", lambda t: t.replace("Lea Verou", "Léa Verou"))
    w.settle()
    assert w.pull(amend).merged and "Léa Verou" in w.letter()
    withdraw = _lea_pr(w, sim, "bye", lambda t: t.replace(LEA_LINE.replace("Lea", "Léa"), ""))
    w.settle()
    assert w.pull(withdraw).merged and "leaverou" not in w.letter()
    first = w.sign("ada", "Ada Lovelace")
    w.settle()
    assert w.pull(first).merged
    ada = person(sim, "ada")
    ada.branch("ada/microsoft-drop-ice", "again")
    text, _ = ada.read(REPO, "README.md")
    ada.write("ada/microsoft-drop-ice", "README.md", text + LINE.format(name="Ada L.", login="ada") + "\n", "again")
    again = int(ada.open_pr(REPO, "again", "Sign again", fork="ada/microsoft-drop-ice")["number"])
    w.settle()
    pr = w.pull(again)
    [run] = w.runs_on(pr.head_sha)
    assert run.conclusion == "failure" and not pr.merged
    assert w.letter().count("[@ada]") == 1


def test_recheck_after_the_maintainer_unblocks_landing(sim: Simulator) -> None:
    w = letter_world(sim, ["ada"])
    w.repo.protected.add("main")
    number = w.sign("ada", "Ada Lovelace")
    w.settle()
    head = w.pull(number).head_sha
    assert [r.conclusion for r in w.runs_on(head)] == ["action_required"]
    w.repo.protected.discard("main")
    person(sim, "grace" if "grace" in sim.world.users else "maintainer").comment(REPO, number, "/recheck")
    runs = w.settle()
    assert runs[-1].event == "issue_comment" and w.pull(number).merged
    [run] = w.runs_on(head)  # the same check run, found on GitHub and updated: no stale "blocked"
    assert run.conclusion == "success"


def test_a_comment_that_is_not_a_recheck_costs_no_request(sim: Simulator) -> None:
    w = letter_world(sim, ["ada"])
    number = w.sign("ada", "Ada Lovelace", as_login="someone")
    w.settle()
    person(sim, "ada").comment(REPO, number, "thanks!")
    runs = w.settle()
    assert runs[-1].event == "issue_comment" and runs[-1].conclusion == "success" and runs[-1].requests == 0


def test_a_fork_pr_editing_the_workflow_or_the_action_is_neither_run_nor_landed(sim: Simulator, tmp_path: Path) -> None:
    w = letter_world(sim, ["mallory"])
    marker = tmp_path / "pwned"
    mallory = person(sim, "mallory")
    fork = mallory.fork(REPO)
    mallory.branch(fork, "sneaky")
    flow, _ = mallory.read(fork, ".github/workflows/undersigned.yml", "sneaky")
    evil = flow.replace("    steps:\n", f"    steps:\n      - run: touch {marker}\n")
    mallory.write(fork, ".github/workflows/undersigned.yml", evil, "sneaky")
    for path in ("action.yml", "Makefile", "setup.py"):
        mallory.write(fork, path, f"touch {marker}\n", "sneaky")
    text, _ = mallory.read(fork, "README.md", "sneaky")
    mallory.write(fork, "README.md", text + LINE.format(name="Mallory", login="mallory") + "\n", "sneaky")
    number = int(mallory.open_pr(REPO, "sneaky", "Sign", fork=fork)["number"])
    mallory.comment(REPO, number, "/recheck")
    runs = w.settle()
    assert not marker.exists()
    assert all(f"touch {marker}" not in step for r in runs for step in r.steps)  # the default branch's workflow ran
    pr = w.pull(number)
    assert not pr.merged
    [run] = w.runs_on(pr.head_sha)
    assert run.conclusion == "failure" and "other-files-changed" in run.output["summary"]
    assert w.repo.git.read_path("refs/heads/main", "action.yml") is None


def test_a_broken_config_shows_the_maintainer_the_error_on_their_commit(sim: Simulator) -> None:
    w = letter_world(sim, ["ada"])
    maint = person(sim, "maintainer")
    maint.write(REPO, ".github/undersigned.yml", BROKEN, "main", "Try a new key")
    broke = w.repo.git.ref("refs/heads/main")
    runs = w.settle()
    assert [(r.event, r.conclusion) for r in runs] == [("push", "failure")]
    assert "::error title=undersigned::The letter's configuration (.github/undersigned.yml) in commit" in runs[0].output
    [check] = [r for r in sim.world.check_runs.values() if r.head_sha == broke]
    assert check.conclusion == "failure" and check.output["title"] == ".github/undersigned.yml has 1 error"
    assert "`letter.oder` (line 5): unknown key; did you mean `order`?" in check.output["summary"]
    number = w.sign("ada", "Ada Lovelace")
    w.settle()
    [waiting] = w.runs_on(w.pull(number).head_sha)
    assert waiting.conclusion == "neutral" and not w.pull(number).merged
    maint.write(REPO, ".github/undersigned.yml", SEED_CONFIG_YAML, "main", "Fix the config")
    w.settle()
    assert w.pull(number).merged


def test_a_scheduled_run_finds_what_no_run_decided(sim: Simulator) -> None:
    w = letter_world(sim, ["ada"])
    w.runner.paused = True  # the PR's own run never happens (GitHub had an outage, say)
    number = w.sign("ada", "Ada Lovelace")
    w.runner.paused = False
    assert not w.runner.runs
    [run] = w.runner.schedule(w.repo)
    w.settle()
    assert run.conclusion == "success" and w.pull(number).merged
    [button] = w.runner.dispatch(w.repo)  # "Run workflow": nothing left to do, and it says so
    w.settle()
    assert button.conclusion == "success" and "Nothing to decide or land in this run." in button.summary


def test_signatures_one_at_a_time_cost_what_the_readme_says(sim: Simulator) -> None:
    signers = ["ada", "grace", "linus", "margaret", "alan"]
    w = letter_world(sim, signers)
    for login in signers:
        w.sign(login)
        w.settle()
    runs = [r for r in w.runner.runs if r.conclusion == "success"]
    assert len(runs) == len(signers) and all(w.pull(n).merged for n in range(1, 6))
    per = sum(r.requests for r in runs) / len(signers)
    print(f"\none at a time: {per:.1f} requests per signature, {int(1000 / per)} signatures/hour on GITHUB_TOKEN")
    assert per <= 15  # the README's figure for a signature that lands alone


def test_a_used_up_hour_says_so_and_the_next_hour_goes_on(sim: Simulator) -> None:
    w = letter_world(sim, ["ada"])
    # The budget is keyed by the clock hour: start this test at the top of an hour, or a run that starts in the
    # next hour (the test crossed xx:00) finds a fresh budget and the test fails for the wrong reason.
    sim.world.to_top_of_hour()
    window = int(sim.world.now() // 3600)
    sim.used[f"actions:{REPO.lower()}:{window}"] = 1000  # the repository's GITHUB_TOKEN budget is spent
    number = w.sign("ada", "Ada Lovelace")
    [run] = w.settle()
    assert run.conclusion == "failure" and not w.pull(number).merged
    assert "::error title=undersigned::GitHub's rate limit for this repository's token is used up" in run.output
    sim.world.offset += 3600  # the next hour: the scheduled run finds the signature
    w.runner.schedule(w.repo)
    w.settle()
    assert w.pull(number).merged


def test_runs_do_not_evaluate_again_what_is_decided(sim: Simulator) -> None:
    labelled = SEED_CONFIG_YAML + "report:\n  labels:\n    invalid: needs-changes\n"  # off by default (issue 21)
    w = letter_world(sim, ["ada", "grace"], config=labelled)
    invalid = w.sign("grace", "Grace Hopper", as_login="someone")
    maint = person(sim, "maintainer")
    maint.branch(REPO, "typo")
    text, _ = maint.read(REPO, "README.md", "typo")
    maint.write(REPO, "README.md", text.replace("end is relationship", "end its relationship"), "typo")
    typo = int(maint.open_pr(REPO, "typo", "Fix a typo")["number"])
    w.settle()
    assert [r.conclusion for r in w.runs_on(w.pull(typo).head_sha)] == ["neutral"]
    before = len(w.runner.runs)
    w.sign("ada", "Ada Lovelace")
    w.settle()
    [ada_run] = w.runner.runs[before:]
    actor = sim.faults.calls(actor="installation:")
    invalid_head, typo_head = w.pull(invalid).head_sha, w.pull(typo).head_sha
    ada_calls = [c for c in actor if c.actor == actor[-1].actor]
    # Neither PR evaluated again in ada's run: not read, compared, reported on or commented on.
    touched = (f"/pulls/{invalid}", f"/pulls/{typo}", f"/issues/{invalid}/", f"/issues/{typo}/", typo_head)
    assert not [c.path for c in ada_calls if any(t in c.path for t in touched)]
    assert not any(invalid_head in c.path for c in ada_calls)  # labelled: not even read
    assert [r.conclusion for r in w.runs_on(typo_head)] == ["neutral"]
    assert [r.conclusion for r in w.runs_on(invalid_head)] == ["failure"]
    assert ada_run.conclusion == "success"
