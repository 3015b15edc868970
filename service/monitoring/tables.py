"""Stored monitoring state: monitored parties with their last outcome, alerts, webhook deliveries, re-screen runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from service.timeutil import UTCDateTime, utc_now


class MonitoredParty(SQLModel, table=True):
    """A party re-screened after every list change, with the outcome it had last time.

    `matches` holds one object per listed entry the party currently matches (the match as the
    API shows it plus the entry's `content_hash`); re-screening compares against it, so a run
    repeated after a crash finds nothing new and raises no duplicate alerts. `versions` maps a
    source to the list version the outcome already reflects (a party registered after a version
    was activated is skipped by that version's re-screen).
    """

    __tablename__ = "monitored_party"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=200, unique=True)
    name: str
    type: str = Field(default="any", max_length=16)
    country: str | None = Field(default=None, max_length=2)
    date_of_birth: str | None = Field(default=None, max_length=10)
    identifiers: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    created_by: str = Field(max_length=200)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    decision: str = Field(default="clear", max_length=8)
    matches: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    versions: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Alert(SQLModel, table=True):
    """A changed outcome of one monitored party: new_match | decision_raised | match_removed | cleared_match_changed."""

    __tablename__ = "monitor_alert"
    __table_args__ = (
        Index("ix_monitor_alert_created", "created_at", "id"),
        Index("ix_monitor_alert_reference", "reference", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    reference: str = Field(max_length=200)
    kind: str = Field(max_length=32)
    source: str = Field(max_length=64)
    entity_id: str = Field(max_length=128)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    version_id: int
    screening_id: str | None = Field(default=None, max_length=36, description="the re-screening's audit record")


class WebhookDelivery(SQLModel, table=True):
    """The delivery of one alert to one endpoint: its state, attempts so far and when to try next."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_alert", "alert_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="monitor_alert.id", ondelete="CASCADE")
    endpoint: str = Field(max_length=2000)
    status: str = Field(default="pending", max_length=16, description="pending | delivered | failed")
    attempt: int = Field(default=0, description="attempts made since it was (re)queued")
    response_code: int | None = None
    error: str | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MonitorRun(SQLModel, table=True):
    """The marker that a list version's re-screening ran (once per version, across replicas)."""

    __tablename__ = "monitor_run"

    version_id: int = Field(primary_key=True)
    source: str = Field(max_length=64, index=True)
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    parties: int = 0
    changed_parties: int = 0
    alerts: int = 0
    seconds: float = 0.0
