"""The maintainer's dashboard in Chromium: signed out, signed in as someone who administers no letter, and as
the letter's administrator; light and dark at 390 and 1280 px (tests/artifacts/dashboard-*.png), axe-checked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import looks
from tests.e2e.conftest import World
from tests.e2e.landing_support import LINE, REPO
from tests.e2e.test_face_moderation import CONFIG
from tests.github_sim import Simulator, person, seed_demo
from tests.service import Service, settings_for, settle


@pytest.fixture
def dashboard_world(sim: Simulator, tmp_path: Path) -> Iterator[World]:
    demo = seed_demo(sim.world, signers=4, webhook_url=None, webhook_secret="e2e-webhook-secret", config=CONFIG)
    client_id, client_secret = sim.oauth.credentials(demo.app)
    settings = settings_for(sim, demo, tmp_path / "data", client_id=client_id, client_secret=client_secret)
    service = Service(settings).start()
    demo.app.webhook_url = service.url
    yield sim, demo, service
    service.stop()


def sign_in(page: Any, service: Service, login: str) -> None:
    page.goto(f"{service.base}/sign/-/dashboard-login")
    page.wait_for_url("**/login/oauth/authorize**")
    page.get_by_label("Username").fill(login)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{service.base}/dashboard")


def test_the_dashboard_signed_out_as_a_stranger_and_as_the_administrator(
    dashboard_world: World, browser_page: Any
) -> None:
    sim, _, service = dashboard_world
    ada = int(person(sim, "ada").sign(REPO, "README.md", LINE.format(name="Ada Lovelace", login="ada"))["number"])
    settle(sim, service)
    assert sim.world.pull(sim.world.repo(REPO), ada).merged
    person(sim, "maintainer").comment(REPO, ada, "/undersigned hold")
    settle(sim, service)
    grace = person(sim, "grace").sign(REPO, "README.md", LINE.format(name="Grace Hopper", login="grace"))
    linus = person(sim, "linus").sign(REPO, "README.md", "- Linus @linus")
    settle(sim, service)
    page, found = browser_page, []

    page.goto(f"{service.base}/dashboard")
    assert page.get_by_role("link", name="Sign in with GitHub").is_visible()
    assert REPO not in page.content()
    found += looks(page, "dashboard-signed-out")

    sign_in(page, service, "linus")  # a signer: administers nothing
    assert page.get_by_text("You administer no repository that undersigned is installed on").is_visible()
    assert REPO not in page.content()
    found += looks(page, "dashboard-not-admin")

    page.context.clear_cookies()
    sign_in(page, service, "maintainer")
    live = page.locator("#live")
    assert live.get_attribute("data-refresh") == "15"  # status.js updates it in place (focus and scroll kept)
    text = live.inner_text()
    assert REPO in text and "config valid" in text and "on hold" in text
    assert "22\nsignatures (lines in the letter)" in text and "1\nlanded today (UTC)" in text
    rows = {r.split("\t")[0]: r for r in page.locator("table").first.locator("tr").all_inner_texts()}
    assert "valid, waiting to land" in rows[f"#{grace['number']}"]
    assert "needs changes" in rows[f"#{linus['number']}"] and "problem" in rows[f"#{linus['number']}"]
    assert page.locator("a[href*='/runs/']").count() >= 1  # an invalid PR links to the check that says why
    decisions = page.locator("table").nth(1).inner_text()
    assert "ada" in decisions and "/undersigned hold" in decisions
    found += looks(page, "dashboard-admin")
    assert found == []
