"""Service settings from the environment (prefix UNDERSIGNED_) and the App's stored credentials."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator sets. Secrets are SecretStr, so they never print or log."""

    model_config = SettingsConfigDict(env_prefix="UNDERSIGNED_", env_file=".env", extra="ignore")

    app_id: int | None = Field(None, description="The GitHub App's ID.")
    private_key: SecretStr | None = Field(None, description="The App's private key (PEM text).")
    private_key_path: Path | None = Field(None, description="Or: a file holding the App's private key.")
    webhook_secret: SecretStr | None = Field(None, description="The App's webhook secret (required).")
    client_id: str | None = Field(None, description="The App's OAuth client ID (for the signing page).")
    client_secret: SecretStr | None = Field(None, description="The App's OAuth client secret (for the signing page).")
    public_url: str | None = Field(None, description="The service's public URL, as GitHub and browsers reach it.")
    github_api_url: str = Field("https://api.github.com", description="GitHub's REST API (GHES or the simulator).")
    github_web_url: str | None = Field(
        None, description="GitHub's web pages (default: derived from github_api_url, e.g. https://github.com)."
    )
    data_dir: Path = Field(Path("./data"), description="Where the SQLite job queue and the App's credentials live.")
    redis_url: SecretStr | None = Field(None, description="Use Redis for jobs, locks and dedup (several processes).")
    webhook_path: str = Field("/webhooks", description="The path GitHub posts webhooks to.")
    host: str = Field("127.0.0.1", description="Address `undersigned serve` listens on.")
    port: int = Field(8000, description="Port `undersigned serve` listens on.")
    workers: int = Field(4, ge=0, description="Job worker threads in the serving process (0: none).")
    eval_budget: float = Field(
        5.0, gt=0, le=60, description="Seconds of work one PR's evaluation may take; past it, the PR is refused."
    )
    http_timeout: int = Field(15, ge=1, description="Seconds before a GitHub call times out.")
    http_retries: int = Field(4, ge=0, description="Retries of a GitHub call on 5xx and rate limits.")
    retry_backoff: float = Field(0.5, ge=0, description="Exponential backoff factor between retries (seconds).")
    secondary_rate_wait: float = Field(60, ge=0, description="Wait after a secondary rate limit with no retry-after.")
    mutation_interval: float = Field(1.0, ge=0, description="Seconds between mutating GitHub requests (GitHub asks 1).")
    config_ttl: float = Field(60, ge=0, description="Seconds a repo's config is trusted before it is read again.")
    max_body_bytes: int = Field(25 * 1024 * 1024, description="Largest webhook accepted (GitHub's cap is 25 MB).")
    sweep_hours: int = Field(6, ge=0, le=23, description="Hours between sweeps for long-invalid PRs (0: never).")
    job_lease: float = Field(
        10, gt=0, description="Seconds a dead worker's job or lock stays held before another takes it."
    )
    reconcile_minutes: float = Field(
        5, gt=0, description="Minutes between passes that look for PRs no webhook announced and failed deliveries."
    )
    log_level: str = Field("INFO", description="Log level.")
    app_slug: str | None = Field(None, description="The App's slug (its install page); stored by the setup page.")

    @field_validator("private_key_path")
    @classmethod
    def _key_file_exists(cls, path: Path | None) -> Path | None:
        if path is not None and not path.exists():
            raise ValueError(f"file not found: {path}")
        if path is not None and path.is_dir():
            raise ValueError(f"{path} is a folder, not the key file")
        return path

    @model_validator(mode="after")
    def _key_from_file(self) -> Settings:
        path = self.private_key_path
        if self.private_key is None and path is not None:
            try:
                self.private_key = SecretStr(path.read_text())
            except (OSError, UnicodeDecodeError) as exc:
                raise ValueError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
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
    """Store the App's credentials: created 0600 (never readable by others, not even for a moment), then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({k: values[k] for k in STORED if values.get(k) is not None}, fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(temp, 0o600)
    os.replace(temp, path)
