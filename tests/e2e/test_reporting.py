"""End to end over real HTTP: the service and the simulator, people acting through REST."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.github_sim import Demo, Simulator, person, seed_demo
from tests.github_sim.demo import DEMO_CONFIG
from tests.helpers import assert_golden
from tests.service import SECRET, Service, settings_for, settle

LINE = "-  {name} [@{login}](https://github.com/{login})"
REPO = "maintainer/microsoft-drop-ice"
World = tuple[Simulator, Demo, Service]


def runs(sim: Simulator, sha: str) -> list[Any]:
    return [r for r in sim.world.check_runs.values() if r.head_sha == sha]


def bot_comments(sim: Simulator, number: int) -> list[Any]:
    return [c for c in sim.world.comments.values() if c.number == number and c.user.type == "Bot"]


def pr_state(sim: Simulator, number: int) -> Any:
    return sim.world.pull(sim.world.repo(REPO), number)


def sign(sim: Simulator, login: str, name: str, as_login: str | None = None) -> int:
    opened = person(sim, login).sign(REPO, "README.md", LINE.format(name=name, login=as_login or login))
    return int(opened["number"])


@pytest.fixture
def labelled_world(sim: Simulator, tmp_path: Path) -> Iterator[World]:
    """The demo world with the `invalid` label turned on (labels are off by default, issue 21)."""
    config = DEMO_CONFIG + "report:\n  labels:\n    invalid: needs-changes\n"
    demo = seed_demo(sim.world, signers=4, webhook_url=None, webhook_secret="e2e-webhook-secret", config=config)
    service = Service(settings_for(sim, demo, tmp_path / "data")).start()
    demo.app.webhook_url = service.url
    yield sim, demo, service
    service.stop()


def post(
    service: Service, event: str, payload: dict[str, Any], delivery: str | None = None, secret: str = SECRET
) -> httpx.Response:
    body = json.dumps(payload).encode()
    sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery or str(uuid.uuid4()), "X-Hub-Signature-256": sig}
    return httpx.post(service.url, content=body, headers=headers)


def test_valid_signature_lands_with_no_check_and_only_the_thank_you(app_world: World) -> None:
    sim, _, service = app_world
    number = sign(sim, "ada", "Ada Lovelace")
    settle(sim, service)
    pr = pr_state(sim, number)
    assert pr.merged  # GitHub shows it merged: that is the signer's outcome
    assert runs(sim, pr.head_sha) == []  # so the success check, one paced write per signer, is never posted
    # nothing to fix: the one comment is the thank-you (issue 22: report.thank_you, on by default)
    [thanks] = bot_comments(sim, number)
    assert f"has landed in {pr.merge_commit_sha}" in thanks.body
    assert pr.labels == []  # the "valid" label is off by default
    assert sim.faults.calls("POST", r"/check-runs$", actor="installation:") == []


def test_invalid_signature_gets_no_label_by_default(app_world: World) -> None:
    sim, _, service = app_world
    number = sign(sim, "grace", "Grace Hopper", as_login="ada")
    settle(sim, service)
    pr = pr_state(sim, number)
    assert [r.conclusion for r in runs(sim, pr.head_sha)] == ["failure"] and len(bot_comments(sim, number)) == 1
    assert pr.labels == []  # labels are last, and off by default (issue 21): the check and the comment say it
    assert sim.faults.calls("POST", r"/labels$", actor="installation:") == []


def test_invalid_signature_gets_check_annotations_comment_and_label(labelled_world: World) -> None:
    sim, _, service = labelled_world
    number = sign(sim, "grace", "Grace Hopper", as_login="ada")
    settle(sim, service)
    pr = pr_state(sim, number)
    [run] = runs(sim, pr.head_sha)
    assert run.conclusion == "failure" and run.output["title"] == "1 problem to fix before this can land"
    assert [(a["path"], a["start_line"], a["title"]) for a in run.annotations] == [("README.md", 38, "author-mismatch")]
    [comment] = bot_comments(sim, number)
    # Signing for someone else is not a format problem: the comment says so and offers no corrected line
    # (issue 10: a suggestion never changes whose signature it is).
    assert "@ada" in comment.body and "suggestion" not in comment.body and "[@grace]" not in comment.body
    assert pr.labels == ["needs-changes"]
    assert_golden("app/check-invalid.md", f"# {run.output['title']}\n\n{run.output['summary']}\n")
    assert_golden("app/comment-invalid.md", comment.body)


def test_three_pushes_edit_one_comment_and_the_fix_turns_it_green(labelled_world: World) -> None:
    sim, _, service = labelled_world
    number = sign(sim, "linus", "Linus", as_login="someone")
    settle(sim, service)
    linus = person(sim, "linus")
    text, _ = linus.read("linus/microsoft-drop-ice", "README.md", "linus-sign")
    for bad in ("- Linus @linus", "-  Linus [@linus](https:/github.com/linus)"):
        text = text.rstrip("\n").rsplit("\n", 1)[0] + "\n" + bad + "\n"
        linus.write("linus/microsoft-drop-ice", "README.md", text, "linus-sign")
        settle(sim, service)
    assert len(bot_comments(sim, number)) == 1
    assert "line-format" in bot_comments(sim, number)[0].body
    text = text.rstrip("\n").rsplit("\n", 1)[0] + "\n" + LINE.format(name="Linus", login="linus") + "\n"
    linus.write("linus/microsoft-drop-ice", "README.md", text, "linus-sign")
    settle(sim, service)
    [comment] = bot_comments(sim, number)
    pr = pr_state(sim, number)
    assert runs(sim, pr.head_sha) == []  # the fixed head landed: merged is its outcome
    assert pr.merged and pr.labels == []  # landed; needs-changes removed
    assert f"has landed in {pr.merge_commit_sha}" in comment.body  # the same comment, now a thank-you
    landed = comment.body.replace(str(pr.merge_commit_sha), "<sha>")
    assert_golden("app/comment-landed.md", re.sub(r"(See the letter: )\S+/blob/", r"\1<site>/blob/", landed))


def test_letter_text_fix_is_neutral_and_left_alone(app_world: World) -> None:
    sim, _, service = app_world
    maint = person(sim, "maintainer")
    maint.branch(REPO, "typo")
    text, _ = maint.read(REPO, "README.md", "typo")
    maint.write(REPO, "README.md", text.replace("end is relationship", "end its relationship"), "typo")
    number = int(maint.open_pr(REPO, "typo", "Fix a typo")["number"])
    settle(sim, service)
    pr = pr_state(sim, number)
    [run] = runs(sim, pr.head_sha)
    assert run.conclusion == "neutral" and run.output["title"] == "Not a signature: left to the maintainers"
    assert bot_comments(sim, number) == [] and pr.labels == []
    assert pr.state == "open"


def _lea_pr(sim: Simulator, branch: str, edit: Any) -> int:
    repo = sim.world.repo(REPO)
    if "leaverou" not in sim.world.users:
        sim.world.add_user("leaverou")
    found = repo.git.read_path("refs/heads/main", "README.md")
    assert found is not None
    lea = person(sim, "leaverou")
    fork = lea.fork(REPO)
    lea.branch(fork, branch)
    lea.write(fork, "README.md", edit(found[1].decode()), branch)
    return int(lea.open_pr(REPO, branch, branch, fork=fork)["number"])


LEA_LINE = "-  Lea Verou [@leaverou](https://github.com/leaverou)\n"


def test_withdraw_is_valid_and_lands(app_world: World) -> None:
    sim, _, service = app_world
    number = _lea_pr(sim, "bye", lambda t: t.replace(LEA_LINE, ""))
    settle(sim, service)
    assert runs(sim, pr_state(sim, number).head_sha) == []
    assert pr_state(sim, number).merged
    assert "leaverou" not in sim.world.repo(REPO).git.read_path("refs/heads/main", "README.md")[1].decode()  # type: ignore[index]


def test_amend_is_valid_and_lands(app_world: World) -> None:
    sim, _, service = app_world
    number = _lea_pr(sim, "accent", lambda t: t.replace("Lea Verou", "Léa Verou"))
    settle(sim, service)
    assert runs(sim, pr_state(sim, number).head_sha) == []
    assert pr_state(sim, number).merged
    assert "Léa Verou" in sim.world.repo(REPO).git.read_path("refs/heads/main", "README.md")[1].decode()  # type: ignore[index]


def test_withdraw_and_amend_at_once_end_with_no_line(app_world: World) -> None:
    sim, _, service = app_world
    service.runtime.queue.stop_consumer()  # both wait, then race to land
    withdraw = _lea_pr(sim, "bye", lambda t: t.replace(LEA_LINE, ""))
    amend = _lea_pr(sim, "accent", lambda t: t.replace("Lea Verou", "Léa Verou"))
    assert sim.webhooks.wait()
    service.fed()
    service.runtime.queue.start_consumer(2)
    settle(sim, service)
    text = sim.world.repo(REPO).git.read_path("refs/heads/main", "README.md")[1].decode()  # type: ignore[index]
    assert "leaverou" not in text  # whichever landed first, the withdrawal wins in the end
    assert pr_state(sim, withdraw).merged
    amended = pr_state(sim, amend)
    if not amended.merged:  # the withdrawal landed first: the amendment is told why it cannot land
        assert "line-gone" in runs(sim, amended.head_sha)[-1].output["summary"]


def test_config_error_makes_signers_wait_neutrally(app_world: World) -> None:
    # The maintainer gets the errors on the commit that broke the config (tests/e2e/test_config_lifecycle.py).
    sim, _, service = app_world
    maint = person(sim, "maintainer")
    maint.write(REPO, ".github/undersigned.yml", "version: 1\nletter:\n  fiel: README.md\n", "main")
    number = sign(sim, "ada", "Ada Lovelace")
    settle(sim, service)
    [run] = runs(sim, pr_state(sim, number).head_sha)
    assert run.conclusion == "neutral" and run.output["title"] == "Waiting for the maintainers to fix the configuration"
    assert "fiel" not in run.output["summary"]  # nothing the signer can fix
    assert bot_comments(sim, number) == []


def test_repo_without_config_is_not_a_letter(app_world: World) -> None:
    sim, _, service = app_world
    maint = person(sim, "maintainer")
    maint.delete(REPO, ".github/undersigned.yml", "main")
    number = sign(sim, "ada", "Ada Lovelace")
    settle(sim, service)
    assert runs(sim, pr_state(sim, number).head_sha) == [] and bot_comments(sim, number) == []
    assert sim.faults.calls("POST", actor="installation:") == []


def test_config_in_the_pr_is_never_used(app_world: World) -> None:
    sim, _, service = app_world
    grace = person(sim, "grace")
    fork = grace.fork(REPO)
    grace.branch(fork, "sneaky")
    text, _ = grace.read(fork, "README.md", "sneaky")
    grace.write(fork, "README.md", text.rstrip("\n") + "\n" + LINE.format(name="Ada", login="ada") + "\n", "sneaky")
    grace.write(fork, ".github/undersigned.yml", "version: 1\nsigners:\n  author_must_match: false\n", "sneaky")
    number = int(grace.open_pr(REPO, "sneaky", "Sign", fork=fork)["number"])
    settle(sim, service)
    [run] = runs(sim, pr_state(sim, number).head_sha)
    assert run.conclusion == "failure"
    assert "author-mismatch" in run.output["summary"] and "other-files-changed" in run.output["summary"]


def test_recheck_by_author_or_maintainer_only(app_world: World) -> None:
    sim, _, service = app_world
    number = sign(sim, "ada", "Ada Lovelace", as_login="someone")  # invalid: stays open
    settle(sim, service)
    before = len(sim.faults.calls("GET", rf"/pulls/{number}$", actor="installation:"))
    person(sim, "grace").comment(REPO, number, "/recheck")
    settle(sim, service)
    assert len(sim.faults.calls("GET", rf"/pulls/{number}$", actor="installation:")) == before
    person(sim, "ada").comment(REPO, number, "/recheck please")
    settle(sim, service)
    person(sim, "maintainer").comment(REPO, number, "/recheck")
    settle(sim, service)
    assert len(sim.faults.calls("GET", rf"/pulls/{number}$", actor="installation:")) == before + 2


def test_rerun_button_on_a_fork_pr_finds_its_pr(app_world: World) -> None:
    sim, _, service = app_world
    number = sign(sim, "ada", "Ada Lovelace", as_login="someone")  # invalid: stays open
    settle(sim, service)
    [run] = runs(sim, pr_state(sim, number).head_sha)
    before = len(sim.faults.calls("GET", rf"/pulls/{number}$", actor="installation:"))
    assert person(sim, "ada").http.post(f"/repos/{REPO}/check-runs/{run.id}/rerequest").status_code == 201
    settle(sim, service)
    assert len(sim.faults.calls("GET", rf"/pulls/{number}$", actor="installation:")) > before


def test_new_repo_on_an_installation_gets_its_open_prs_evaluated(app_world: World) -> None:
    sim, demo, service = app_world
    maint = sim.world.user("maintainer")
    other = sim.world.create_repo(
        maint,
        "second-letter",
        {"README.md": b"Signed,\n\n", ".github/undersigned.yml": b"version: 1\nletter:\n  start_after: 'Signed,'\n"},
    )
    ada = person(sim, "ada")
    opened = ada.sign(other.full_name, "README.md", "- Ada Lovelace [@ada](https://github.com/ada)")
    settle(sim, service)
    assert not sim.world.pull(other, int(opened["number"])).merged  # not installed yet: no event
    sim.world.add_installation_repos(demo.installation, [other.full_name])
    settle(sim, service)
    assert sim.world.pull(other, int(opened["number"])).merged


def test_comments_can_be_turned_off(app_world: World) -> None:
    sim, _, service = app_world
    maint = person(sim, "maintainer")
    text, _ = maint.read(REPO, ".github/undersigned.yml")
    maint.write(REPO, ".github/undersigned.yml", text + "report:\n  comment: false\n", "main")
    number = sign(sim, "grace", "Grace Hopper", as_login="ada")
    settle(sim, service)
    assert [r.conclusion for r in runs(sim, pr_state(sim, number).head_sha)] == ["failure"]
    assert bot_comments(sim, number) == []
