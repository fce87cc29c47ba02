"""Service settings from the environment (prefix UNDERSIGNED_), read once and cached."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
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
    data_dir: Path = Field(Path("./data"), description="Where the SQLite job queue lives.")
    redis_url: SecretStr | None = Field(None, description="Use Redis for jobs, locks and dedup (several processes).")
    webhook_path: str = Field("/webhooks", description="The path GitHub posts webhooks to.")
    host: str = Field("127.0.0.1", description="Address `undersigned serve` listens on.")
    port: int = Field(8000, description="Port `undersigned serve` listens on.")
    workers: int = Field(4, ge=0, description="Job worker threads in the serving process (0: none).")
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

    @model_validator(mode="after")
    def _key_from_file(self) -> Settings:
        if self.private_key is None and self.private_key_path is not None and self.private_key_path.is_file():
            self.private_key = SecretStr(self.private_key_path.read_text())
        return self

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
