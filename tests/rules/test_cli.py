"""The offline CLI: lint and verify, their exit codes and JSON, run as a real subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import SEED_CONFIG_YAML, SEED_LETTER, assert_golden

ADA = "-  Ada Lovelace [@ada](https://github.com/ada)\n"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, check=False)


@pytest.fixture
def repos(tmp_path: Path) -> tuple[Path, Path]:
    base, head = tmp_path / "base", tmp_path / "head"
    (base / ".github").mkdir(parents=True)
    shutil.copy(SEED_LETTER, base / "README.md")
    (base / ".github" / "undersigned.yml").write_text(SEED_CONFIG_YAML)
    shutil.copytree(base, head)
    with open(head / "README.md", "a") as fh:
        fh.write("\n" + ADA)
    return base, head


def test_lint_seed_letter_is_clean(repos: tuple[Path, Path]) -> None:
    result = run("lint", str(repos[0]))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "21 signatures, clean, 2 formatting note(s)" in result.stdout


def test_lint_with_problems_exits_1(repos: tuple[Path, Path], tmp_path: Path) -> None:
    base = repos[0]
    with open(base / "README.md", "a") as fh:
        fh.write("\n- Broken line\n-  Lea V [@leaverou](https://github.com/leaverou)\n")
    result = run("lint", str(base))
    assert result.returncode == 1
    assert "README.md:38: line-format" in result.stdout
    assert "README.md:39: duplicate-signer" in result.stdout


def test_usage_errors_exit_2_and_config_errors_exit_1(repos: tuple[Path, Path], tmp_path: Path) -> None:
    assert run("lint", str(tmp_path / "missing")).returncode == 2
    assert run("verify", "--base", str(repos[0])).returncode == 2
    bad = tmp_path / "bad.yml"
    bad.write_text("version: 1\nletter:\n  fiel: x\n")
    result = run("lint", "--config", str(bad), str(repos[0]))
    # Issue 19: one scheme, a broken config is a problem found (1) as an empty one is; 2 is for usage.
    assert result.returncode == 1
    assert "bad.yml:3: letter.fiel: unknown key" in result.stdout


def test_verify_valid_pr(repos: tuple[Path, Path]) -> None:
    base, head = repos
    result = run("verify", "--base", str(base), "--head", str(head), "--author", "ada")
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("sign: may land")
    # Issue 19: the checks the facts given could not run are listed only when asked for, not on every run.
    assert "bot-author" not in result.stdout
    asked = run("verify", "--base", str(base), "--head", str(head), "--author", "ada", "--notes")
    assert "not checked: bot-author" in asked.stdout


def test_verify_json_shape(repos: tuple[Path, Path]) -> None:
    base, head = repos
    result = run("verify", "--base", str(base), "--head", str(head), "--author", "mallory", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert {"kind", "ok", "signatures", "land", "problems"} <= set(data)
    assert data["kind"] == "invalid" and data["ok"] is False
    assert data["signatures"][0]["login"] == "ada"
    assert set(data["problems"][0]) == {"code", "message", "path", "line", "suggestion"}
    assert_golden("cli/verify-author-mismatch.json", result.stdout)


def test_verify_reads_config_from_base_never_head(repos: tuple[Path, Path]) -> None:
    base, head = repos
    # The PR tries to make itself valid by trusting its author: ignored, the base's rules apply.
    (head / ".github" / "undersigned.yml").write_text(SEED_CONFIG_YAML + "signers:\n  trusted: [mallory]\n")
    result = run("verify", "--base", str(base), "--head", str(head), "--author", "mallory", "--json")
    codes = [p["code"] for p in json.loads(result.stdout)["problems"]]
    assert "author-mismatch" in codes
    assert "other-files-changed" in codes


def test_verify_author_facts(repos: tuple[Path, Path]) -> None:
    base, head = repos
    with open(base / ".github" / "undersigned.yml", "a") as fh:
        fh.write("signers:\n  min_account_age_days: 30\n")
    shutil.copy(base / ".github" / "undersigned.yml", head / ".github" / "undersigned.yml")
    args = ["verify", "--base", str(base), "--head", str(head), "--author", "ada", "--author-type", "User"]
    young = run(*args, "--author-created", "2026-11-20T00:00:00Z", "--now", "2026-11-21T00:00:00Z", "--json")
    assert [p["code"] for p in json.loads(young.stdout)["problems"]] == ["account-too-new"]
    unknown = run(*args, "--notes")
    assert unknown.returncode == 0
    assert "not checked: account-too-new" in unknown.stdout
    assert run(*args, "--author-created", "yesterday").returncode == 2


def test_verify_reads_the_ledger_of_the_base(tmp_path: Path) -> None:
    base, head = tmp_path / "base", tmp_path / "head"
    (base / ".github").mkdir(parents=True)
    (base / ".github" / "undersigned.yml").write_text("letter:\n  start_after: 'Signed,'\n  line: '- {name}'\n")
    (base / ".github" / "undersigned-ledger.tsv").write_text("1\tada\t- Ada Lovelace\n")
    (base / "README.md").write_text("Signed,\n\n- Ada Lovelace\n- Cy Pre\n")
    shutil.copytree(base, head)
    (head / "README.md").write_text("Signed,\n\n- Cy Pre\n")
    own = run("verify", "--base", str(base), "--head", str(head), "--author", "ada", "--author-id", "1")
    assert own.returncode == 0 and own.stdout.startswith("withdraw"), own.stdout + own.stderr
    other = run("verify", "--base", str(base), "--head", str(head), "--author", "bob", "--author-id", "2")
    assert other.returncode == 1 and "edits-others-line" in other.stdout
