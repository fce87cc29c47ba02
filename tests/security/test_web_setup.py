"""Whoever reaches /setup first owns the App (issue 18): only the operator can finish setup."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr

from app.settings import Settings, write_credentials
from tests.github_sim import Simulator
from tests.service import Service

TOKEN = "the-operators-setup-token"
REMOTE = {"X-Forwarded-For": "203.0.113.7"}  # through a proxy: someone on the internet, not this machine


@pytest.fixture
def open_setup(sim: Simulator, tmp_path: Path) -> Iterator[tuple[Simulator, Service]]:
    sim.world.add_user("operator", name="The Operator")
    sim.world.add_user("mallory", name="Mallory")
    settings = Settings(
        github_api_url=sim.base_url, data_dir=tmp_path / "data", workers=1, setup_token=SecretStr(TOKEN)
    )
    service = Service(settings).start()
    yield sim, service
    service.stop()


@pytest.fixture
def client() -> Iterator[Callable[..., httpx.Client]]:
    """httpx clients (a browser each: they keep cookies), closed after the test."""
    made: list[httpx.Client] = []

    def make(base: str, **kwargs: Any) -> httpx.Client:
        made.append(httpx.Client(base_url=base, **kwargs))
        return made[-1]

    yield make
    for one in made:
        one.close()


def github_creates(sim: Simulator, manifest_page: str, owner: str) -> tuple[str, str]:
    """Play GitHub's part of the manifest flow for `owner`: (code, state) as GitHub sends them back."""
    [state] = re.findall(r"\?state=([\w-]+)", manifest_page)
    [raw] = re.findall(r'name="manifest" value="([^"]*)"', manifest_page)
    manifest = json.loads(raw.replace("&quot;", '"').replace("&amp;", "&"))
    return made_by(sim, manifest, owner, state)


def made_by(sim: Simulator, manifest: dict[str, Any], owner: str, state: str) -> tuple[str, str]:
    form = {"manifest": json.dumps(manifest), "state": state, "org": owner, "name": f"app-of-{owner}"}
    answer = httpx.post(sim.base_url + "/settings/apps/new/confirm", data=form)
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    return query["code"][0], query["state"][0]


def test_setup_from_the_internet_needs_the_token(
    open_setup: tuple[Simulator, Service], client: Callable[..., httpx.Client]
) -> None:
    _, service = open_setup
    stranger = client(service.base, headers=REMOTE)
    for path in ("/setup", "/setup/manifest?public_url=https://evil.example", "/setup/callback?code=x&state=y"):
        answer = stranger.get(path)
        assert answer.status_code == 403 and "token" in answer.text, path
        assert "state=" not in answer.text
    assert stranger.get("/setup", params={"token": "guessed"}).status_code == 403
    rebinding = httpx.get(service.base + "/setup", headers={"Host": "evil.example"})  # DNS rebinding to 127.0.0.1
    assert rebinding.status_code == 403

    operator = client(service.base, headers=REMOTE)
    moved = operator.get("/setup", params={"token": TOKEN})
    assert moved.status_code == 303 and moved.headers["location"] == "/setup"  # the token leaves the URL
    assert operator.get("/setup").status_code == 200  # a cookie stands for it now
    assert operator.get("/setup/manifest", params={"public_url": "https://undersigned.example"}).status_code == 200


def test_a_stranger_cannot_install_their_own_app(
    open_setup: tuple[Simulator, Service], client: Callable[..., httpx.Client]
) -> None:
    """The audit's attack: ask for a state, create an App under one's own account, complete the callback."""
    sim, service = open_setup
    mallory = client(service.base, headers=REMOTE)
    page = mallory.get("/setup/manifest", params={"public_url": "https://evil.example"})
    assert page.status_code == 403 and "state=" not in page.text
    # Even with a state the operator was given, taken from their screen: it is bound to their browser.
    operator = client(service.base)
    issued = operator.get("/setup/manifest", params={"public_url": service.base}).text
    code, state = github_creates(sim, issued, "mallory")
    for other in (mallory, client(service.base)):  # remote, and local without the cookie
        answer = other.get("/setup/callback", params={"code": code, "state": state})
        assert answer.status_code in (400, 403)
        assert "mallory" not in answer.text
    assert not service.settings.credentials_path.exists()
    assert service.runtime.github is None


def test_the_page_shows_the_owner_before_storing(
    open_setup: tuple[Simulator, Service], client: Callable[..., httpx.Client]
) -> None:
    sim, service = open_setup
    operator = client(service.base)
    code, state = github_creates(
        sim, operator.get("/setup/manifest", params={"public_url": service.base}).text, "mallory"
    )
    shown = operator.get("/setup/callback", params={"code": code, "state": state})
    assert shown.status_code == 200 and 'id="app-owner">mallory<' in shown.text
    assert not service.settings.credentials_path.exists()  # nothing stored yet: the operator may walk away
    assert operator.post("/setup/confirm", data={"state": "other"}).status_code == 400
    assert httpx.post(service.base + "/setup/confirm", data={"state": state}).status_code == 400  # not their cookie
    done = operator.post("/setup/confirm", data={"state": state})
    assert done.status_code == 200 and "The App is ready" in done.text
    created = sim.manifests.by_slug["app-of-mallory"]  # type: ignore[attr-defined]
    assert json.loads(service.settings.credentials_path.read_text())["app_id"] == created.app.id


def test_two_setups_at_once_store_one_app(
    open_setup: tuple[Simulator, Service], client: Callable[..., httpx.Client]
) -> None:
    sim, service = open_setup
    browsers, states = [client(service.base) for _ in range(2)], []
    for n, browser in enumerate(browsers):
        code, state = github_creates(sim, browser.get("/setup/manifest", params={"public_url": service.base}).text,
                                     "operator" if n == 0 else "mallory")  # fmt: skip
        assert browser.get("/setup/callback", params={"code": code, "state": state}).status_code == 200
        states.append(state)
    answers: list[httpx.Response] = []
    threads = [
        threading.Thread(target=lambda b=b, s=s: answers.append(b.post("/setup/confirm", data={"state": s})))
        for b, s in zip(browsers, states, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ready = [a for a in answers if "The App is ready" in a.text]
    assert len(ready) == 1 and sorted(a.status_code for a in answers) == [200, 403]
    stored = json.loads(service.settings.credentials_path.read_text())
    assert f"App ID {stored['app_id']})" in ready[0].text  # the one stored is the one the winner was told about


def test_credentials_are_written_once(tmp_path: Path) -> None:
    path = tmp_path / "data" / "github-app.json"
    write_credentials(path, {"app_id": 1, "private_key": "k"})
    with pytest.raises(FileExistsError):
        write_credentials(path, {"app_id": 2, "private_key": "k2"})
    assert json.loads(path.read_text())["app_id"] == 1
    assert [p.name for p in path.parent.iterdir()] == ["github-app.json"]  # no temporary file left


def test_the_configured_public_url_wins_over_the_form(sim: Simulator, tmp_path: Path) -> None:
    settings = Settings(github_api_url=sim.base_url, data_dir=tmp_path / "data", public_url="https://us.example")
    service = Service(settings).start()
    try:
        page = httpx.get(service.base + "/setup/manifest", params={"public_url": "https://evil.example"}).text
        assert "evil.example" not in page and "https://us.example/webhooks" in page
    finally:
        service.stop()
