"""The signing page lists who signed under the letter, with the count, searchable (issue 22, point 5)."""

from __future__ import annotations

from typing import Any

from tests.browser import looks
from tests.e2e.conftest import World
from tests.e2e.test_signing import REPO


def test_the_signing_page_lists_the_signatories_and_finds_one(signing_world: World, browser_page: Any) -> None:
    _, _, service = signing_world
    page = browser_page
    page.goto(f"{service.base}/sign/{REPO}")
    section = page.locator("section.signers")
    assert "Who signed (21)" in section.locator("h2").inner_text()
    items = section.locator("li")
    assert items.count() == 21
    found = looks(page, "sign-signers")
    page.get_by_label("Search the signatories").fill("sahler")
    assert section.locator("li:visible").count() == 1
    assert "Nicholas Sahler" in section.locator("li:visible").inner_text()
    assert page.locator("#signers-shown").inner_text() == "1 of 21 shown"
    found += looks(page, "sign-signers-search")
    assert found == []
