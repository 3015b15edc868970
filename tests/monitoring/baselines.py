"""Baselines as `POST /v1/monitored` and `screening monitor import` compute them, for tests that start
from monitored parties."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from service.config import Settings
from service.matching import build_index
from service.metrics import Metrics
from service.monitoring.registry import Baseline, screen_baselines
from service.monitoring.schemas import MonitoredPartyIn
from service.screening.index_state import IndexHolder
from service.screening.pipeline import local_context

METRICS = Metrics(multiprocess=False)  # the counters these calls update, apart from the process's registry


def baselines_now(engine: Engine, settings: Settings, parties: Sequence[MonitoredPartyIn]) -> list[Baseline]:
    """Each party screened against the store's active list versions now."""
    holder = IndexHolder(engine, build_index)
    holder.refresh()
    return screen_baselines(local_context(engine, settings, holder.snapshot, "t", METRICS), parties)
