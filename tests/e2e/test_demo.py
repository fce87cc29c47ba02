"""The README's first screen, run as written: `make demo` (links that lead to HTML pages) and `make run`."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers import ROOT, status_sign_in

BROWSER = {"Accept": "text/html,application/xhtml+xml"}


def started(command: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)  # make and its child: the group this test started
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate(timeout=10)
    if process.stdout is not None:
        process.stdout.close()


def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNDERSIGNED_") and not k.startswith("MAKE")}
    env["UNDERSIGNED_DATA_DIR"] = str(tmp_path / "data")
    return env


@pytest.mark.slow
def test_make_demo_prints_what_happened_with_links_that_work(tmp_path: Path) -> None:
    args = f"--sim-port 0 --port 0 --state {tmp_path / 'demo'}"
    process = started(["make", "--no-print-directory", "demo", f"DEMO_ARGS={args}"], clean_env(tmp_path))
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Press Ctrl-C to stop." in line:
                break
        text = "".join(lines)
        assert "Press Ctrl-C to stop." in text, text
        assert "GitHub's published contract: 0 violation(s) in the demo's traffic" in text, text
        assert re.search(r"ada +#1 \(valid\): merged", text), text
        assert re.search(r"grace +#2 \(invalid\): failure: 1 problem to fix", text), text
        assert re.search(r"linus +#3 \(conflicting\): merged", text), text
        assert text.count("landed in http") == 2 and "undersigned resolved it" in text
        links = [u.rstrip(",.") for u in re.findall(r"https?://[^\s)]+", text)]
        pages = [u for u in links if "/pull/" in u or "/commit/" in u or "/blob/" in u]
        assert len(pages) >= 6
        for url in links:
            answer = httpx.get(url, headers=BROWSER, timeout=30)
            assert answer.status_code == 200, url
            assert answer.headers["content-type"].startswith("text/html"), url
        with httpx.Client(base_url=links[-1].rstrip("/"), headers=BROWSER) as http:  # signed in: what you administer
            status = status_sign_in(http, "maintainer").text  # the status page: decisions with reasons
        assert "landed" in status and 'id="live" data-refresh' in status, status  # figures update in place
        assert "line-format" in status, status
        letter = httpx.get(next(u for u in links if "/blob/" in u)).text
        assert "Ada Lovelace" in letter and "Linus Torvalds" in letter
    finally:
        stop(process)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_make_run_starts_the_service_with_its_setup_page(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    port = free_port()
    env["UNDERSIGNED_PORT"] = str(port)
    process = started(["make", "--no-print-directory", "run"], env)
    try:
        deadline, answer = time.monotonic() + 60, None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/setup", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer is not None and answer.status_code == 200, process.poll()
        assert "Create the GitHub App" in answer.text
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    finally:
        stop(process)
