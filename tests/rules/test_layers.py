"""Imports point down the layers: app.template is the bottom, config and app.rules both sit on it."""

from __future__ import annotations

import subprocess
import sys


def _loaded_after(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(out.split())


def test_template_imports_neither_config_nor_rules() -> None:
    loaded = _loaded_after("app.template")
    assert not {m for m in loaded if m == "config" or m.startswith(("config.", "app.rules"))}


def test_config_does_not_import_the_rules() -> None:
    loaded = _loaded_after("config.model")
    assert not {m for m in loaded if m.startswith("app.rules")}


def test_app_package_imports_nothing() -> None:
    loaded = _loaded_after("app")
    assert not {m for m in loaded if m.startswith("app.")}
