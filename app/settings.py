"""Service settings from the environment (prefix UNDERSIGNED_) and the App's stored credentials."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator sets. Secrets are SecretStr, so they never print or log."""

    model_config = SettingsConfigDict(env_prefix="UNDERSIGNED_", env_file=".env", extra="ignore")

    app_id: int | None = Field(None, description="The GitHub App's ID.")
    private_key: SecretStr | None = Field(None, description="The App's private key (PEM text).")
    private_key_path: Path | None = Field(None, description="Or: a file holding the App's private key.")
    webhook_secret: SecretStr | None = Field(None, description="The App's webhook secret (required).")
    webhook_secret_path: Path | None = Field(None, description="Or: a file holding the webhook secret.")
    client_id: str | None = Field(None, description="The App's OAuth client ID (for the signing page).")
    client_secret: SecretStr | None = Field(None, description="The App's OAuth client secret (for the signing page).")
    client_secret_path: Path | None = Field(None, description="Or: a file holding the OAuth client secret.")
    public_url: str | None = Field(None, description="The service's public URL, as GitHub and browsers reach it.")
    setup_token: SecretStr | None = Field(
        None, description="The token that opens /setup (default: a random one, printed in the log at start-up)."
    )
    github_api_url: str = Field("https://api.github.com", description="GitHub's REST API (GHES or the simulator).")
    github_web_url: str | None = Field(
        None, description="GitHub's web pages (default: derived from github_api_url, e.g. https://github.com)."
    )
    data_dir: Path = Field(Path("./data"), description="Where the SQLite job queue and the App's credentials live.")
    redis_url: SecretStr | None = Field(None, description="Use Redis for jobs, locks and dedup (several processes).")
    webhook_path: str = Field("/webhooks", description="The path GitHub posts webhooks to.")
    host: str = Field("127.0.0.1", description="Address `undersigned serve` listens on.")
    port: int = Field(8000, description="Port `undersigned serve` listens on.")
    workers: int = Field(4, ge=0, description="Job worker threads of `serve` (0: none).")
    worker_process: bool = Field(
        True,
        description="`serve` runs its job workers in a child process, so evaluating PRs never holds the GIL that "
        "webhook intake needs (false: as threads of the serving process, one process less).",
    )
    eval_budget: float = Field(
        5.0, gt=0, le=60, description="Seconds of work one PR's evaluation may take; past it, the PR is refused."
    )
    http_timeout: int = Field(15, ge=1, description="Seconds before a GitHub call times out.")
    http_retries: int = Field(
        4, ge=0, description="Retries of a GitHub call: a read on 5xx and rate limits, a write on rate limits only."
    )
    retry_backoff: float = Field(0.5, ge=0, description="Exponential backoff factor between retries (seconds).")
    secondary_rate_wait: float = Field(60, ge=0, description="Wait after a secondary rate limit with no retry-after.")
    mutation_interval: float = Field(1.0, ge=0, description="Seconds between mutating GitHub requests (GitHub asks 1).")
    content_per_hour: float = Field(
        480,  # the Action's too (app.github.window.PER_HOUR: tests/test_content_window.py keeps them equal)
        ge=0,
        description="Content-creating requests an installation makes in any hour, at most (GitHub: 500; 0: no budget).",
    )
    content_burst: float = Field(
        75, ge=1, description="Content-creating requests an installation makes in any minute, at most (GitHub: 80)."
    )
    landing_gap: float = Field(
        30,  # the Action's too (app.github.window.LANDING_GAP)
        ge=0,
        description="Seconds between two landings on one letter: the waiting signatures land together, "
        "in one commit (three content-creating writes), instead of one commit each.",
    )
    graphql_reads: bool = Field(
        True,
        description="Read a burst of PRs' evaluations in GraphQL batches (one query per 100 PRs of a repo), "
        "falling back to REST for anything unusual (bench/graphql_reads.py: REST requests per signature -60%).",
    )
    rate_hour: float = Field(3600, gt=0, description="Seconds in the budget's hour (shorter in a time-scaled drill).")
    config_ttl: float = Field(60, ge=0, description="Seconds a repo's config is trusted before it is read again.")
    max_body_bytes: int = Field(25 * 1024 * 1024, description="Largest webhook accepted (GitHub's cap is 25 MB).")
    intake_read_seconds: float = Field(
        10, gt=0, description="Seconds a webhook's body may take to arrive (GitHub gives up after 10)."
    )
    intake_reading: int = Field(64, ge=1, description="Webhook bodies read at once before verification; more: 503.")
    intake_held_bytes: int = Field(
        64 * 1024 * 1024, ge=1, description="Unverified webhook bytes held at once, across deliveries; more: 503."
    )
    sweep_hours: int = Field(6, ge=0, le=23, description="Hours between sweeps for long-invalid PRs (0: never).")
    job_lease: float = Field(
        10, gt=0, description="Seconds a dead worker's job or lock stays held before another takes it."
    )
    reconcile_minutes: float = Field(
        5, gt=0, description="Minutes between passes that look for PRs no webhook announced and failed deliveries."
    )
    log_level: str = Field("INFO", description="Log level.")
    app_slug: str | None = Field(None, description="The App's slug (its install page); stored by the setup page.")

    @field_validator("private_key_path", "webhook_secret_path", "client_secret_path")
    @classmethod
    def _key_file_exists(cls, path: Path | None) -> Path | None:
        if path is not None and not path.exists():
            raise ValueError(f"file not found: {path}")
        if path is not None and path.is_dir():
            raise ValueError(f"{path} is a folder, not the key file")
        return path

    @model_validator(mode="after")
    def _secrets_from_files(self) -> Settings:
        """Secrets from files (Docker and Compose secrets, /run/secrets/...): the variable itself wins. A secret
        file's last newline is not part of the secret; a PEM key is read as it is."""
        for name, strip in (("private_key", False), ("webhook_secret", True), ("client_secret", True)):
            path = getattr(self, f"{name}_path")
            if getattr(self, name) is None and path is not None:
                try:
                    text = path.read_text()
                except (OSError, UnicodeDecodeError) as exc:
                    raise ValueError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
                if strip and not text.strip():
                    raise ValueError(f"{path} is empty")
                setattr(self, name, SecretStr(text.strip() if strip else text))
        return self

    @property
    def credentials_path(self) -> Path:
        """Where the setup page stores what GitHub gave for the App (mode 0600)."""
        return self.data_dir / CREDENTIALS_FILE

    @property
    def web_url(self) -> str:
        """GitHub's web pages: github.com for api.github.com, the host for GHES's /api/v3, else the API URL."""
        if self.github_web_url:
            return self.github_web_url.rstrip("/")
        api = self.github_api_url.rstrip("/")
        if api == "https://api.github.com":
            return "https://github.com"
        return api.removesuffix("/api/v3")

    def with_stored(self) -> Settings:
        """These settings, with what the setup page stored filling what the environment left unset."""
        stored = read_credentials(self.credentials_path)
        values = {k: v for k, v in stored.items() if getattr(self, k, None) is None}
        if not values:
            return self
        secret = {"private_key", "webhook_secret", "client_secret"}
        update: dict[str, Any] = {k: SecretStr(str(v)) if k in secret else v for k, v in values.items()}
        return self.model_copy(update=update)

    @property
    def has_app_credentials(self) -> bool:
        return self.app_id is not None and self.private_key is not None

    def missing(self) -> list[str]:
        """What an operator still has to set, in words."""
        out = []
        if self.webhook_secret is None:
            out.append("UNDERSIGNED_WEBHOOK_SECRET (the App's webhook secret)")
        if self.app_id is None:
            out.append("UNDERSIGNED_APP_ID (the App's ID)")
        if self.private_key is None:
            out.append("UNDERSIGNED_PRIVATE_KEY or UNDERSIGNED_PRIVATE_KEY_PATH (the App's private key)")
        return out


def in_words(exc: ValidationError) -> list[str]:
    """What is wrong with the settings, one line per variable (UNDERSIGNED_X: why)."""
    out = []
    for err in exc.errors():
        name = "UNDERSIGNED_" + "_".join(str(p) for p in err["loc"]).upper() if err["loc"] else "settings"
        out.append(f"{name}: {str(err['msg']).removeprefix('Value error, ')}")
    return out


CREDENTIALS_FILE = "github-app.json"
STORED = ("app_id", "private_key", "webhook_secret", "client_id", "client_secret", "app_slug")


def read_credentials(path: Path) -> dict[str, Any]:
    """The stored App credentials, or {} when there are none yet."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read the stored App credentials {path}: {exc}") from None
    return {k: data[k] for k in STORED if isinstance(data, dict) and data.get(k) is not None}


def write_credentials(path: Path, values: dict[str, Any]) -> None:
    """Store the App's credentials, once: created 0600 (never readable by others, not even for a moment) with
    O_EXCL under a temporary name, then linked into place, which fails if credentials are already stored
    (FileExistsError): two setups finishing at once cannot both win, nor the last one overwrite the first."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump({k: values[k] for k in STORED if values.get(k) is not None}, fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(temp, path)  # atomic, and refuses an existing path as O_EXCL does
    finally:
        temp.unlink(missing_ok=True)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
