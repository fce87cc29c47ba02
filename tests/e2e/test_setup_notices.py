"""The setup pages' two notices: a local URL needs a webhook relay; once installed, the letter's config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.settings import Settings
from app.web.notices import unreachable
from tests.service import Service


@pytest.fixture
def new_operator(tmp_path: Path) -> Iterator[Service]:
    service = Service(Settings(data_dir=tmp_path / "data")).start()  # github.com, no App yet
    yield service
    service.stop()


def test_a_local_public_url_is_told_about_a_webhook_relay_before_github(new_operator: Service) -> None:
    base = new_operator.base
    form = httpx.get(base + "/setup").text
    assert "smee-client" in form and f"--target {base}/webhooks" in form
    local = httpx.get(base + "/setup/manifest", params={"public_url": base}).text
    assert "GitHub cannot deliver webhooks" in local and "smee.io/new" in local
    public = httpx.get(base + "/setup/manifest", params={"public_url": "https://letters.example.org"}).text
    assert "smee" not in public


def test_after_install_the_page_says_to_add_the_config(new_operator: Service) -> None:
    page = httpx.get(new_operator.base + "/setup/installed", params={"installation_id": 7}).text
    assert ".github/undersigned.yml" in page and "start_after: &#34;Signed,&#34;" in page.replace("&quot;", "&#34;")
    assert "undersigned lint" in page


def test_which_addresses_github_cannot_reach() -> None:
    for url in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000", "http://192.168.1.4"):
        assert unreachable(url), url
    for url in ("https://letters.example.org", "https://140.82.112.3", "https://smee.io/abc"):
        assert not unreachable(url), url
