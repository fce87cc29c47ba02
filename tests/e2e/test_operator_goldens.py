"""Operators' errors at start-up, as golden files: one line each, a documented exit code, no traceback."""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app.logs import JsonFormatter
from app.server import EXIT_BUSY, EXIT_CONFIG
from app.settings import Settings
from tests.e2e.test_operators import env_with, free_port
from tests.github_sim.keys import app_key
from tests.helpers import assert_golden
from tests.service import Service, wait_until


def serve(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "app.cli", "serve", *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def first_line(process: subprocess.Popen[str]) -> str:
    assert process.stderr is not None
    return process.stderr.readline()


def finish(process: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str]:
    _, err = process.communicate(timeout=timeout)
    return process.returncode, err


def anonymous(text: str, tmp_path: Path, port: int) -> str:
    text = re.sub(r"token=[A-Za-z0-9_-]+", "token=TOKEN", text)  # the setup token is new at every start
    return text.replace(str(tmp_path), "TMP").replace(str(port), "PORT")


def test_a_port_in_use_is_one_line_naming_it_and_exit_3(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        code, err = finish(serve(env_with(tmp_path), "--port", str(port)))
    assert code == EXIT_BUSY == 3
    assert err.count("\n") == 1 and "Traceback" not in err and "/setup" not in err
    assert not (tmp_path / "data" / "intake").exists()  # nothing was touched before the bind
    assert_golden("ops/port-in-use.txt", anonymous(err, tmp_path, port))


def test_a_second_serve_on_the_same_data_folder_is_one_line_and_exit_3(tmp_path: Path) -> None:
    first = serve(env_with(tmp_path), "--port", "0")
    try:
        assert "no GitHub App yet" in first_line(first)
        wait_until(lambda: (tmp_path / "data" / "intake" / "LOCK").exists(), what="the first serve's intake")
        time.sleep(1)  # the lock is taken just after the file is made
        code, err = finish(serve(env_with(tmp_path), "--port", "0"))
    finally:
        first.terminate()
        first.communicate(timeout=30)
    assert code == EXIT_BUSY
    assert err.count("\n") == 1 and "Traceback" not in err
    assert_golden("ops/data-folder-in-use.txt", anonymous(err, tmp_path, 0))


def test_a_key_that_is_not_pem_is_said_at_start_up(tmp_path: Path) -> None:
    env = env_with(tmp_path, app_id="12", webhook_secret="s", private_key="ssh-rsa AAAA not a pem")
    port = free_port()
    process = serve(env, "--port", str(port))
    try:
        line = first_line(process)
    finally:
        process.terminate()
        _, rest = finish(process)
    assert "Traceback" not in rest
    assert_golden("ops/key-not-pem.txt", anonymous(line, tmp_path, port))


def test_in_a_container_the_first_line_never_says_open_0_0_0_0(tmp_path: Path) -> None:
    port = free_port()
    process = serve(env_with(tmp_path, host="0.0.0.0", port=str(port)))
    try:
        line = first_line(process)
    finally:
        process.terminate()
        finish(process)
    assert "0.0.0.0" not in line
    assert_golden("ops/no-app-in-a-container.txt", anonymous(line, tmp_path, port))


def test_settings_errors_exit_2(tmp_path: Path) -> None:
    code, err = finish(serve(env_with(tmp_path, port="eighty"), "--port", "0"))
    assert code == EXIT_CONFIG == 2
    assert err.count("\n") == 1 and "Traceback" not in err


def test_library_log_lines_are_formatted_never_templates() -> None:
    formatter = JsonFormatter()
    uvicorn = logging.LogRecord(
        "uvicorn.error", logging.INFO, "x", 1, "Uvicorn running on %s://%s:%d", ("http", "h", 8), None
    )
    urllib3 = logging.LogRecord(
        "urllib3.connectionpool", logging.WARNING, "x", 1,
        "Retrying (%r) after connection broken by '%r': %s", ("Retry(total=2)", "NewConnectionError()", "/app"), None,
    )  # fmt: skip
    assert json.loads(formatter.format(uvicorn))["event"] == "Uvicorn running on http://h:8"
    line = json.loads(formatter.format(urllib3))
    assert "%" not in line["event"] and "msg" not in line
    ours = logging.LogRecord("undersigned.jobs", logging.INFO, "x", 1, "job %s done", ("a",), None)
    assert json.loads(formatter.format(ours))["event"] == "job %s done"  # our events stay countable


def test_readiness_covers_reaching_github_from_the_last_call(tmp_path: Path) -> None:
    settings = Settings(app_id=12, private_key=SecretStr(app_key()[0]), webhook_secret=SecretStr("s"),
                        data_dir=tmp_path, github_api_url=f"http://127.0.0.1:{free_port()}", http_retries=0)  # fmt: skip
    service = Service(settings).start()
    try:
        # The start-up reconciliation asks GitHub for the installations; nothing listens there.
        def unready() -> bool:
            return httpx.get(service.base + "/readyz").status_code == 503

        wait_until(unready, timeout=60, what="/readyz to say GitHub cannot be reached")
        [problem] = httpx.get(service.base + "/readyz").json()["problems"]
        assert_golden("ops/github-unreachable.txt", problem.replace(settings.github_api_url, "URL") + "\n")
        page = httpx.get(service.base + "/", headers={"accept": "text/html"}, timeout=120).text
        assert ">Ready<" not in page and "Error(" not in page and "Max retries" not in page
        assert service.runtime.github is not None
        service.runtime.github.reach._set(None)  # the next call that gets an answer clears it
        assert httpx.get(service.base + "/readyz").status_code == 200
    finally:
        service.stop()


def test_a_data_folder_it_may_not_write_names_the_uid_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app import server

    def refused(self: Path, data: bytes) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "write_bytes", refused)  # as a bind-mounted host folder owned by another user
    monkeypatch.setattr(os, "getuid", lambda: 10001)  # the image's user
    monkeypatch.setenv("UNDERSIGNED_DATA_DIR", str(tmp_path / "data"))
    assert server.serve(port=0) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert_golden("ops/data-folder-not-writable.txt", err.replace(str(tmp_path), "TMP"))
