"""Headless Chromium for browser tests (Debian's `chromium`, driven by Playwright for Python).

Use the `browser_page` fixture (tests/conftest.py exposes it): a fresh page in a fresh profile,
`shot(page, name)` to save a PNG under tests/artifacts/ for a person to look at, and `looks(page, name)` for
one page state in light and dark, narrow and wide, checked by axe-core."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# Flags that work in a container without a GPU, a sandbox or network access beyond the test's servers.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def available() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM}: `make deps` installs Debian's chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed: `make .venv/.installed` installs it"
    return None


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[Any]:
    """A new page in a freshly launched headless Chromium with its own profile folder. A missing browser fails
    the test with the command that installs it (`make test` runs it first): a full run skips nothing."""
    reason = available()
    if reason is not None:
        pytest.fail(reason)
    from playwright.sync_api import sync_playwright

    profile = Path(tempfile.mkdtemp(prefix="chromium-", dir=tmp_path))
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1100, "height": 900},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(20_000)
            yield page
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as tests/artifacts/NAME.png and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


SCHEMES = ("light", "dark")  # prefers-color-scheme
WIDTHS = (390, 1280)  # a phone, a laptop (CSS pixels)
SERIOUS = ("serious", "critical")  # axe-core's impacts that fail a test


@functools.cache
def _axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe  # axe-core, bundled with the package

    return Axe()


def axe_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    response = _axe().run(page).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in response["violations"]
        if v.get("impact") in SERIOUS
    ]


def looks(page: Any, name: str) -> list[str]:
    """Show the page's current state in light and dark at each width: a screenshot each
    (tests/artifacts/NAME-SCHEME-WIDTH.png), axe-core's serious or critical violations and any sideways scroll,
    as lines naming where they were found. The page is not reloaded, so a state reached by a POST stays."""
    found: list[str] = []
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            shot(page, f"{name}-{scheme}-{width}")
            found += [f"{name}, {scheme}, {width} px: {v}" for v in axe_violations(page)]
            if page.evaluate("document.documentElement.scrollWidth") > width:
                found.append(f"{name}, {scheme}, {width} px: the page scrolls sideways")
    page.emulate_media(color_scheme="light")
    return found
