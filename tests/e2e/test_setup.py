"""The operator's path: /setup creates the GitHub App through GitHub's manifest flow, in a real browser."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.settings import Settings
from app.web.setup import EVENTS, PERMISSIONS, manifest
from tests.browser import shot
from tests.github_sim import Simulator, person
from tests.helpers import ROOT, SEED_CONFIG_YAML, seed_text
from tests.service import Service, settle

LINE = "-  {name} [@{login}](https://github.com/{login})"


@pytest.fixture
def fresh(sim: Simulator, tmp_path: Path) -> Iterator[tuple[Simulator, Service]]:
    """A new operator: the simulator with a letter repo and no App, and undersigned with no settings at all."""
    operator = sim.world.add_user("operator", name="The Operator")
    files = {"README.md": seed_text().encode(), ".github/undersigned.yml": SEED_CONFIG_YAML.encode()}
    sim.world.create_repo(operator, "letter", files)
    sim.world.add_user("ada", name="Ada Lovelace")
    settings = Settings(github_api_url=sim.base_url, data_dir=tmp_path / "data", workers=2, mutation_interval=0)
    service = Service(settings).start()
    yield sim, service
    service.stop()


def test_the_manifest_flow_in_a_browser(fresh: tuple[Simulator, Service], browser_page: Any) -> None:
    sim, service = fresh
    page = browser_page
    page.goto(service.base + "/setup")
    assert page.input_value("#public_url") == service.base  # filled in from the request
    shot(page, "setup-form")
    page.click("text=Continue")
    shot(page, "setup-manifest")
    page.click("text=Create the App on GitHub")
    assert "Create GitHub App for operator" in page.content()  # GitHub's own page (the simulator's)
    page.click("#create")
    page.click("text=Use this App")  # the owner is shown before anything is stored (issue 18)
    page.wait_for_selector("text=The App is ready")
    shot(page, "setup-done")
    done = page.content()
    created = sim.manifests.by_slug["undersigned"]  # type: ignore[attr-defined]
    for secret in (created.app.webhook_secret, created.client_secret, "PRIVATE KEY"):
        assert secret not in done  # the page never shows a secret

    stored = service.settings.credentials_path
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    saved = json.loads(stored.read_text())
    assert saved["app_id"] == created.app.id and saved["webhook_secret"] == created.app.webhook_secret
    assert saved["client_id"] == created.client_id and saved["client_secret"] == created.client_secret
    assert saved["private_key"] == created.private_key
    assert service.runtime.github is not None  # in use at once: no restart

    page.click("text=Install it on your repositories")
    page.click("#install")
    page.wait_for_selector("text=Installed")
    settle(sim, service)
    number = int(
        person(sim, "ada").sign("operator/letter", "README.md", LINE.format(name="Ada Lovelace", login="ada"))["number"]
    )
    settle(sim, service)
    pr = sim.world.pull(sim.world.repo("operator/letter"), number)
    assert pr.merged  # the new App's webhooks verified with the stored secret, and it landed the signature

    page.goto(service.base + "/setup")
    assert "Setup is closed" in page.content()  # closed once an App is configured
    page.goto(service.base + "/sign/-/status-login")  # the status page shows what you administer: sign in
    page.fill("#login", "operator")
    page.click("text=Authorize")
    page.wait_for_url(service.base + "/")
    page.wait_for_selector("tr.decision")
    assert page.inner_text("#landed-total") == "1" and page.inner_text("#landed-today") == "1"
    assert "operator/letter" in page.content()
    shot(page, "status")


def test_setup_is_closed_when_an_app_is_configured(app_world: Any) -> None:
    _, _, service = app_world
    answer = httpx.get(service.base + "/setup")
    assert answer.status_code == 403 and "Setup is closed" in answer.text
    callback = httpx.get(service.base + "/setup/callback", params={"code": "x", "state": "y"})
    assert callback.status_code == 403


def test_a_callback_without_our_state_is_refused(fresh: tuple[Simulator, Service]) -> None:
    _, service = fresh
    answer = httpx.get(service.base + "/setup/callback", params={"code": "abc", "state": "forged"})
    assert answer.status_code == 400 and "start again" in answer.text
    assert not service.settings.credentials_path.exists()


def test_webhooks_before_setup_are_refused(fresh: tuple[Simulator, Service]) -> None:
    _, service = fresh
    answer = httpx.post(service.url, content=b"{}", headers={"X-GitHub-Event": "ping"})
    assert answer.status_code == 503 and "/setup" in answer.json()["error"]


def test_the_manifest_asks_for_what_the_app_yml_says() -> None:
    """.github/app.yml documents the App for those who create it by hand: it must match the manifest."""
    import yaml

    documented = yaml.safe_load((ROOT / ".github" / "app.yml").read_text())
    built = manifest("https://undersigned.example.org")
    assert documented["default_events"] == EVENTS == built["default_events"]
    assert documented["default_permissions"] == PERMISSIONS == built["default_permissions"]
    assert documented["public"] is False and built["public"] is False
    assert built["hook_attributes"]["url"] == "https://undersigned.example.org/webhooks"


def test_a_code_github_refuses_is_said_not_stored(fresh: tuple[Simulator, Service]) -> None:
    import re

    _, service = fresh
    with httpx.Client(base_url=service.base) as browser:  # keeps the state's cookie, as a browser does
        page = browser.get("/setup/manifest", params={"public_url": service.base}).text
        [state] = re.findall(r"\?state=([\w-]+)", page)
        answer = browser.get("/setup/callback", params={"code": "expired", "state": state})
    assert answer.status_code == 502 and "GitHub did not create the App" in answer.text and "404" in answer.text
    assert not service.settings.credentials_path.exists()
    assert httpx.get(service.base + "/setup").status_code == 200  # still open: try again


def test_the_status_page_says_when_github_does_not_answer(tmp_path: Path) -> None:
    from pydantic import SecretStr

    from tests.github_sim.keys import app_key

    settings = Settings(app_id=12, private_key=SecretStr(app_key()[0]), webhook_secret=SecretStr("s"),
                        github_api_url="http://127.0.0.1:9", data_dir=tmp_path, http_retries=0)  # fmt: skip
    service = Service(settings).start()
    try:
        page = httpx.get(service.base + "/", headers={"Accept": "text/html"}, timeout=60)
        assert page.status_code == 200 and "GitHub did not answer" in page.text
        assert "text/plain" in httpx.get(service.base + "/").headers["content-type"]  # not a browser: plain text
    finally:
        service.stop()
