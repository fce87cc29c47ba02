"""A letter file that is not valid UTF-8 is refused in clear words, never read with replacement characters:
what is judged, and what a landing writes back, are the file's bytes (principle 1)."""

from __future__ import annotations

import base64
from pathlib import Path

from tests.github_sim import Simulator, person
from tests.github_sim.demo import DEMO_CONFIG
from tests.security.landing_attacker import seed, serve
from tests.service import settle, wait_until

LETTER = "# Letter\n\nSigned,\n\n-  Grace Hopper [@grace](https://github.com/grace)\n"
ZOE = "-  Zoë Keating [@zoe](https://github.com/zoe)\n".encode("latin-1")  # ë as one byte, 0xEB: not UTF-8
ADA = "-  Ada [@ada](https://github.com/ada)"


def _problems(sim: Simulator, head: str) -> str:
    return "\n".join(str(r.output.get("text") or "") + str(r.output.get("summary") or "")
                     for r in sim.world.check_runs.values() if r.head_sha == head)  # fmt: skip


def _propose(sim: Simulator, login: str, repo: str, content: bytes) -> tuple[int, str]:
    """A PR from a fork whose README.md is `content`, raw bytes (as `git push` can send): (number, head sha)."""
    who = person(sim, login)
    fork = who.fork(repo)
    who.branch(fork, "sign")
    sha = who.http.get(f"/repos/{fork}/contents/README.md", params={"ref": "sign"}).json()["sha"]
    body = {"message": "Sign", "content": base64.b64encode(content).decode(), "branch": "sign", "sha": sha}
    assert who.http.put(f"/repos/{fork}/contents/README.md", json=body).status_code == 200
    opened = who.open_pr(repo, "sign", f"Add {login}", fork=fork)
    return int(opened["number"]), str(opened["head"]["sha"])


def test_a_signature_in_latin_1_is_refused_and_nothing_lands(sim: Simulator, tmp_path: Path) -> None:
    demo = seed(sim, {".github/undersigned.yml": DEMO_CONFIG, "README.md": LETTER})
    service = serve(sim, demo, tmp_path / "data")
    try:
        sim.world.add_user("zoe")
        number, head = _propose(sim, "zoe", demo.repo.full_name, LETTER.encode() + ZOE)
        wait_until(lambda: "not valid UTF-8" in _problems(sim, head), 60, "the refusal")
        settle(sim, service, timeout=60)
        assert "`README.md` is not valid UTF-8 text" in _problems(sim, head)
        assert not sim.world.pull(demo.repo, number).merged
        found = demo.repo.git.read_path("refs/heads/main", "README.md")
        assert found is not None and found[1] == LETTER.encode()
    finally:
        service.stop()


def test_a_letter_in_latin_1_is_never_rewritten(sim: Simulator, tmp_path: Path) -> None:
    demo = seed(sim, {".github/undersigned.yml": DEMO_CONFIG, "README.md": LETTER})
    original = LETTER.encode() + ZOE  # the maintainers' own file, in Latin-1
    maintainer = person(sim, "maintainer")
    sha = maintainer.read(demo.repo.full_name, "README.md", "main")[1]
    body = {"message": "Zoë", "content": base64.b64encode(original).decode(), "branch": "main", "sha": sha}
    assert maintainer.http.put(f"/repos/{demo.repo.full_name}/contents/README.md", json=body).status_code == 200
    service = serve(sim, demo, tmp_path / "data")
    try:
        sim.world.add_user("ada")
        number, head = _propose(sim, "ada", demo.repo.full_name, original + (ADA + "\n").encode())
        wait_until(lambda: "not valid UTF-8" in _problems(sim, head), 60, "the refusal")
        settle(sim, service, timeout=60)
        assert not sim.world.pull(demo.repo, number).merged
        found = demo.repo.git.read_path("refs/heads/main", "README.md")
        assert found is not None and found[1] == original  # byte for byte: no U+FFFD written back
    finally:
        service.stop()
