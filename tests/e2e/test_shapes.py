"""Letters without logins, end to end: the ledger binds each line or file to its signer's account."""

from __future__ import annotations

from typing import Any

from tests.github_sim import Demo, Simulator, person
from tests.service import Service, settle

REPO = "maintainer/microsoft-drop-ice"
LEDGER = ".github/undersigned-ledger.tsv"
World = tuple[Simulator, Demo, Service]
NAMES = 'version: 1\nletter:\n  file: NAMES.md\n  start_after: "Signed,"\n  line: "- {name}"\n'
FOLDER = (
    'version: 1\nletter:\n  directory: _signatures\n  filename: "{id}.md"\n  front_matter: true\n'
    '  fields: {name: "{name}"}\n  body: text\n'
)


def setup_letter(sim: Simulator, config: str, files: dict[str, str]) -> None:
    maint = person(sim, "maintainer")
    for path, text in files.items():
        maint.write(REPO, path, text, "main")
    maint.write(REPO, ".github/undersigned.yml", config, "main")


def propose(sim: Simulator, login: str, changes: dict[str, str | None], branch: str) -> int:
    """Fork, change files on a branch (None deletes), open a PR: a signer's edit."""
    who = person(sim, login)
    fork = who.fork(REPO)
    tip = who.http.get(f"/repos/{REPO}/git/ref/heads/main").json()["object"]["sha"]
    who.http.post(f"/repos/{fork}/git/refs", json={"ref": f"refs/heads/{branch}", "sha": tip})  # from main as it is now
    for path, text in changes.items():
        if text is None:
            who.delete(fork, path, branch)
        else:
            who.write(fork, path, text, branch)
    return int(who.open_pr(REPO, branch, f"{login}: {branch}", fork=fork)["number"])


def pr(sim: Simulator, number: int) -> Any:
    return sim.world.pull(sim.world.repo(REPO), number)


def failure(sim: Simulator, number: int) -> str:
    [run] = [r for r in sim.world.check_runs.values() if r.head_sha == pr(sim, number).head_sha]
    assert run.conclusion == "failure", run.output
    return str(run.output["summary"])


def main_text(sim: Simulator, path: str) -> str | None:
    try:
        return person(sim, "maintainer").read(REPO, path, "main")[0]
    except AssertionError:
        return None


def ledger_rows(sim: Simulator) -> list[list[str]]:
    text = main_text(sim, LEDGER) or ""
    return [row.split("\t") for row in text.splitlines() if row and not row.startswith("#")]


def test_names_only_list_signs_refuses_and_withdraws_through_the_ledger(app_world: World) -> None:
    sim, demo, service = app_world
    setup_letter(sim, NAMES, {"NAMES.md": "# We object\n\nSigned,\n\n"})
    ada = next(u for u in demo.signers if u.login == "ada")
    signed = propose(sim, "ada", {"NAMES.md": "# We object\n\nSigned,\n\n- Ada Lovelace\n"}, "sign")
    settle(sim, service)
    assert pr(sim, signed).merged
    assert "- Ada Lovelace" in (main_text(sim, "NAMES.md") or "")
    assert [row[:2] for row in ledger_rows(sim)] == [[str(ada.id), "ada"]]  # bound in the landing commit
    # The same account signing again, under another name: refused, one signature per account.
    twice = propose(sim, "ada", {"NAMES.md": "# We object\n\nSigned,\n\n- Ada Lovelace\n- Ada King\n"}, "again")
    # Someone else's line: nobody edits another's signature.
    other = propose(sim, "grace", {"NAMES.md": "# We object\n\nSigned,\n\n- Ada Byron\n"}, "edit")
    settle(sim, service)
    assert not pr(sim, twice).merged and "already" in failure(sim, twice).lower()
    assert not pr(sim, other).merged and "ada" in failure(sim, other).lower()
    # Her own line, withdrawn: lands, and the ledger forgets it in the same commit.
    gone = propose(sim, "ada", {"NAMES.md": "# We object\n\nSigned,\n\n"}, "withdraw")
    settle(sim, service)
    assert pr(sim, gone).merged
    assert "Ada Lovelace" not in (main_text(sim, "NAMES.md") or "")
    assert ledger_rows(sim) == []


def test_front_matter_folder_binds_each_file_to_its_signer(app_world: World) -> None:
    sim, demo, service = app_world
    setup_letter(sim, FOLDER, {"_signatures/README.md": "One file per signer.\n"})
    ada = next(u for u in demo.signers if u.login == "ada")
    signed = propose(sim, "ada", {"_signatures/3f9c.md": "---\nname: Ada Lovelace\n---\nFor the record.\n"}, "sign")
    settle(sim, service)
    assert pr(sim, signed).merged
    assert main_text(sim, "_signatures/3f9c.md") is not None
    assert [row[0] for row in ledger_rows(sim)] == [str(ada.id)] and ledger_rows(sim)[0][2] == "_signatures/3f9c.md"
    twice = propose(sim, "ada", {"_signatures/77aa.md": "---\nname: Ada King\n---\n"}, "again")
    other = propose(sim, "grace", {"_signatures/3f9c.md": None}, "remove")
    settle(sim, service)
    assert not pr(sim, twice).merged and "already" in failure(sim, twice).lower()
    assert not pr(sim, other).merged and main_text(sim, "_signatures/3f9c.md") is not None
    gone = propose(sim, "ada", {"_signatures/3f9c.md": None}, "withdraw")
    settle(sim, service)
    assert pr(sim, gone).merged
    assert main_text(sim, "_signatures/3f9c.md") is None and ledger_rows(sim) == []
