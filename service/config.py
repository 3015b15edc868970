"""Settings, from environment variables prefixed `SCREENING_` or a `.env` file."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_LISTS_DIR = Path(__file__).resolve().parent.parent / "lists"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCREENING_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("./data"), description="Where the embedded SQLite database lives.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; default sqlite in data_dir. PostgreSQL: postgresql+psycopg://user@host/db",
        repr=False,  # may hold a password: kept out of any log of the settings
    )
    lists_dir: Path = Field(PROJECT_LISTS_DIR, description="The list catalogue and the order policy.")
    host: str = Field("127.0.0.1", description="Address `screening serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `screening serve` listens on.")
    container: bool = Field(
        False, description="Set by the container image: without an API key `screening serve` then refuses to start."
    )
    allow_open: bool = Field(
        False, description="Serve without any API key on the address given, container included (deliberately open)."
    )
    workers: int = Field(1, ge=1, le=64, description="uvicorn worker processes for `screening serve`.")
    service_url: str | None = Field(
        None,
        description="The running service `screening screen` uses when it is ready there; default"
        " http://HOST:PORT from SCREENING_HOST and SCREENING_PORT (an every-address bind as 127.0.0.1).",
    )
    api_key: str = Field(
        "",
        description="The key `screening screen` sends to the running service (SCREENING_API_KEYS are the keys"
        " the service accepts).",
        repr=False,
    )

    review_threshold: float = Field(
        0.84, ge=0.0, le=1.0, description="Lowest score reported as a match (decision review)."
    )
    block_threshold: float = Field(
        0.97, ge=0.0, le=1.0, description="Score from which a match with no contradiction is a block."
    )
    default_limit: int = Field(10, ge=1, le=100, description="Matches returned per screening by default.")
    max_name_length: int = Field(300, ge=10, le=10_000, description="Longest name accepted for screening.")

    max_batch: int = Field(1000, ge=1, le=100_000, description="Most parties in one POST /v1/screen/batch.")
    max_batch_name_parts: int = Field(
        20_000, ge=100, description="Most name parts (words) in all the names of one batch, so no batch runs for long."
    )
    max_body_bytes: int = Field(
        4 * 1024 * 1024, ge=1024, description="Largest request body accepted (413 beyond it), in bytes."
    )
    audit_retention_days: int = Field(
        1825, ge=1, description="Days screening records are kept before `screening audit purge` deletes them."
    )

    refresh_cron: str = Field("15 */6 * * *", description="Cron schedule of list refresh (UTC).")
    scheduler_enabled: bool = Field(False, description="Run the refresh scheduler inside `screening serve`.")
    index_poll_seconds: float = Field(
        5.0, gt=0, description="How often a replica checks the store for newly active list versions."
    )
    keep_versions: int = Field(
        5,
        ge=1,
        description="List versions that were active kept per source (older ones pruned); the shrink check's depth.",
    )
    keep_failed_versions: int = Field(10, ge=0, description="Failed list versions kept per source, for their errors.")
    max_shrink_fraction: float = Field(
        0.5, ge=0.0, le=1.0, description="Largest drop in record count accepted without --force."
    )

    required_sources: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated source ids that must be loaded and younger than their max age: /readyz and"
        " screening answer 503 otherwise.",
    )
    download_timeout_seconds: float = Field(60.0, gt=0, description="Read timeout of a list download.")
    download_attempts: int = Field(3, ge=1, le=10, description="Attempts per list file before giving up.")
    download_backoff_seconds: float = Field(2.0, ge=0, description="First retry delay; doubles each retry.")
    lists_mirror: str | None = Field(
        None,
        description="A folder or an internal HTTP mirror (directory listing) holding the publishers' list files:"
        " lists are loaded from there instead of the official URLs (air-gapped installs).",
    )
    load_lists_on_start: bool = Field(
        True,
        description="At start, load every auto-refreshed source that has never been loaded (from the mirror or"
        " the official URLs); /readyz reports the progress.",
    )
    ui_session_hours: float = Field(
        8.0, gt=0, le=24 * 30, description="How long a workbench sign-in lasts before the user signs in again."
    )
    max_download_mb: float = Field(300.0, gt=0, description="Largest list file accepted, in MiB.")
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Static API keys, comma-separated `name:scope:secret` (scope screen, review or admin).",
        repr=False,
    )
    api_key_cache_seconds: float = Field(
        5.0, ge=0, description="How long a replica trusts a key it found valid (a revoked key works that much longer)."
    )
    webhook_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated URLs that receive monitoring alerts (HTTP POST, JSON)."
    )
    webhook_secret: str = Field(
        "", description="HMAC-SHA256 key signing webhook bodies (X-Screening-Signature).", repr=False
    )
    webhook_max_attempts: int = Field(8, ge=1, le=50, description="Delivery attempts before a webhook is failed.")
    webhook_backoff_seconds: float = Field(30.0, ge=0, description="First webhook retry delay; doubles each retry.")
    webhook_timeout_seconds: float = Field(10.0, gt=0, description="Read timeout of one webhook POST.")
    monitor_workers: int = Field(
        0, ge=0, le=64, description="Processes that search during a large re-screening (0: one per CPU)."
    )
    monitor_poll_seconds: float = Field(
        30.0, gt=0, description="How often the API re-screens pending list versions and sends due webhooks."
    )
    four_eyes: bool = Field(
        False,
        description="Review cases: a false_positive or true_match takes effect only once a second, different"
        " reviewer approves it.",
    )
    log_json: bool = Field(False, description="Log one JSON object per line.")
    log_level: str = Field("INFO", description="Python logging level.")

    @field_validator("api_keys", "required_sources", "webhook_urls", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @property
    def effective_service_url(self) -> str:
        if self.service_url:
            return self.service_url.rstrip("/")
        # A service bound to every address is reached on loopback from the same host.
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)  # noqa: S104 - compared, not bound
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'screening.db').resolve()}"


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
