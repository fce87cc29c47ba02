"""Read caches: file texts by commit (immutable, so no TTL), and each repo's config (TTL, parsed per blob)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping

from app.github.api import Api
from app.github.config_source import load_config
from app.jobs.store import Keys, Store
from config import Config, ConfigError


class TextCache:
    """File texts by (repo, commit, path): a file at a commit never changes, so no TTL is needed."""

    def __init__(self, size: int = 32) -> None:
        self.size, self.items, self.lock = size, OrderedDict[tuple[str, str, str], str | None](), threading.Lock()

    def letter(self, api: Api, repo: str, ref: str, path: str) -> dict[str, str]:
        """A single-file letter at `ref` as the rules take it: {path: text}, or {} when it is absent."""
        text = self.get(api, repo, ref, path)
        return {path: text} if text is not None else {}

    def folder(self, api: Api, repo: str, ref: str, directory: str) -> LazyFiles:
        """A one-file-per-signer folder at `ref`: its paths from one tree read, each file read when asked."""
        prefix = directory.rstrip("/") + "/"
        paths = [e.path for e in api.tree(repo, ref) if e.path.startswith(prefix)]
        return LazyFiles(api, self, repo, ref, paths)

    def get(self, api: Api, repo: str, ref: str, path: str) -> str | None:
        key = (repo.lower(), ref, path)
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        found = api.file(repo, path, ref)
        text = found[0] if found else None
        self.prime(repo, ref, path, text)
        return text

    def peek(self, repo: str, ref: str, path: str) -> bool:
        """Whether the text at `ref` is known without a read (batch reads skip fetching it: app.review.batch)."""
        with self.lock:
            return (repo.lower(), ref, path) in self.items

    def prime(self, repo: str, ref: str, path: str, text: str | None) -> None:
        """Record a file we know without reading it (the letter in a commit we just made)."""
        with self.lock:
            self.items[(repo.lower(), ref, path)] = text
            self.items.move_to_end((repo.lower(), ref, path))
            while len(self.items) > self.size:
                self.items.popitem(last=False)


class LazyFiles(Mapping[str, str]):
    """A letter folder at one commit: paths known up front, each file read only when asked for."""

    def __init__(self, api: Api, cache: TextCache, repo: str, ref: str, paths: list[str]) -> None:
        self.api, self.cache, self.repo, self.ref, self.paths = api, cache, repo, ref, paths
        self.known = set(paths)

    def __getitem__(self, path: str) -> str:
        if path not in self.known:
            raise KeyError(path)
        text = self.cache.get(self.api, self.repo, self.ref, path)
        if text is None:
            raise KeyError(path)
        return text

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


class ConfigCache:
    """Each repo's config, re-read at most every `ttl` seconds; parsed once per blob. With a shared
    `store`, a push that changed the config (recorded there by whichever process saw it) drops the cached
    copy at once, in every process and for every reader of this cache."""

    def __init__(self, ttl: float, store: Store | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.store, self.clock, self.lock = ttl, store, clock, threading.Lock()
        self.entries: dict[str, tuple[float, Config | ConfigError | None]] = {}
        self.parsed: dict[str, Config | ConfigError] = {}
        self.pushes: dict[str, str] = {}  # repo -> the last config push this cache has acted on

    def get(self, api: Api, repo: str, branch: str) -> Config | ConfigError | None:
        key = repo.lower()
        marker = self.store.get(Keys.config_changed(repo)) if self.store is not None else None
        with self.lock:
            if marker is not None and self.pushes.get(key) != marker:
                self.pushes[key] = marker
                self.entries.pop(key, None)  # changed since we read it
            entry = self.entries.get(key)
            if entry is not None and self.clock() - entry[0] < self.ttl:
                return entry[1]
        result = load_config(api, repo, branch, self.parsed)  # the default branch (+ `_extends`), never the PR
        with self.lock:
            self.entries[key] = (self.clock(), result)
        return result

    def forget(self, repo: str) -> None:
        with self.lock:
            self.entries.pop(repo.lower(), None)
