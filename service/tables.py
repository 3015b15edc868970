"""Every stored table, imported in one place so migrations and tests see the whole schema."""

from __future__ import annotations

from service.auth import ApiKey
from service.cases.tables import CaseEvent, CaseHit, CaseListSweep, ReviewCase
from service.monitoring.tables import Alert, MonitoredParty, MonitorRun, WebhookDelivery
from service.screening.tables import AuditEvent, Clearance, SavedIndex, ScreeningRecord
from service.sources.tables import IngestLease, ListChange, ListEntry, ListVersion
from service.ui.tables import UiSession

__all__ = [
    "Alert",
    "ApiKey",
    "AuditEvent",
    "CaseEvent",
    "CaseHit",
    "CaseListSweep",
    "Clearance",
    "IngestLease",
    "ListChange",
    "ListEntry",
    "ListVersion",
    "MonitorRun",
    "MonitoredParty",
    "ReviewCase",
    "SavedIndex",
    "ScreeningRecord",
    "UiSession",
    "WebhookDelivery",
]
