"""Every stored table, imported in one place so migrations and tests see the whole schema."""

from __future__ import annotations

from service.sources.tables import IngestLease, ListChange, ListEntry, ListVersion

__all__ = ["IngestLease", "ListChange", "ListEntry", "ListVersion"]
