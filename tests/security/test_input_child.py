"""The rules' child process outlives a killed service quietly: no traceback lands in the service's log."""

from __future__ import annotations

import subprocess
import sys

from app.review.rules_child import read_frame, write_frame
from app.rules import Author, Snapshots
from tests.helpers import NOW, ROOT, SEED_CONFIG_YAML, config, seed_text, with_line


def test_a_child_whose_service_died_mid_request_exits_without_a_traceback() -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "app.review.rules_child"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    assert read_frame(child.stdout) == ("ready",)
    text = seed_text()
    texts = Snapshots(
        {"README.md": text}, {"README.md": with_line(text, "-  Ada Lovelace [@ada](https://github.com/ada)")}
    )
    request = (config(SEED_CONFIG_YAML), texts, ["README.md"], Author("ada", 1), NOW, None)
    child.stdout.close()  # the service is gone (kill -9): the answer has nowhere to go
    write_frame(child.stdin, request)
    child.stdin.close()
    assert child.wait(timeout=60) == 0
    with child.stderr:
        assert child.stderr.read().decode() == ""
