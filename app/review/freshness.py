"""A repo's config through the process's cache, dropped in every process once a push changed it."""

from __future__ import annotations

import threading
from weakref import WeakKeyDictionary

from app.github.api import Api
from app.github.caches import ConfigCache
from app.jobs.store import Keys, Store
from config import Config, ConfigError

_seen: WeakKeyDictionary[ConfigCache, dict[str, str]] = WeakKeyDictionary()
_lock = threading.Lock()


def fresh_config(store: Store, configs: ConfigCache, api: Api, repo: str, branch: str) -> Config | ConfigError | None:
    """The repo's config through the cache, dropping the cached copy once a push changed it: the push is
    recorded in the shared store, so every process (not only the one that saw the push) drops its copy."""
    marker = store.get(Keys.config_changed(repo))
    if marker is not None:
        with _lock:
            seen = _seen.setdefault(configs, {})
            stale = seen.get(repo.lower()) != marker
            seen[repo.lower()] = marker
        if stale:
            configs.forget(repo)
    return configs.get(api, repo, branch)
