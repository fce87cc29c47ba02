"""Principle 1, modes included: a landing writes the tip plus the accepted changes, so a letter file keeps the
mode the tip gives it (an executable README stays executable), and a new signature file is 100644."""

from __future__ import annotations

from pathlib import Path

from tests.github_sim import Demo, Simulator, person
from tests.github_sim.demo import DEMO_CONFIG
from tests.security.landing_attacker import DIR_CONFIG, Attacker, Client, seed, serve, signature_file, tree_of
from tests.service import settle

LETTER = "# A letter\n\nWe ask for this.\n\nSigned,\n\n-  Lea Verou [@leaverou](https://github.com/leaverou)\n"
SIGNED = "_data/signed"


def _set_mode(sim: Simulator, demo: Demo, path: str, mode: str) -> None:
    """The maintainer commits a mode change of `path` on main (as `git update-index --chmod=+x` then a push)."""
    maintainer = Client(sim, demo.maintainer.token)
    repo = demo.repo.full_name
    tip = maintainer.call("GET", f"/repos/{repo}/git/ref/heads/main")["object"]["sha"]
    entry = {"path": path, "mode": mode, "type": "blob", "sha": tree_of(sim, demo)[path][1]}
    tree = maintainer.call("POST", f"/repos/{repo}/git/trees", {"base_tree": tip, "tree": [entry]})["sha"]
    commit = maintainer.call("POST", f"/repos/{repo}/git/commits", {"message": "+x", "tree": tree, "parents": [tip]})
    maintainer.call("PATCH", f"/repos/{repo}/git/refs/heads/main", {"sha": commit["sha"]})
    assert tree_of(sim, demo)[path][0] == mode


def test_a_signature_landing_in_an_executable_letter_keeps_its_mode(sim: Simulator, tmp_path: Path) -> None:
    demo = seed(sim, {".github/undersigned.yml": DEMO_CONFIG, "README.md": LETTER})
    _set_mode(sim, demo, "README.md", "100755")
    service = serve(sim, demo, tmp_path / "data")
    try:
        sim.world.add_user("ada")
        line = "-  Ada Lovelace [@ada](https://github.com/ada)"
        number = int(person(sim, "ada").sign(demo.repo.full_name, "README.md", line)["number"])
        settle(sim, service)
        assert sim.world.pull(demo.repo, number).merged
        mode, blob = tree_of(sim, demo)["README.md"]
        assert demo.repo.git.read_blob(blob).decode().endswith(line + "\n")  # the signature landed
        assert mode == "100755"  # and the file is as executable as it was
    finally:
        service.stop()


def test_an_amended_executable_signature_file_stays_executable_and_a_new_one_is_100644(
    sim: Simulator, tmp_path: Path
) -> None:
    grace = signature_file("Grace Hopper", "grace")
    demo = seed(sim, {".github/undersigned.yml": DIR_CONFIG, f"{SIGNED}/grace.yaml": grace})
    _set_mode(sim, demo, f"{SIGNED}/grace.yaml", "100755")
    service = serve(sim, demo, tmp_path / "data")
    try:
        amended = signature_file("Grace B. Hopper", "grace")
        her = Attacker(sim, sim.world.add_user("grace").token)
        her.commit(demo.repo.full_name, "amend", {f"{SIGNED}/grace.yaml": ("100755", amended)})
        eve = Attacker(sim, sim.world.add_user("eve").token)
        eve.commit(demo.repo.full_name, "sign", {f"{SIGNED}/eve.yaml": ("100644", signature_file("Eve", "eve"))})
        numbers = [her.open_pr(demo.repo.full_name, "amend"), eve.open_pr(demo.repo.full_name, "sign")]
        settle(sim, service)
        assert all(sim.world.pull(demo.repo, n).merged for n in numbers)
        after = tree_of(sim, demo)
        assert demo.repo.git.read_blob(after[f"{SIGNED}/grace.yaml"][1]).decode() == amended
        assert after[f"{SIGNED}/grace.yaml"][0] == "100755"
        assert after[f"{SIGNED}/eve.yaml"][0] == "100644"
    finally:
        service.stop()
