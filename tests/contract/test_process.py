"""A simulator run as a process (python -m tests.github_sim --validate) reports what broke the contract."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.helpers import ROOT


def test_a_validating_simulator_process_serves_and_prints_its_violations(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.github_sim", "--demo", "--validate", "--state", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        base, token = info["base_url"], info["users"][info["maintainer"]]
        with httpx.Client(base_url=base, headers={"Authorization": f"token {token}"}, timeout=10) as http:
            assert http.get(f"/repos/{info['repo']}").status_code == 200  # on contract
            assert http.get(f"/repos/{info['repo']}/git/refs/heads/main").status_code == 200  # not a documented route
            assert http.get(f"/repos/{info['repo']}/releases").status_code == 404  # documented, not simulated
            found = http.get("/_sim/violations").json()
        assert [(v["kind"], v["target"]) for v in found] == [
            ("request", f"GET /repos/{info['repo']}/git/refs/heads/main"),
            ("response", f"GET /repos/{info['repo']}/releases"),
        ]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 3
    assert "no such operation in GitHub's REST description" in err
