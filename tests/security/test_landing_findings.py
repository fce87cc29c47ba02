"""Issue 18, findings 1-4, end to end through the simulator: nothing but validated signatures ever lands."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from tests.github_sim import Simulator, person
from tests.github_sim.demo import DEMO_CONFIG
from tests.security.landing_attacker import (
    DIR_CONFIG,
    SCRIPT,
    Attacker,
    Client,
    admin,
    seed,
    serve,
    signature_file,
    tree_of,
)
from tests.service import settle, wait_until

SIGNED = "_data/signed"
SITE = {"index.html": "<h1>Letter</h1>\n", "_layouts/default.html": "<html>{{ content }}</html>\n"}


def _conclusions(sim: Simulator, head: str) -> list[tuple[str | None, str]]:
    return [(r.conclusion, r.output.get("summary", "")) for r in sim.world.check_runs.values() if r.head_sha == head]


# --- 1. the compare API's 300-file cap ----------------------------------------------------------------------
EXTRAS: dict[str, dict[str, tuple[str, str] | None]] = {
    "script": {"index.html": ("100644", SCRIPT), "_layouts/default.html": ("100644", SCRIPT)},
    "symlink": {"index.html": None, "evil.html": ("120000", "_data/signed/s0001.yaml")},
    "submodule": {"_layouts/default.html": None, "_layouts/vendor": ("160000", "HEAD")},
    "rename": {"index.html": None, "index2.html": ("100644", SITE["index.html"] + SCRIPT)},
    "delete": {"_layouts/default.html": None},
}


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_changes_past_the_file_cap_land_nothing(sim: Simulator, tmp_path: Path, extra: str) -> None:
    files = {f"{SIGNED}/s{i:04}.yaml": signature_file(f"Signer {i}", f"s{i:04}") for i in range(300)}
    demo = seed(sim, {".github/undersigned.yml": DIR_CONFIG, **SITE, **files})
    service = serve(sim, demo, tmp_path / "data")
    try:
        before = tree_of(sim, demo)
        eve = sim.world.add_user("eve")
        attacker = Attacker(sim, eve.token)
        # 299 mode-only changes to signature files, then Eve's valid file, then what she is really after.
        padding = {f"{SIGNED}/s{i:04}.yaml": ("100755", files[f"{SIGNED}/s{i:04}.yaml"]) for i in range(299)}
        tip = demo.repo.git.ref("refs/heads/main")
        assert tip is not None
        wanted = {p: (e if e is None or e[1] != "HEAD" else (e[0], tip)) for p, e in EXTRAS[extra].items()}
        attacker.commit(
            demo.repo.full_name,
            "sign",
            {**padding, f"{SIGNED}/eve.yaml": ("100644", signature_file("Eve", "eve")), **wanted},
        )
        number = attacker.open_pr(demo.repo.full_name, "sign")
        settle(sim, service, timeout=120)  # today's main reads all 300 files first
        pr = sim.world.pull(demo.repo, number)
        assert not pr.merged
        assert tree_of(sim, demo) == before  # not one path, mode or byte of it
        assert any(c == "failure" and "300" in s for c, s in _conclusions(sim, pr.head_sha))
    finally:
        service.stop()


@pytest.mark.parametrize("what", ["mode", "symlink", "submodule"])
def test_a_mode_or_type_change_below_the_cap_is_refused(sim: Simulator, tmp_path: Path, what: str) -> None:
    grace = signature_file("Grace Hopper", "grace")
    demo = seed(sim, {".github/undersigned.yml": DIR_CONFIG, f"{SIGNED}/grace.yaml": grace, **SITE})
    service = serve(sim, demo, tmp_path / "data")
    try:
        before = tree_of(sim, demo)
        tip = demo.repo.git.ref("refs/heads/main")
        assert tip is not None
        change = {"mode": ("100755", grace), "symlink": ("120000", "grace.yaml"), "submodule": ("160000", tip)}[what]
        eve = sim.world.add_user("eve")
        attacker = Attacker(sim, eve.token)
        mine = signature_file("Eve", "eve")
        path = f"{SIGNED}/grace.yaml" if what == "mode" else f"{SIGNED}/eve.yaml"
        extra = {f"{SIGNED}/eve.yaml": ("100644", mine)} if what == "mode" else {}
        attacker.commit(demo.repo.full_name, "sign", {**extra, path: change})
        number = attacker.open_pr(demo.repo.full_name, "sign")
        settle(sim, service)
        pr = sim.world.pull(demo.repo, number)
        assert not pr.merged and tree_of(sim, demo) == before
        assert any(c == "failure" and "`unsupported-change`" in s for c, s in _conclusions(sim, pr.head_sha))
    finally:
        service.stop()


# --- 2. edits the diff ignored ------------------------------------------------------------------------------
LETTER = "# A letter\n\nWe ask for this.\n\nSigned,\n\n-  Lea Verou [@leaverou](https://github.com/leaverou)\n-  Tom Lycken [@tlycken](https://github.com/tlycken)\n"
EDITS = {
    "bare bullet under a paragraph": lambda t: t.replace("We ask for this.\n", "We ask for this.\n-\n"),
    "en dash for another's bullet": lambda t: t.replace("-  Tom", "\u2013  Tom"),
    "trailing spaces on another's line": lambda t: t.replace("tlycken)\n", "tlycken)   \n"),
    "another's line in NFD": lambda t: t.replace("L\u00e9a Verou", unicodedata.normalize("NFD", "L\u00e9a Verou")),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_invisible_edit_beside_a_valid_line_is_refused_and_named(sim: Simulator, tmp_path: Path, edit: str) -> None:
    text = LETTER.replace("Lea Verou", "L\u00e9a Verou") if "NFD" in edit else LETTER
    demo = seed(sim, {".github/undersigned.yml": DEMO_CONFIG, "README.md": text})
    service = serve(sim, demo, tmp_path / "data")
    try:
        before = tree_of(sim, demo)
        sim.world.add_user("ada")
        line = "-  Ada Lovelace [@ada](https://github.com/ada)"
        opened = person(sim, "ada").sign(
            demo.repo.full_name, "README.md", "", transform=lambda t: EDITS[edit](t) + line + "\n"
        )
        settle(sim, service)
        pr = sim.world.pull(demo.repo, int(opened["number"]))
        assert not pr.merged and tree_of(sim, demo) == before
        assert any(c == "failure" and "not your signature" in s for c, s in _conclusions(sim, pr.head_sha))
    finally:
        service.stop()


WIDE = "\uff41\uff44\uff41"  # "ada" in full-width letters
OWN_LINES = {
    "nfd": ("-  Zo\u00eb Kraft [@ada](https://github.com/ada)", True),
    "full-width": (f"-  Ada Lovelace [@{WIDE}](https://github.com/{WIDE})", False),
}


@pytest.mark.parametrize("form", sorted(OWN_LINES))
def test_the_signers_own_line_re_encoded_lands_as_judged_or_not_at_all(
    sim: Simulator, tmp_path: Path, form: str
) -> None:
    demo = seed(sim, {".github/undersigned.yml": DEMO_CONFIG, "README.md": LETTER})
    service = serve(sim, demo, tmp_path / "data")
    try:
        before = tree_of(sim, demo)
        sim.world.add_user("ada")
        line, lands = OWN_LINES[form]
        opened = person(sim, "ada").sign(demo.repo.full_name, "README.md", unicodedata.normalize("NFD", line))
        settle(sim, service)
        assert sim.world.pull(demo.repo, int(opened["number"])).merged == lands
        found = demo.repo.git.read_path("refs/heads/main", "README.md")
        assert found is not None
        if lands:
            assert found[1].decode() == LETTER + line + "\n"  # NFC: the text that was judged, not the PR's bytes
        else:
            assert tree_of(sim, demo) == before
    finally:
        service.stop()


# --- 3. a stale landing -------------------------------------------------------------------------------------
WRITES = r"^(PUT /repos/[^/]+/[^/]+/pulls/\d+/merge|POST /repos/[^/]+/[^/]+/git/commits)$"


def test_frozen_and_blocked_after_validation_never_land(sim: Simulator, tmp_path: Path) -> None:
    demo = seed(sim, {".github/undersigned.yml": DEMO_CONFIG, "README.md": LETTER})
    service = serve(sim, demo, tmp_path / "data")
    try:
        sim.faults.add("error", WRITES, status=502)  # the landing fails, transiently, for now
        sim.world.add_user("ada")
        opened = person(sim, "ada").sign(demo.repo.full_name, "README.md", "-  Ada [@ada](https://github.com/ada)")
        number, head = int(opened["number"]), str(opened["head"]["sha"])
        wait_until(lambda: any(c == "success" for c, _ in _conclusions(sim, head)), 60, "the owed green check")
        config = DEMO_CONFIG + "frozen: true\nsigners:\n  blocked: [ada]\n"
        person(sim, "maintainer").write(demo.repo.full_name, ".github/undersigned.yml", config, "main")
        wait_until(lambda: any(c == "failure" for c, _ in _conclusions(sim, head)), 60, "the failure check")
        sim.faults.clear()  # GitHub is back: the landing's retry must find nothing to land
        settle(sim, service, timeout=60)
        assert not sim.world.pull(demo.repo, number).merged
        found = demo.repo.git.read_path("refs/heads/main", "README.md")
        assert found is not None and found[1].decode() == LETTER
    finally:
        service.stop()


def test_a_pr_retargeted_after_validation_never_lands(sim: Simulator, tmp_path: Path) -> None:
    demo = seed(sim, {".github/undersigned.yml": DEMO_CONFIG, "README.md": LETTER})
    service = serve(sim, demo, tmp_path / "data")
    try:
        maintainer = person(sim, "maintainer")
        maintainer.branch(demo.repo.full_name, "drafts")
        sim.faults.add("error", WRITES, status=502)
        sim.world.add_user("ada")
        ada = person(sim, "ada")
        opened = ada.sign(demo.repo.full_name, "README.md", "-  Ada [@ada](https://github.com/ada)")
        number, head = int(opened["number"]), str(opened["head"]["sha"])
        wait_until(lambda: any(c == "success" for c, _ in _conclusions(sim, head)), 60, "the owed green check")
        tip = demo.repo.git.ref("refs/heads/main")
        Client(sim, sim.world.user("ada").token).call(
            "PATCH", f"/repos/{demo.repo.full_name}/pulls/{number}", {"base": "drafts"}
        )
        sim.faults.clear()
        settle(sim, service, timeout=60)
        assert not sim.world.pull(demo.repo, number).merged
        assert demo.repo.git.ref("refs/heads/main") == tip
    finally:
        service.stop()


# --- 4. a freed login takes over a line ---------------------------------------------------------------------
LEDGER_CONFIG = "version: 1\nletter:\n  start_after: 'Signed,'\n  line: '- {name}'\n"


def test_a_freed_login_cannot_take_over_a_line(sim: Simulator, tmp_path: Path) -> None:
    demo = seed(sim, {".github/undersigned.yml": LEDGER_CONFIG, "README.md": "A letter.\n\nSigned,\n\n- Lea Verou\n"})
    service = serve(sim, demo, tmp_path / "data")
    try:
        grace = sim.world.add_user("grace")
        opened = person(sim, "grace").sign(demo.repo.full_name, "README.md", "- Grace Hopper")
        settle(sim, service)
        assert sim.world.pull(demo.repo, int(opened["number"])).merged
        site = admin(sim)
        site.call("PATCH", "/admin/users/grace", {"login": "grace-hopper"})
        assert grace.login == "grace-hopper"
        impostor = site.call("POST", "/admin/users", {"login": "grace", "email": "grace@evil.example"})
        assert impostor["id"] != grace.id
        token = site.call("POST", "/admin/users/grace/authorizations", {"scopes": ["repo"]})["token"]
        attacker = Attacker(sim, token)
        text = "A letter.\n\nSigned,\n\n- Lea Verou\n- Grace Hopper: I withdraw my support\n"
        attacker.commit(demo.repo.full_name, "amend", {"README.md": ("100644", text)})
        number = attacker.open_pr(demo.repo.full_name, "amend")
        settle(sim, service)
        pr = sim.world.pull(demo.repo, number)
        assert not pr.merged
        found = demo.repo.git.read_path("refs/heads/main", "README.md")
        assert found is not None and "withdraw" not in found[1].decode() and "- Grace Hopper\n" in found[1].decode()
        assert any(c == "failure" for c, _ in _conclusions(sim, pr.head_sha))
    finally:
        service.stop()
