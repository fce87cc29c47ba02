"""Debian's headless Chromium through Playwright (its own browser download is unreachable here).

The operators' tests/browser.py is the shared fixture to come; until then the signing tests and bench use this.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def available() -> bool:
    return Path(CHROMIUM).exists()


def launch(playwright: Any, profile: Path, width: int = 1100, height: int = 900) -> Any:
    """A headless browser context on a fresh profile folder (Playwright adds --headless)."""
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS, viewport={"width": width, "height": height}
    )
