"""Onboarding by pull request, end to end over real HTTP: the App installed on a letter with no config opens one
PR adding the inferred config; the maintainer merges it and the first signature lands. Closed, it is never opened
again, even by a service that remembers nothing; reconciliation finds an installation no webhook announced."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from app.infer.infer import infer
from app.worker.onboard import BRANCH, looks_like_a_letter
from bench.init_report import gallery, shape_files
from config import Config, parse_config
from tests.github_sim import Demo, Simulator, person
from tests.github_sim.demo import SEED_LETTER
from tests.github_sim.keys import app_key
from tests.github_sim.models import Installation, PullRequest
from tests.helpers import assert_golden
from tests.service import SECRET, Service, settings_for, settle, wait_until

REPO = "maintainer/microsoft-drop-ice"
ADA = "-  Ada Lovelace [@ada](https://github.com/ada)"


def letter_without_config(sim: Simulator) -> Demo:
    world = sim.world
    maintainer = world.add_user("maintainer", name="Letter Maintainer")
    ada = world.add_user("ada")
    repo = world.create_repo(maintainer, "microsoft-drop-ice", {"README.md": SEED_LETTER.read_bytes()})
    private, public = app_key()
    app = world.add_app("undersigned", maintainer, public, None, SECRET)  # no webhook URL yet: nothing delivered
    return Demo(world, app, private, cast(Installation, None), repo, maintainer, [ada])


def onboarding_prs(sim: Simulator) -> list[PullRequest]:
    return [pr for pr in sim.world.pulls.values() if pr.repo.full_name == REPO and pr.head_ref == BRANCH]


def test_install_onboarding_pr_merge_and_the_first_signature_lands(sim: Simulator, tmp_path: Path) -> None:
    demo = letter_without_config(sim)
    service = Service(settings_for(sim, demo, tmp_path / "data")).start()
    try:
        demo.app.webhook_url = service.url
        sim.world.install(demo.app, demo.maintainer, [REPO])  # the `installation` webhook
        settle(sim, service)
        [pr] = onboarding_prs(sim)
        assert pr.state == "open" and pr.user is demo.app.bot and pr.base_ref == "main"
        assert pr.title == "Configure undersigned for this letter"
        assert pr.body is not None
        assert_golden("app/onboarding-pr.md", pr.body)
        maintainer = person(sim, "maintainer")
        text, _ = maintainer.read(REPO, ".github/undersigned.yml", BRANCH)
        config = parse_config(text)
        assert isinstance(config, Config)
        assert (config.letter.file, config.letter.start_after) == ("README.md", "Signed,")
        assert config.letter.line == "-  {name} [@{login}](https://github.com/{login})"
        merged = maintainer.http.put(f"/repos/{REPO}/pulls/{pr.number}/merge", json={"merge_method": "merge"})
        assert merged.status_code == 200, merged.text
        settle(sim, service)
        number = int(person(sim, "ada").sign(REPO, "README.md", ADA)["number"])
        settle(sim, service)
        wait_until(lambda: sim.world.pull(demo.repo, number).merged, 30, "the first signature to land")
        letter, _ = maintainer.read(REPO, "README.md")
        assert letter.rstrip("\n").endswith(ADA)
        assert len(onboarding_prs(sim)) == 1  # merged: the config is there, nothing more to propose
    finally:
        service.stop()


def test_a_closed_onboarding_pr_is_never_opened_again_and_reconciliation_finds_silent_installs(
    sim: Simulator, tmp_path: Path
) -> None:
    demo = letter_without_config(sim)
    installation = sim.world.install(demo.app, demo.maintainer, [REPO])  # no webhook URL: no delivery at all
    service = Service(settings_for(sim, demo, tmp_path / "data")).start()  # reconciles at start-up
    try:
        demo.app.webhook_url = service.url
        wait_until(lambda: len(onboarding_prs(sim)) == 1, 30, "reconciliation to open the onboarding PR")
        settle(sim, service)
        [pr] = onboarding_prs(sim)
        person(sim, "maintainer").close(REPO, pr.number)
        sim.world.add_installation_repos(installation, [REPO])  # announced again: a webhook
        settle(sim, service)
        service.runtime.reconcile_all()  # and a reconciliation pass
        settle(sim, service)
    finally:
        service.stop()
    fresh = Service(settings_for(sim, demo, tmp_path / "other-data")).start()  # remembers nothing of the first
    try:
        demo.app.webhook_url = fresh.url
        fresh.runtime.reconcile_all()
        settle(sim, fresh)
    finally:
        fresh.stop()
    assert [(p.number, p.state) for p in onboarding_prs(sim)] == [(pr.number, "closed")]


def test_no_onboarding_without_a_letter_with_a_config_or_after_one_was_removed(sim: Simulator, tmp_path: Path) -> None:
    demo = letter_without_config(sim)
    plain = sim.world.create_repo(demo.maintainer, "notes", {"README.md": b"# Notes\n\nNothing to sign.\n"})
    configured = sim.world.create_repo(
        demo.maintainer,
        "configured",
        {"README.md": SEED_LETTER.read_bytes(), ".github/undersigned.yml": b"version: 1\n"},
    )
    removed = sim.world.create_repo(
        demo.maintainer, "removed", {"README.md": SEED_LETTER.read_bytes(), ".github/undersigned.yml": b"version: 1\n"}
    )
    person(sim, "maintainer").delete(removed.full_name, ".github/undersigned.yml", "main")  # turned off by hand
    service = Service(settings_for(sim, demo, tmp_path / "data")).start()
    try:
        demo.app.webhook_url = service.url
        sim.world.install(demo.app, demo.maintainer, [plain.full_name, configured.full_name, removed.full_name])
        settle(sim, service)
        calls: Any = sim.world.pulls
        assert not [pr for pr in calls.values() if pr.head_ref == BRANCH]
    finally:
        service.stop()


def test_only_a_list_of_signatures_is_a_letter_found() -> None:
    for _, config in gallery():
        assert looks_like_a_letter(infer(shape_files(config))), config.letter
    features = "# Tool\n\nIt is:\n\n- Fast to start\n- Small on disk\n- Free software\n- Written in Rust\n"
    assert not looks_like_a_letter(infer({"README.md": features}))
    names = "# Letter\n\nWe ask.\n\nSigned,\n\n- Ada Lovelace\n- Grace Hopper\n- Alan Turing\n"
    assert looks_like_a_letter(infer({"README.md": names}))
