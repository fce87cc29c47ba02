"""A head's file from the merge base's text and the compare's patch: exact (checked by blob sha), or nothing."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from app.github.patches import apply_patch, blob_sha, head_text


def git_patch(tmp: Path, old: str, new: str) -> tuple[str, str]:
    """git's patch from `old` to `new` (from the first hunk, as GitHub's `patch`), and the new blob's sha."""
    a, b = tmp / "a", tmp / "b"
    a.write_bytes(old.encode())
    b.write_bytes(new.encode())
    done = subprocess.run(["git", "diff", "--no-index", "--no-color", "-U3", str(a), str(b)], capture_output=True)
    text = done.stdout.decode()
    return text[text.find("\n@@") + 1 :], blob_sha(new.encode())


def test_random_edits_come_back_byte_for_byte(tmp_path: Path) -> None:
    rng = random.Random(21)
    words = ["- Ada [@ada](https://github.com/ada)", "Signed,", "", "text", "  indented", "- Grace"]
    for _ in range(150):
        old = [rng.choice(words) for _ in range(rng.randint(0, 30))]
        new = list(old)
        for _ in range(rng.randint(1, 4)):
            spot = rng.randint(0, len(new))
            if new and rng.random() < 0.3:
                del new[min(spot, len(new) - 1)]
            else:
                new.insert(spot, f"- Person {rng.randint(0, 999)}")
        end_old, end_new = rng.choice(["\n", ""]), rng.choice(["\n", ""])
        before = "\n".join(old) + (end_old if old else "")
        after = "\n".join(new) + (end_new if new else "")
        if before == after:
            continue
        patch, sha = git_patch(tmp_path, before, after)
        assert head_text(before, patch, sha) == after, (before, after, patch)


def test_what_does_not_fit_is_none_never_a_guess(tmp_path: Path) -> None:
    patch, sha = git_patch(tmp_path, "a\nb\nc\n", "a\nb\nX\nc\n")
    assert head_text("a\nb\nc\n", patch, sha) == "a\nb\nX\nc\n"
    assert head_text("a\nB\nc\n", patch, sha) is None  # another base: the context does not match
    assert head_text("a\nb\nc\n", patch, "0" * 40) is None  # not the blob GitHub named
    assert head_text("a\nb\nc\n", None, sha) is None  # no patch (too large, binary): read the file
    assert apply_patch("a\n", "not a hunk\n") is None
