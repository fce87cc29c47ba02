"""Moderation by comment, the public outputs and the thank-you, end to end in the simulator (issue 22, 4-6)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.landing_support import LINE, REPO, World, letter
from tests.github_sim import Simulator, person, seed_demo
from tests.github_sim.demo import DEMO_CONFIG
from tests.service import Service, settings_for, settle

CONFIG = DEMO_CONFIG + "signers:\n  trusted: [maintainer]\npublish:\n  path: _data/signatures.json\n"
SEED_COUNT = 21  # the seed letter's signatures (lines under "Signed,")
HOLD = "undersigned-on-hold"


@pytest.fixture
def world(sim: Simulator, tmp_path: Path) -> Iterator[World]:
    demo = seed_demo(sim.world, signers=4, webhook_url=None, webhook_secret="e2e-webhook-secret", config=CONFIG)
    service = Service(settings_for(sim, demo, tmp_path / "data")).start()
    demo.app.webhook_url = service.url
    yield sim, demo, service
    service.stop()


def bot_comments(sim: Simulator, number: int) -> list[str]:
    return [c.body for c in sorted(sim.world.comments.values(), key=lambda c: c.id)
            if c.number == number and c.user.type == "Bot"]  # fmt: skip


def published(sim: Simulator) -> dict[str, object]:
    return dict(json.loads(letter(sim, "_data/signatures.json")))


def sign(sim: Simulator, login: str, name: str) -> int:
    return int(person(sim, login).sign(REPO, "README.md", LINE.format(name=name, login=login))["number"])


def change_line(sim: Simulator, login: str, old: str, new: str | None) -> int:
    """The signer's own PR, from a fresh fork of the letter as it is now, that amends (new) or withdraws (None)
    their line."""
    if login not in sim.world.users:
        sim.world.add_user(login)
    edit = person(sim, login)
    fork = edit.fork(REPO)
    edit.branch(fork, "change")
    edit.write(fork, "README.md", letter(sim).replace(old + "\n", "" if new is None else new + "\n"), "change")
    return int(edit.open_pr(REPO, "change", "Change my signature", fork=fork)["number"])


def lines_in_letter(sim: Simulator) -> int:
    return sum(1 for x in letter(sim).split("Signed,", 1)[1].splitlines() if x.startswith("-  "))


def test_landing_publishes_and_thanks_and_counts_withdrawals_and_amendments(world: World) -> None:
    sim, _, service = world
    ada, grace = sign(sim, "ada", "Ada Lovelace"), sign(sim, "grace", "Grace Hopper")
    settle(sim, service)
    repo = sim.world.repo(REPO)
    pr = sim.world.pull(repo, ada)
    assert pr.merged
    [thanks] = bot_comments(sim, ada)  # a valid PR had no comment: the thank-you is a new one
    assert f"has landed in {pr.merge_commit_sha}" in thanks and "/blob/main/README.md" in thanks
    data = published(sim)
    assert data["count"] == SEED_COUNT + 2 == lines_in_letter(sim)
    rows = {r["login"]: r for r in data["signatures"]}  # type: ignore[attr-defined]
    assert rows["ada"]["name"] == "Ada Lovelace" and len(str(rows["ada"]["landed"])) == 10
    assert rows["selfagency"]["landed"] is None  # in the letter before undersigned: no landing known
    assert bot_comments(sim, grace)
    # One signer withdraws, another amends their name: one line less, and an amended line counted once.
    change_line(sim, "selfagency", LINE.format(name="Daniel Sieradski", login="selfagency"), None)
    change_line(sim, "nicksahler", LINE.format(name="Nicholas Sahler", login="nicksahler"),
                LINE.format(name="Nick Sahler", login="nicksahler"))  # fmt: skip
    settle(sim, service)
    data = published(sim)
    rows = {r["login"]: r for r in data["signatures"]}  # type: ignore[attr-defined]
    assert data["count"] == SEED_COUNT + 1 == lines_in_letter(sim)
    assert "selfagency" not in rows and rows["nicksahler"]["name"] == "Nick Sahler"
    # The public outputs say the same, read back from the letter.
    with httpx.Client(base_url=service.base) as http:
        got = http.get(f"/letters/{REPO}/signatures.json")
        assert got.status_code == 200 and got.json()["count"] == SEED_COUNT + 1
        etag = got.headers["etag"]
        assert http.get(f"/letters/{REPO}/signatures.json", headers={"If-None-Match": etag}).status_code == 304
        table = list(csv.reader(io.StringIO(http.get(f"/letters/{REPO}/signatures.csv").text)))
        assert len(table) == SEED_COUNT + 2 and table[-1][:2] == ["Grace Hopper", "grace"]
        svg = http.get(f"/letters/{REPO}/badge.svg")
        assert svg.headers["content-type"].startswith("image/svg+xml") and f">{SEED_COUNT + 1}<" in svg.text


def test_thank_you_can_be_turned_off(sim: Simulator, tmp_path: Path) -> None:
    demo = seed_demo(sim.world, signers=2, webhook_secret="e2e-webhook-secret",
                     config=DEMO_CONFIG + "report:\n  thank_you: false\n")  # fmt: skip
    service = Service(settings_for(sim, demo, tmp_path / "data")).start()
    demo.app.webhook_url = service.url
    try:
        number = sign(sim, "ada", "Ada Lovelace")
        settle(sim, service)
        assert sim.world.pull(sim.world.repo(REPO), number).merged and bot_comments(sim, number) == []
    finally:
        service.stop()


def test_hold_resume_and_remove_by_a_trusted_maintainer_only(world: World) -> None:
    sim, _, service = world
    repo = sim.world.repo(REPO)
    ada = sign(sim, "ada", "Ada Lovelace")
    settle(sim, service)
    assert sim.world.pull(repo, ada).merged
    # Anyone else: refused, nothing changes.
    for body in ("/undersigned hold", "/undersigned remove @ada spam", "/undersigned resume"):
        person(sim, "linus").comment(REPO, ada, body)
    settle(sim, service)
    refusals = bot_comments(sim, ada)[1:]
    assert len(refusals) == 3 and all("only the letter's trusted maintainers" in c for c in refusals)
    assert HOLD not in repo.labels and "[@ada]" in letter(sim)
    # The maintainer holds: a valid signature waits.
    maintainer = person(sim, "maintainer")
    maintainer.comment(REPO, ada, "/undersigned hold")
    settle(sim, service)
    assert HOLD in repo.labels and "On hold" in bot_comments(sim, ada)[-1]
    margaret = sign(sim, "margaret", "Margaret Hamilton")
    settle(sim, service)
    assert not sim.world.pull(repo, margaret).merged
    maintainer.comment(REPO, ada, "/undersigned resume")
    settle(sim, service)
    assert HOLD not in repo.labels and sim.world.pull(repo, margaret).merged
    # The maintainer removes Ada's signature: one commit, with the reason; the published list follows.
    maintainer.comment(REPO, margaret, "/undersigned remove @ada at her request (e-mail of 6 December)")
    settle(sim, service)
    assert "[@ada]" not in letter(sim) and "[@margaret]" in letter(sim)
    tip = repo.git.ref("refs/heads/main")
    assert tip is not None
    message = str(repo.git.commit_info(tip)["message"])
    assert "Remove the signature of @ada" in message and "at her request (e-mail of 6 December)" in message
    assert "Removed the signature of `@ada`" in bot_comments(sim, margaret)[-1]
    assert "ada" not in {r["login"] for r in published(sim)["signatures"]}  # type: ignore[attr-defined]
    # Twice: nothing left to remove, and it says so.
    maintainer.comment(REPO, margaret, "/undersigned remove @ada again")
    settle(sim, service)
    assert "has no signature of `@ada`" in bot_comments(sim, margaret)[-1]


def test_no_private_letter_in_any_public_output(world: World) -> None:
    sim, _, service = world
    urls = [f"/letters/{REPO}/signatures.json", f"/letters/{REPO}/signatures.csv", f"/letters/{REPO}/badge.svg"]
    sim.world.repo(REPO).private = True
    with httpx.Client(base_url=service.base) as http:
        nowhere = [http.get(u.replace(REPO, "maintainer/no-such-letter")) for u in urls]
        hidden = [http.get(u) for u in urls]
        assert [r.status_code for r in hidden] == [404, 404, 404] == [r.status_code for r in nowhere]
        assert [r.content for r in hidden] == [r.content for r in nowhere]
        page = http.get(f"/sign/{REPO}", headers={"Accept": "text/html"})
        assert "Who signed" not in page.text and "selfagency" not in page.text


def test_what_a_signer_wrote_is_inert_in_every_public_output(world: World) -> None:
    sim, _, service = world
    maintainer = person(sim, "maintainer")
    hostile = LINE.format(name='=HYPERLINK("https://evil.example";"click")', login="mallory")
    maintainer.write(REPO, "README.md", letter(sim).rstrip("\n") + "\n" + hostile + "\n", "main", "A line")
    with httpx.Client(base_url=service.base) as http:
        table = list(csv.reader(io.StringIO(http.get(f"/letters/{REPO}/signatures.csv").text)))
        assert table[-1][:2] == ['\'=HYPERLINK("https://evil.example";"click")', "mallory"]
        assert all(not cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)
        data = http.get(f"/letters/{REPO}/signatures.json")
        assert data.json()["signatures"][-1]["name"].startswith("=HYPERLINK")  # the JSON keeps the value
        assert data.headers["x-content-type-options"] == "nosniff"
