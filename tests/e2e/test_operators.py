"""Operators' errors: each says what is wrong in one line, never a traceback or a reset connection."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from pydantic import SecretStr

from app.settings import Settings
from tests.github_sim import signature
from tests.github_sim.keys import app_key
from tests.service import Service


def env_with(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNDERSIGNED_")}
    env["UNDERSIGNED_DATA_DIR"] = str(tmp_path / "data")
    env.update({f"UNDERSIGNED_{k.upper()}": v for k, v in values.items()})
    return env


def serve(env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "app.cli", "serve", "--port", "0"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def test_a_missing_key_file_says_file_not_found(tmp_path: Path) -> None:
    done = serve(env_with(tmp_path, app_id="12", webhook_secret="s", private_key_path=str(tmp_path / "nope.pem")))
    assert done.returncode == 2
    assert done.stderr == f"undersigned: UNDERSIGNED_PRIVATE_KEY_PATH: file not found: {tmp_path / 'nope.pem'}\n"


def test_a_key_that_is_not_pem_fails_readiness_with_the_reason(tmp_path: Path) -> None:
    settings = Settings(app_id=12, private_key=SecretStr("ssh-rsa AAAA not a pem"), webhook_secret=SecretStr("s"),
                        data_dir=tmp_path)  # fmt: skip
    service = Service(settings).start()
    try:
        ready = httpx.get(service.base + "/readyz")
        assert ready.status_code == 503
        assert ready.json()["problems"] == [
            "the App's private key is not a PEM key (no -----BEGIN line): use the .pem file GitHub gave"
        ]
        broken = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"
        service.runtime.reload(settings.model_copy(update={"private_key": SecretStr(broken)}))
        [problem] = httpx.get(service.base + "/readyz").json()["problems"]
        assert problem.startswith("the App's private key is not a valid PEM private key (")
        assert "AAAA" not in problem
        assert httpx.get(service.base + "/healthz").status_code == 200  # alive, just not ready
    finally:
        service.stop()


def test_an_unusable_data_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    done = serve(env_with(tmp_path, data_dir=str(blocker / "data")))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"undersigned: UNDERSIGNED_DATA_DIR: cannot use {blocker / 'data'}: ")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stderr_for(process: subprocess.Popen[str], seconds: float) -> str:
    time.sleep(seconds)
    process.terminate()
    _, err = process.communicate(timeout=30)
    return err


def test_an_unreachable_redis_is_one_line_a_minute(tmp_path: Path) -> None:
    key = tmp_path / "app.pem"
    key.write_text(app_key()[0])
    env = env_with(
        tmp_path,
        app_id="12",
        webhook_secret="s",
        private_key_path=str(key),
        redis_url=f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        github_api_url="http://127.0.0.1:9",
    )
    port = free_port()
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    answers: list[int] = []
    deadline = time.monotonic() + 30
    while len(answers) < 5 and time.monotonic() < deadline:  # GitHub delivering while Redis is down
        body = b'{"action": "opened", "number": 1}'
        headers = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": f"d{len(answers)}",
                   "X-Hub-Signature-256": signature("s", body)}  # fmt: skip
        try:
            answers.append(httpx.post(f"http://127.0.0.1:{port}/webhooks", content=body, headers=headers).status_code)
        except httpx.TransportError:
            time.sleep(0.1)
    err = stderr_for(process, 4)  # the consumer polls many times a second, the scheduler every second
    assert answers == [503] * 5
    outage = [line for line in err.splitlines() if "unreachable" in line]
    assert len(outage) == 1, err
    assert "Traceback" not in err and "Error reading" not in err
    assert '"msg": "the job queue\'s store is unreachable: ' in outage[0]


def over_limit(size: int) -> Iterator[bytes]:
    chunk = b"x" * (1024 * 1024)
    for _ in range(size // len(chunk)):
        yield chunk


def test_a_26_mb_body_is_answered_413(app_world: tuple[object, object, Service]) -> None:
    _, _, service = app_world
    body = b"x" * (26 * 1024 * 1024)
    headers = {"X-GitHub-Event": "ping", "X-GitHub-Delivery": "big"}
    declared = httpx.post(service.url, content=body, headers=headers, timeout=60)
    assert declared.status_code == 413 and "payload over" in declared.json()["error"]
    streamed = httpx.post(service.url, content=over_limit(26 * 1024 * 1024), headers=headers, timeout=60)
    assert streamed.status_code == 413
    assert httpx.get(service.base + "/healthz").status_code == 200
