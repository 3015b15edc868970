"""Stored review cases: one per screened party, its hits (one per matched list entry) and its events.

`review_case` and `case_hit` hold the current state and are updated; `case_event` is the history,
written once and never updated (a database trigger refuses it, as for screening records).
Party names are personal data: they are kept here and in the audit trail only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.timeutil import UTCDateTime, utc_now


class ReviewCase(SQLModel, table=True):
    """A screened party with hits to review; `party_key` identifies the party (a digest, no name in it)."""

    __tablename__ = "review_case"
    __table_args__ = (
        Index("ix_review_case_queue", "opened_at", "id"),
        Index("ix_review_case_status", "status", "opened_at"),
        Index("ix_review_case_assignee", "assignee", "opened_at"),
    )

    id: str = Field(primary_key=True, max_length=36)
    party_key: str = Field(max_length=64, unique=True)
    name: str
    name_key: str = Field(description="normalised name, for search")
    type: str = Field(default="any", max_length=16)
    country: str | None = Field(default=None, max_length=2)
    date_of_birth: str | None = Field(default=None, max_length=10)
    reference: str | None = Field(default=None, max_length=200)
    status: str = Field(default="open", max_length=24)
    decision: str = Field(max_length=8, description="the last screening's decision")
    assignee: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    opened_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, description="opened or last reopened")
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    last_screening_id: str = Field(max_length=36)
    last_screened_at: datetime = Field(sa_type=UTCDateTime)


class CaseHit(SQLModel, table=True):
    """One listed entry a case's party matched, with the entry content it was screened against."""

    __tablename__ = "case_hit"
    __table_args__ = (
        UniqueConstraint("case_id", "source", "entity_id", name="uq_case_hit_entry"),
        Index("ix_case_hit_entry", "source", "entity_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="review_case.id", max_length=36, index=True)
    source: str = Field(max_length=64)
    entity_id: str = Field(max_length=128)
    entry_hash: str = Field(max_length=64, description="content hash of the entry as last screened")
    name: str = Field(description="the listed party's primary name")
    matched_name: str = ""
    score: float
    decision: str = Field(max_length=8, description="review | block, as screened")
    programs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    explanation: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    link_keys: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False), description="what links it to other lists"
    )
    state: str = Field(default="open", max_length=24)
    pending_event_id: int | None = Field(default=None, description="the proposal awaiting a second reviewer")
    clearance_id: str | None = Field(default=None, max_length=36)
    screening_id: str = Field(max_length=36, description="the last screening that found it")
    first_seen_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class CaseEvent(SQLModel, table=True):
    """Who did what to a case, when. Written once, never updated."""

    __tablename__ = "case_event"
    __table_args__ = (Index("ix_case_event_case", "case_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(max_length=36)
    at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=32)
    hit_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CaseListSweep(SQLModel, table=True):
    """A list version whose changes have been checked against the open and decided hits (once per version)."""

    __tablename__ = "case_list_sweep"

    version_id: int = Field(primary_key=True)
    source: str = Field(max_length=64)
    swept_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    reopened: int = 0
