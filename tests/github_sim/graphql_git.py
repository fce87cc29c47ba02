"""The simulator's GraphQL git objects: Commit, TreeEntry and Blob, read from the repository's own git."""

from __future__ import annotations

from typing import Any

from tests.github_sim.graphql_nodes import RESOLVERS, Conn, Node, field, page
from tests.github_sim.models import Repository
from tests.github_sim.shapes_base import stamp

TEXT_LIMIT = 512 * 1024  # bytes of a blob's `text` before `isTruncated` (GitHub does not publish its figure)


@field("Commit", "oid")
@field("Blob", "oid")
@field("Tree", "oid")
def _oid(node: Node) -> str:
    return node.oid


@field("Commit", "parents")
def _parents(node: Node, first: int | None = None, last: int | None = None, **_: Any) -> Conn:
    parents = [str(p) for p in node.repo.git.commit_info(node.oid)["parents"]]  # type: ignore[attr-defined]
    return page([Node("Commit", node.world, node.repo, p) for p in parents], first, last)


@field("Commit", "committedDate")
def _committed(node: Node) -> str:
    """GitHub's DateTime (ISO 8601, UTC) of the commit's committer date."""
    committer = node.repo.git.commit_info(node.oid)["committer"]
    assert isinstance(committer, dict)
    return stamp(float(committer["date"]))


@field("Commit", "file")
def _file(node: Node, path: str) -> Node | None:
    entry = tree_entry(node.repo, node.oid, path)
    return None if entry is None else Node("TreeEntry", node.world, node.repo, entry[2], entry=entry)


def tree_entry(repo: Repository, commit: str, path: str) -> tuple[int, str, str, str] | None:
    out = repo.git.git("ls-tree", "-z", commit, "--", path.strip("/"), ok=(0, 128)).rstrip("\0")
    if not out:
        return None
    meta, name = out.split("\t", 1)
    mode, kind, sha = meta.split()
    return int(mode, 8), kind, sha, name


def _entry(node: Node) -> tuple[int, str, str, str]:
    assert node.entry is not None
    return node.entry


RESOLVERS[("TreeEntry", "mode")] = lambda n, **_: _entry(n)[0]
RESOLVERS[("TreeEntry", "type")] = lambda n, **_: _entry(n)[1]
RESOLVERS[("TreeEntry", "oid")] = lambda n, **_: _entry(n)[2]
RESOLVERS[("TreeEntry", "path")] = lambda n, **_: _entry(n)[3]


@field("TreeEntry", "object")
def entry_target(node: Node) -> Node | None:
    _, kind, sha, _ = _entry(node)
    return Node({"blob": "Blob", "tree": "Tree", "commit": "Commit"}.get(kind, "Blob"), node.world, node.repo, sha)


def _blob(node: Node) -> bytes:
    return node.repo.git.read_blob(node.oid)


@field("Blob", "byteSize")
def _byte_size(node: Node) -> int:
    return len(_blob(node))


@field("Blob", "isBinary")
def _is_binary(node: Node) -> bool:
    return b"\0" in _blob(node)[:8000]  # git's own test


@field("Blob", "isTruncated")
def _is_truncated(node: Node) -> bool:
    return len(_blob(node)) > TEXT_LIMIT


@field("Blob", "text")
def _text(node: Node) -> str | None:
    data = _blob(node)
    return None if b"\0" in data[:8000] else data[:TEXT_LIMIT].decode("utf-8", errors="replace")
