"""How the pages look and read in a browser: the signing page in each state, setup, status and the 404 page, in
light and dark at 390 and 1280 px, each checked by axe-core (no serious or critical violation), with the words a
person reads compared with golden files. Screenshots: tests/artifacts/<state>-<scheme>-<width>.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.settings import Settings
from tests.browser import looks
from tests.e2e.conftest import World
from tests.e2e.test_signing import REPO, letter, sign_in
from tests.github_sim import Simulator, person
from tests.helpers import assert_golden
from tests.service import Service, settle


def panel(page: Any) -> str:
    """The signing panel's words as a person reads them (hidden parts left out)."""
    return str(page.inner_text("#sign")).strip() + "\n"


def focus_ring(page: Any) -> str:
    """The outline of the first element the keyboard reaches (the skip link)."""
    page.keyboard.press("Tab")
    style = "(s => `${s.outlineStyle} ${s.outlineWidth}`)(getComputedStyle(document.activeElement))"
    return str(page.evaluate(style))


def test_the_signing_page_in_each_state(signing_world: World, browser_page: Any) -> None:
    sim, _, service = signing_world
    maintainer = person(sim, "maintainer")
    config, _ = maintainer.read(REPO, ".github/undersigned.yml")
    maintainer.write(REPO, ".github/undersigned.yml", config + "signers:\n  max_name_length: 60\n", "main", "Rules")
    text = letter(sim).rstrip("\n") + "\n-  Grace Hopper [@grace](https://github.com/grace)\n"
    maintainer.write(REPO, "README.md", text, "main", "Grace signed")
    sim.world.user("ada").name = "Ada Lovelace"  # her GitHub profile's name
    page, found = browser_page, []

    page.goto(f"{service.base}/sign/{REPO}")
    assert focus_ring(page) == "solid 3px"
    found += looks(page, "sign-letter")
    assert_golden("web/sign-letter.txt", panel(page))

    sign_in(page, service, "ada")  # lands at the form (#sign)
    name = page.get_by_label("Your name")
    assert name.input_value() == "Ada Lovelace"  # from the profile
    assert name.get_attribute("maxlength") == "60"  # the letter's own rule, not a number of the page's
    found += looks(page, "sign-form")

    page.get_by_role("button", name="Preview").click()
    found += looks(page, "sign-preview")
    assert_golden("web/sign-preview.txt", panel(page))

    name.fill("Ada King")  # the preview no longer says what the form does
    assert not page.get_by_text("The letter's rules accept this").is_visible()
    assert page.get_by_text("You changed the form after this preview").is_visible()
    found += looks(page, "sign-preview-stale")
    assert_golden("web/sign-preview-stale.txt", panel(page))
    name.fill("Ada Lovelace")  # back to what was previewed
    assert page.get_by_text("The letter's rules accept this").is_visible()

    name.fill("")
    page.get_by_role("button", name="Preview").click()
    assert page.locator(".preview").count() == 0  # no "this would be added" over nothing
    found += looks(page, "sign-empty")
    assert_golden("web/sign-empty.txt", panel(page))

    page.get_by_label("Your name").fill("Ada <b>Lovelace</b>")
    page.get_by_role("button", name="Preview").click()
    found += looks(page, "sign-invalid")
    assert_golden("web/sign-invalid.txt", panel(page))

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, service, "grace")
    found += looks(page, "sign-signed")
    assert_golden("web/sign-signed.txt", panel(page))
    page.get_by_role("button", name="Withdraw my signature").click()
    assert page.locator(".notice.accepted").count() == 0  # not the green "rules accept this" box
    found += looks(page, "sign-withdraw")
    assert_golden("web/sign-withdraw.txt", panel(page))
    assert not sim.world.pulls  # looking sends nothing
    assert found == []


def test_a_broken_config_pauses_signing(signing_world: World, browser_page: Any) -> None:
    sim, _, service = signing_world
    person(sim, "maintainer").write(REPO, ".github/undersigned.yml", "version: 1\nletter: [\n", "main", "Oops")
    page = browser_page
    answer = page.goto(f"{service.base}/sign/{REPO}")
    assert answer.status == 503
    assert page.get_by_role("heading", name="Signing is paused").is_visible()
    found = looks(page, "sign-paused")
    assert_golden("web/sign-paused.txt", page.inner_text("main").strip() + "\n")
    assert found == []


def test_unknown_urls_answer_browsers_with_a_page(signing_world: World, browser_page: Any) -> None:
    _, _, service = signing_world
    page = browser_page
    for path in ("/no/such/page", "/sign/a/b/c/d"):
        answer = page.goto(service.base + path)
        assert answer.status == 404 and "text/html" in answer.headers["content-type"]
        assert page.get_by_role("heading", name="Page not found").is_visible()
    assert_golden("web/not-found.txt", page.inner_text("main").strip() + "\n")
    assert looks(page, "not-found") == []
    api = httpx.get(service.base + "/no/such/page", headers={"Accept": "application/json"})
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}  # API clients keep JSON


def test_status_updates_in_place(signing_world: World, browser_page: Any) -> None:
    sim, _, service = signing_world
    page = browser_page
    page.clock.install()  # the page's timers run when the test says
    page.set_viewport_size({"width": 390, "height": 500})
    page.goto(service.base + "/")
    assert page.locator("meta[http-equiv=refresh]").count() == 0  # WCAG 2.2.1: no reload under the reader
    assert focus_ring(page) == "solid 3px"
    page.evaluate("window.stayed = true")
    link = page.locator("#live a").first  # a link among the figures that update
    link.focus()
    focused = link.inner_text()
    page.mouse.wheel(0, 300)
    page.wait_for_function("window.scrollY > 0")
    scrolled = page.evaluate("window.scrollY")
    assert page.inner_text("#landed-total") == "0"

    number = int(person(sim, "ada").sign(REPO, "README.md", "-  Ada Lovelace [@ada](https://github.com/ada)")["number"])
    settle(sim, service)
    assert sim.world.pull(sim.world.repo(REPO), number).merged
    page.clock.run_for(11_000)
    page.wait_for_function("document.getElementById('landed-total').textContent === '1'")
    assert page.evaluate("window.stayed")  # updated in place, not reloaded
    assert page.evaluate("document.activeElement.textContent") == focused  # focus kept
    assert page.evaluate("window.scrollY") == scrolled  # and the scroll

    page.get_by_role("button", name="Pause updates").click()
    assert page.get_by_text("Updates are paused.").is_visible()
    page.get_by_role("button", name="Resume updates").click()
    page.get_by_role("button", name="Pause updates").click()
    assert looks(page, "status") == []


@pytest.fixture
def no_app(sim: Simulator, tmp_path: Path) -> Iterator[Service]:
    """undersigned with no GitHub App yet: the setup page is open."""
    settings = Settings(github_api_url=sim.base_url, data_dir=tmp_path / "data", workers=2, mutation_interval=0)
    service = Service(settings).start()
    yield service
    service.stop()


def test_setup_looks(no_app: Service, browser_page: Any) -> None:
    page = browser_page
    page.goto(no_app.base + "/setup")
    assert focus_ring(page) == "solid 3px"
    found = looks(page, "setup")
    page.get_by_role("button", name="Continue").click()
    found += looks(page, "setup-manifest")
    page.goto(no_app.base + "/")
    found += looks(page, "status-not-set-up")
    assert found == []
