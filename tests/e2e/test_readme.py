"""Every command in the README is run: here, by another test (named below), or by CI."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.helpers import ROOT, SEED_CONFIG_YAML, SEED_LETTER

# Each README command and where it runs.
COVERED = {
    "make run": "tests/e2e/test_demo.py::test_make_run_starts_the_service_with_its_setup_page",
    "make test": ".ci/run",
    "make demo": "tests/e2e/test_demo.py::test_make_demo_prints_what_happened_with_links_that_work",
    "docker build -t undersigned .": ".ci/container-smoke (podman build of the same Dockerfile)",
    "docker run -p 8000:8000 -v undersigned-data:/data undersigned": ".ci/container-smoke (podman run)",
    "mkdir -p deploy/secrets && cp your-app.private-key.pem deploy/secrets/app.pem": ".ci/compose-drill",
    "printf %s 'the webhook secret' > deploy/secrets/webhook-secret": ".ci/compose-drill (secrets written so)",
    "chown 10001 deploy/secrets/* && chmod 0400 deploy/secrets/*": ".ci/compose-drill (tests/compose_drill.py)",
    "docker build -t undersigned . && UNDERSIGNED_APP_ID=123456 docker compose -f deploy/compose.yaml up -d": (
        ".ci/compose-drill (podman compose up of the same file, on the image container-smoke built)"
    ),
    "bridge=$(podman network inspect undersigned_default --format '{{.NetworkInterface}}')": (
        ".ci/compose-drill (tests/compose_bridge.py, on the drill's own network)"
    ),
    'ip link set dev "$bridge" address "$(cat "/sys/class/net/$bridge/address")"': (
        ".ci/compose-drill (tests/compose_bridge.py, the same call)"
    ),
    ".venv/bin/undersigned lint path/to/letter-repo": "test_lint_and_verify_as_written",
    ".venv/bin/undersigned verify --base before/ --head after/ --author ada --json": "test_lint_and_verify_as_written",
    ".venv/bin/undersigned init path/to/letter-repo": "tests/e2e/test_action_setup.py::test_init_as_written_runs_as_is",
    ".venv/bin/undersigned init --write --action path/to/letter-repo": (
        "tests/e2e/test_action_setup.py::test_init_as_written_runs_as_is"
    ),
}


def commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            command = line.split("#")[0].strip()
            if command:
                found.append(command)
    return found


def test_every_readme_command_is_run_somewhere() -> None:
    assert sorted(commands()) == sorted(COVERED)


def test_lint_and_verify_as_written(tmp_path: Path) -> None:
    letter = tmp_path / "path" / "to" / "letter-repo"
    (letter / ".github").mkdir(parents=True)
    shutil.copy(SEED_LETTER, letter / "README.md")
    (letter / ".github" / "undersigned.yml").write_text(SEED_CONFIG_YAML)
    shutil.copytree(letter, tmp_path / "before")
    shutil.copytree(letter, tmp_path / "after")
    with open(tmp_path / "after" / "README.md", "a") as fh:
        fh.write("\n-  Ada Lovelace [@ada](https://github.com/ada)\n")
    venv = ROOT / ".venv" / "bin"
    for command in commands():
        if command.startswith((".venv/bin/undersigned lint", ".venv/bin/undersigned verify")):  # init: its own test
            argv = [str(venv / "undersigned"), *command.split()[1:]]
            done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, check=False)
            assert done.returncode == 0, done.stdout + done.stderr
            assert "signatures, clean" in done.stdout or '"kind": "sign"' in done.stdout
