"""Shared test helpers: paths to shared data, config builders, golden-file comparison."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config import Config, parse_config

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED_LETTER = SHARED / "letters" / "microsoft-drop-ice.md"
CORPUS = SHARED / "corpus"
GOLDEN = Path(__file__).resolve().parent / "golden"
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)

SEED_CONFIG_YAML = """version: 1
letter:
  file: README.md
  start_after: "Signed,"
  line: "-  {name} [@{login}](https://github.com/{login})"
  order: append
"""

DIRECTORY_CONFIG_YAML = """version: 1
letter:
  directory: _data/signed
  filename: "{login}.yaml"
  fields: {name: "{name}", link: "https://github.com/{login}"}
"""


def config(text: str) -> Config:
    loaded = parse_config(text)
    assert isinstance(loaded, Config), loaded
    return loaded


def seed_text() -> str:
    return SEED_LETTER.read_text(encoding="utf-8")


def with_line(text: str, *lines: str) -> str:
    """The letter with lines appended at the end of its list, as a signer would."""
    return text.rstrip("\n") + "\n" + "".join(line + "\n" for line in lines)


def assert_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/NAME; UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def status_sign_in(http: Any, login: str) -> Any:
    """Sign in for the status page with an httpx.Client on the service (the simulator's OAuth form, no browser);
    the answer is the status page."""
    import html
    import re

    authorize = http.get("/sign/-/status-login", follow_redirects=True)
    assert authorize.status_code == 200 and "Authorize" in authorize.text, authorize.text
    fields = dict(re.findall(r'name="(client_id|redirect_uri|state)" value="([^"]*)"', authorize.text))
    fields = {k: html.unescape(v) for k, v in fields.items()}
    headers = {"Accept": "text/html"}
    return http.post(str(authorize.url), data={**fields, "login": login}, headers=headers, follow_redirects=True)
