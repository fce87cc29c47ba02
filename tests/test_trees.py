"""app.github.trees: what we write on top of a tip never writes over a symlink, a submodule or a folder, whether at
the path itself or on its way (a folder the path needs that the tip holds as something else)."""

from __future__ import annotations

import pytest

from app.github.api import Api
from app.github.pacing import Pacer
from app.github.trees import NotAFileError, entries_at
from tests.github_sim import Demo, Simulator
from tests.security.landing_attacker import seed
from tests.sim.clients import installation_client

LETTER = "# A letter\n\nSigned,\n\n-  Lea Verou [@leaverou](https://github.com/leaverou)\n"


def _tip(demo: Demo, entries: dict[str, tuple[str, str]]) -> str:
    """A commit on main with `entries` (path -> (mode, content); a submodule's content is a commit sha)."""
    git = demo.repo.git
    tip = git.ref("refs/heads/main")
    assert tip is not None
    changes: dict[str, tuple[str, str] | None] = {
        p: (m, c if m == "160000" else git.write_blob(c.encode())) for p, (m, c) in entries.items()
    }
    commit = git.commit_tree(
        git.tree_with(tip, changes), [tip], "layout", demo.maintainer.person, demo.maintainer.person
    )
    assert git.set_ref("refs/heads/main", commit, old=tip)
    return commit


def _api(sim: Simulator, demo: Demo) -> Api:
    return Api(installation_client(sim, demo).requester, demo.installation.id, Pacer(0))


@pytest.mark.parametrize("mode", ["120000", "160000"])
def test_a_path_the_tip_holds_as_a_link_or_a_submodule_is_not_written_over(sim: Simulator, mode: str) -> None:
    demo = seed(sim, {"README.md": LETTER, "docs/keep.md": "kept\n"})
    target = "docs/keep.md" if mode == "120000" else demo.repo.git.ref("refs/heads/main") or ""
    tip = _tip(demo, {"letter.md": (mode, target)})
    with pytest.raises(NotAFileError, match=rf"`letter.md` .* not a file \(git mode {mode}\)"):
        entries_at(_api(sim, demo), demo.repo.full_name, tip, {"letter.md": LETTER + "-  Ada\n"})


def test_a_path_the_tip_holds_as_a_folder_is_not_written_over(sim: Simulator) -> None:
    demo = seed(sim, {"README.md": LETTER, "_data/signed/lea.yaml": "name: Lea\n"})
    tip = demo.repo.git.ref("refs/heads/main") or ""
    with pytest.raises(NotAFileError, match=r"`_data/signed` .* not a file \(git mode 040000\)"):
        entries_at(_api(sim, demo), demo.repo.full_name, tip, {"_data/signed": "name: Eve\n"})


@pytest.mark.parametrize("mode", ["120000", "100644"])
def test_a_folder_on_the_way_that_the_tip_holds_as_a_link_or_a_file_is_not_written_over(
    sim: Simulator, mode: str
) -> None:
    """`_data` linked elsewhere (or a file): a new file under it would replace it with a folder."""
    demo = seed(sim, {"README.md": LETTER, "elsewhere/signed/lea.yaml": "name: Lea\n"})
    tip = _tip(demo, {"_data": (mode, "elsewhere")})
    with pytest.raises(NotAFileError, match=rf"`_data` .* not a folder \(git mode {mode}\)"):
        entries_at(_api(sim, demo), demo.repo.full_name, tip, {"_data/signed/eve.yaml": "name: Eve\n"})


def test_files_keep_their_modes_and_new_ones_under_new_or_existing_folders_are_plain_files(sim: Simulator) -> None:
    demo = seed(sim, {"README.md": LETTER, "_data/signed/lea.yaml": "name: Lea\n"})
    tip = _tip(demo, {"_data/signed/run.yaml": ("100755", "name: Run\n")})
    changed: dict[str, str | None] = {
        "_data/signed/run.yaml": "name: Run, amended\n",
        "_data/signed/eve.yaml": "name: Eve\n",
        "new/folder/ada.yaml": "name: Ada\n",
        "_data/signed/lea.yaml": None,
    }
    entries = entries_at(_api(sim, demo), demo.repo.full_name, tip, changed)
    assert {e["path"]: e["mode"] for e in entries} == {
        "_data/signed/run.yaml": "100755",
        "_data/signed/eve.yaml": "100644",
        "new/folder/ada.yaml": "100644",
        "_data/signed/lea.yaml": "100644",
    }
    assert next(e for e in entries if e["path"] == "_data/signed/lea.yaml")["sha"] is None
