"""Every stored table, imported in one place so migrations and tests see the whole schema."""

from __future__ import annotations

from service.auth import ApiKey
from service.screening.tables import AuditEvent, Clearance, ScreeningRecord
from service.sources.tables import IngestLease, ListChange, ListEntry, ListVersion

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Clearance",
    "IngestLease",
    "ListChange",
    "ListEntry",
    "ListVersion",
    "ScreeningRecord",
]
