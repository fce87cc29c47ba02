"""Setting the Action up: `undersigned init`'s files and the README's workflow run as they are; the token has
only the workflow's permissions; the step's environment and the event decide what a run does."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from app.action.env import ActionEnv, ActionEnvError
from app.action.events import UnusedEventError, jobs_for
from app.action.init import STARTER_CONFIG
from app.action.state import says
from app.action.summary import annotation
from app.action.workflow import workflow
from config import Config, parse_config
from tests.e2e.action_support import REPO, letter_world
from tests.github_sim import Simulator, person
from tests.github_sim.actions import ActionsRunner
from tests.helpers import ROOT

LETTER = "# An open letter\n\nWe ask for better things.\n\nSigned,\n\n"


def test_init_as_written_runs_as_is(sim: Simulator, tmp_path: Path) -> None:
    letter = tmp_path / "path" / "to" / "letter-repo"
    letter.mkdir(parents=True)
    (letter / "README.md").write_text(LETTER)
    looked = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "undersigned"), "init", "path/to/letter-repo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert looked.returncode == 0, looked.stderr
    assert "Nothing written" in looked.stdout and [p.name for p in letter.rglob("*")] == ["README.md"]
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "undersigned"), "init", "--write", "--action", "path/to/letter-repo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert ".github/workflows/undersigned.yml: written" in done.stdout
    assert ".github/undersigned.yml: a starter config" in done.stdout
    files = {p.relative_to(letter).as_posix(): p.read_bytes() for p in letter.rglob("*") if p.is_file()}
    assert isinstance(parse_config(STARTER_CONFIG), Config)
    maintainer = sim.world.add_user("maintainer")
    sim.world.add_user("ada")
    repo = sim.world.create_repo(maintainer, "microsoft-drop-ice", files)
    runner = ActionsRunner(sim, {"UNDERSIGNED_MUTATION_INTERVAL": "0"})
    number = int(person(sim, "ada").sign(REPO, "README.md", "- Ada Lovelace [@ada](https://github.com/ada)")["number"])
    assert runner.wait(120)
    assert [r.conclusion for r in runner.runs] == ["success"], runner.runs[0].output
    assert sim.world.pull(repo, number).merged
    again = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "undersigned"), "init", "--write", str(letter)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ".github/undersigned.yml: kept as it is" in again.stdout  # a config of the maintainer's is never replaced


def readme_workflow() -> str:
    text = (ROOT / "README.md").read_text()
    [block] = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "pull_request_target" in b]
    return str(block)


def test_the_readmes_workflow_block_runs_as_is(sim: Simulator) -> None:
    block = readme_workflow()
    assert block == workflow()  # the README shows what `undersigned init` writes
    w = letter_world(sim, ["ada"], flow=block)
    number = w.sign("ada", "Ada Lovelace")
    runs = w.settle()
    assert [r.conclusion for r in runs] == ["success"] and w.pull(number).merged
    assert any(step.startswith("run: undersigned action") for step in runs[0].steps)


def test_the_token_has_only_the_workflows_permissions(sim: Simulator) -> None:
    flow = workflow().replace("  checks: write\n", "")  # the maintainer dropped a permission
    w = letter_world(sim, ["grace"], flow=flow)
    number = w.sign("grace", "Grace Hopper", as_login="ada")  # invalid: needs a check run
    [run] = w.settle()
    assert run.conclusion == "failure"
    assert f"::error title=undersigned::checking pull request #{number}: GitHub answered 403" in run.output
    assert "Traceback" not in run.output.split("::error")[-1]


def test_the_step_says_what_is_missing() -> None:
    with pytest.raises(ActionEnvError, match=r"GITHUB_TOKEN not set.*secrets\.GITHUB_TOKEN"):
        ActionEnv.read({"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": "/x", "GITHUB_REPOSITORY": "a/b"})
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "undersigned"), "action"], capture_output=True, text=True, check=False, env={}
    )
    assert done.returncode == 2 and done.stdout.startswith("::error title=undersigned::GITHUB_EVENT_NAME,")


def test_events_become_the_apps_jobs() -> None:
    pr = {"action": "opened", "number": 7, "repository": {"full_name": "o/r"}}
    jobs, catch_up = jobs_for("pull_request_target", pr, "o/r")
    assert [(j.kind, j.number) for j in jobs] == [("evaluate", 7)] and catch_up
    assert jobs_for("pull_request_target", {**pr, "action": "closed"}, "o/r") == ([], True)  # lands what waits
    comment = {
        "action": "created",
        "repository": {"full_name": "o/r"},
        "issue": {"number": 7, "user": {"login": "ada"}, "pull_request": {}},
        "comment": {"body": "thanks!", "user": {"login": "ada"}},
    }
    assert jobs_for("issue_comment", comment, "o/r") == ([], False)  # no request at all
    push = {"ref": "refs/heads/dev", "after": "a" * 40, "repository": {"full_name": "o/r", "default_branch": "main"}}
    assert jobs_for("push", push, "o/r") == ([], False)
    assert [j.kind for j in jobs_for("schedule", {}, "o/r")[0]] == ["reconcile"]
    with pytest.raises(UnusedEventError, match="use pull_request_target"):
        jobs_for("pull_request", pr, "o/r")


def test_annotations_are_one_line_and_a_repeat_check_is_recognised() -> None:
    assert annotation("error", "50% done\nnext: line") == "::error title=undersigned::50%25 done%0Anext: line"
    run = {
        "status": "completed",
        "conclusion": "failure",
        "output": {"title": "T", "summary": "S", "annotations_count": 1},
    }
    assert says(run, repr(("failure", "T", "S", ({"path": "README.md"},))))
    assert not says(run, repr(("failure", "T", "S2", ({"path": "README.md"},))))
    assert not says(run, "__import__('os')")  # literal_eval only: never code
