"""The landing invariant as a property: for random PRs over every letter shape, what lands is exactly the tip
plus the changes the verdict accepted (the signer's own signature), or nothing.

A PR is a random tree: the signer's line or file, plus what an attacker adds (modes, symlinks, submodules,
whitespace and bullet edits, extra files, lists past GitHub's 300-file cap). GitHub is modelled as the service
reads it: the compare API's listing (status, no patch for mode-only changes, cut at 300 files), the contents
API (a symlink or submodule is no file of text). The lander is modelled as app/landing/merge.py builds its
tree: the tip, with apply_changes' result written as regular files."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.rules import Snapshots, Verdict, evaluate, parse_ledger
from app.rules.apply import apply_changes
from app.rules.model import ChangedFiles, FileChange
from config import Config
from tests.helpers import NOW
from tests.rules.shapes import ADA, FOLDER_LETTERS, LIST_LETTERS

Tree = dict[str, tuple[str, str]]  # path -> (mode, content); a symlink's content is its target
SHAPES = sorted(LIST_LETTERS) + sorted(FOLDER_LETTERS)
SITE: Tree = {"index.html": ("100644", "<h1>Letter</h1>\n"), "docs/a.md": ("100644", "A\n")}
TEXT_MODES = ("100644", "100755")


def _letter(shape: str) -> tuple[Config, Tree, Tree]:
    """The config, the tip's tree, and what the signer's own signature adds to it."""
    if shape in LIST_LETTERS:
        cfg, text, ada, _ = LIST_LETTERS[shape]
        path = cfg.letter.file
        return cfg, {**SITE, path: ("100644", text)}, {path: ("100644", text.rstrip("\n") + "\n" + ada + "\n")}
    cfg, files, path, content, _, _ = FOLDER_LETTERS[shape]
    return cfg, {**SITE, **{p: ("100644", t) for p, t in files.items()}}, {path: ("100644", content)}


def _texts(tree: Tree) -> dict[str, str]:
    """The files as the contents API gives them to the service: regular files only."""
    return {p: c for p, (m, c) in tree.items() if m in TEXT_MODES}


def _listing(base: Tree, head: Tree) -> ChangedFiles:
    """GitHub's compare: every changed path, `changed` for a mode or type alone, at most 300 listed."""
    files = []
    for path in sorted(set(base) | set(head)):
        old, new = base.get(path), head.get(path)
        if old == new:
            continue
        if old is None or new is None:
            files.append(FileChange(path, "added" if old is None else "removed"))
        elif old[1] == new[1] or (old[0] in TEXT_MODES) != (new[0] in TEXT_MODES):
            files.append(FileChange(path, "changed", None, readable=old[1] != new[1]))
        else:
            files.append(FileChange(path, "modified"))
    return ChangedFiles(tuple(files[:300]), len(files))


def _judge(cfg: Config, base: Tree, head: Tree) -> Verdict:
    texts, now = _texts(base), _texts(head)
    if cfg.letter.directory is None:
        path = cfg.letter.file
        snap = Snapshots({path: texts[path]} if path in texts else {}, {path: now[path]} if path in now else {})
    else:
        prefix = cfg.letter.directory.rstrip("/") + "/"
        snap = Snapshots(
            {p: t for p, t in texts.items() if p.startswith(prefix)},
            {p: t for p, t in now.items() if p.startswith(prefix)},
        )
    return evaluate(cfg, snap, _listing(base, head), ADA, NOW, parse_ledger(texts.get(cfg.letter.ledger)))


def _land(cfg: Config, tip: Tree, verdict: Verdict) -> Tree:
    """What the lander writes: the tip, with the validated changes applied as regular files."""
    if not verdict.ok:
        return tip
    texts = _texts(tip)
    if cfg.letter.directory is None:
        files = {p: t for p, t in texts.items() if p in (cfg.letter.file, cfg.letter.ledger)}
    else:
        files = {p: t for p, t in texts.items() if p.startswith(cfg.letter.directory) or p == cfg.letter.ledger}
    out = dict(tip)
    for path, text in apply_changes(cfg, files, verdict.land).items():
        if text is None:
            out.pop(path, None)
        else:
            out[path] = ("100644", text)
    return out


def _mutations(tree_paths: list[str]) -> st.SearchStrategy[list[tuple[str, str, int]]]:
    kinds = st.sampled_from(
        ["mode", "symlink", "submodule", "delete", "extra", "site", "spaces", "dash", "bare", "blank", "nfd", "pad"]
    )
    return st.lists(st.tuples(kinds, st.sampled_from(tree_paths), st.integers(0, 50)), max_size=4)


def _mutate(tree: Tree, kind: str, path: str, n: int) -> Tree:
    out = dict(tree)
    mode, content = out.get(path, ("100644", ""))
    lines = content.split("\n")
    i = n % max(1, len(lines))
    if kind == "mode":
        out[path] = ("100755", content)
    elif kind == "symlink":
        out[path] = ("120000", "index.html")
    elif kind == "submodule":
        out[path] = ("160000", "0" * 39 + "1")
    elif kind == "delete":
        out.pop(path, None)
    elif kind == "extra":
        out[path.rsplit("/", 1)[0] + f"/x{n}.yml" if "/" in path else f"x{n}.md"] = ("100644", "name: X\n<script>\n")
    elif kind == "site":
        out["index.html"] = ("100644", "<script src=//evil.example/x.js></script>\n")
    elif kind == "pad":  # a list GitHub cuts short: 300 mode-only changes
        out.update({f"pad/{k:03}.txt": ("100755", "x\n") for k in range(300)})
    elif mode in TEXT_MODES:
        if kind == "spaces":
            lines[i] += "  "
        elif kind == "dash" and lines[i].startswith("-"):
            lines[i] = "\u2013" + lines[i][1:]
        elif kind == "bare":
            lines.insert(i, "-")
        elif kind == "blank":
            lines.insert(i, "")
        elif kind == "nfd":
            lines[i] = unicodedata.normalize("NFD", lines[i].replace("e", "\u00e9"))
        out[path] = (mode, "\n".join(lines))
    return out


def _check(shape: str, data: st.DataObject, *, sign: bool) -> None:
    cfg, tip, own = _letter(shape)
    clean = {**tip, **own}
    expected = _land(cfg, tip, _judge(cfg, tip, clean))
    assert expected != tip, "the signer's own signature alone lands"
    head = clean if sign else dict(tip)
    for kind, path, n in data.draw(_mutations(sorted(head))):
        head = _mutate(head, kind, path, n)
    verdict = _judge(cfg, tip, head)
    landed = _land(cfg, tip, verdict)
    why = (verdict.kind, [p.code for p in verdict.problems])
    if sign and head == clean:
        assert landed == expected, why
    if landed == tip or cfg.letter.directory is None:
        # A list: exactly the tip plus the signer's own line as validated (normalized), or nothing at all. A
        # mutation of the signer's own line (NFD accents) may make it another valid line: then that line lands.
        if landed not in (tip, expected):
            changed = {p for p in set(landed) | set(tip) if landed.get(p) != tip.get(p)}
            assert changed <= {cfg.letter.file, cfg.letter.ledger}, why
            before, after = tip[cfg.letter.file][1].split("\n"), landed[cfg.letter.file][1].split("\n")
            added = [line for line in after if line not in before]
            assert [line for line in before if line not in after] == [], why
            assert added == [c.text for c in verdict.land] and len(added) == 1, why
            assert added[0] == unicodedata.normalize("NFC", added[0]), why
        return
    # A folder: the tip plus the signer's own file, as a regular file, holding what the verdict accepted
    # (a blank line inside it is the signer's own); not one other path, mode or byte.
    ledger = cfg.letter.ledger  # the binding of the file to its account, written in the same commit
    assert landed.get(ledger) == expected.get(ledger), why
    [(path, (mode, text))] = [(p, e) for p, e in landed.items() if tip.get(p) != e and p != ledger]
    assert set(landed) - {ledger} == set(tip) - {ledger} | {path} and path in expected and path not in tip, why
    assert mode == "100644" and [c.text for c in verdict.land] == [text], why


@pytest.mark.parametrize("shape", SHAPES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), sign=st.booleans())
def test_what_lands_is_the_tip_plus_the_validated_signature_or_nothing(
    shape: str, data: st.DataObject, *, sign: bool
) -> None:
    _check(shape, data, sign=sign)


@pytest.mark.slow
@pytest.mark.parametrize("shape", SHAPES)
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), sign=st.booleans())
def test_what_lands_many_more_examples(shape: str, data: st.DataObject, *, sign: bool) -> None:
    _check(shape, data, sign=sign)
