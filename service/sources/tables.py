"""Stored list versions and their entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.timeutil import UTCDateTime, utc_now


class ListVersion(SQLModel, table=True):
    """One download or file set of one source; exactly one per source is `active` at a time."""

    __tablename__ = "list_version"
    __table_args__ = (Index("ix_list_version_source_status", "source", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64, index=True)
    status: str = Field(default="loading", max_length=16)
    origin: str = Field(default="", description="file names or URL the version was read from")
    sha256: str | None = Field(default=None, max_length=64)
    validators: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False),
        description="per URL: the ETag and Last-Modified the server sent, for conditional requests",
    )
    fetched_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    checked_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="last time the publisher confirmed it unchanged"
    )
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    record_count: int = 0
    stats: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str | None = None


class ListEntry(SQLModel, table=True):
    """One listed party as its publisher describes it, in the common entry model."""

    __tablename__ = "list_entry"
    __table_args__ = (UniqueConstraint("version_id", "entity_id", name="uq_list_entry_version_entity"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="list_version.id", index=True, ondelete="CASCADE")
    source: str = Field(max_length=64)
    entity_id: str = Field(max_length=128)
    type: str = Field(max_length=16)
    name: str
    content_hash: str = Field(max_length=64)
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class IngestLease(SQLModel, table=True):
    """Who ingests a source right now; a row per source, taken when free or expired.

    A lease row (not an advisory lock) works the same on SQLite and PostgreSQL and
    survives a crashed holder: it simply expires.
    """

    __tablename__ = "ingest_lease"

    source: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=200)
    acquired_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class ListChange(SQLModel, table=True):
    """The change report of one list version against the version it replaced."""

    __tablename__ = "list_change"

    version_id: int = Field(foreign_key="list_version.id", primary_key=True, ondelete="CASCADE")
    source: str = Field(max_length=64, index=True)
    previous_version_id: int | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    added_count: int = 0
    removed_count: int = 0
    changed_count: int = 0
    added: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    removed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    changed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
