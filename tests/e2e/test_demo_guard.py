"""`make demo` beside another demo or `make run`: one line, nothing touched; and Ctrl-C works from the start."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.test_demo import clean_env
from tests.helpers import ROOT, assert_golden


def demo(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.demo", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_taken_port_touches_nothing_and_names_the_way_out(tmp_path: Path) -> None:
    state = tmp_path / "demo"
    state.mkdir()
    (state / "the first demo's world").write_text("")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        out, err = demo(
            "--port", str(port), "--sim-port", "0", "--state", str(state), env=clean_env(tmp_path)
        ).communicate(timeout=60)
    assert (state / "the first demo's world").exists()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert_golden("ops/demo-port-in-use.txt", err.replace(str(port), "PORT"))


def test_ctrl_c_in_the_first_seconds_stops_the_demo(tmp_path: Path) -> None:
    process = demo("--port", "0", "--state", str(tmp_path / "demo"), env=clean_env(tmp_path))
    time.sleep(1.5)  # importing, or starting the simulator
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 130 and "stopped" in err and "Traceback" not in err
