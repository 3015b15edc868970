"""The screening pipeline every entry point runs: single and batch screens, order parties, file rows and
the CLI. Match each party (CPU only), apply clearances with one store read for all of them, decide,
count, then record the audit trail and register the parties to monitor.

Monitoring sits above screening: the API's composition root (main.py, through deps.py) puts monitoring's
`register_screened` in the context as `register_monitored`, so screening never imports it. A context
without one (the CLI's) refuses `"monitor": true`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from service.config import Settings
from service.errors import InvalidInput, PayloadTooLarge
from service.ids import uuid4_text
from service.matching.types import Match
from service.metrics import Metrics, ScreeningKind
from service.screening.audit import record_row, response_json, store_records
from service.screening.audit_writer import AuditWriter
from service.screening.clearance_directory import ClearanceDirectory
from service.screening.clearances import clearances_of, live_clearances, mark_cleared
from service.screening.index_state import IndexSnapshot
from service.screening.schemas import PartyIn, ScreenResponse
from service.screening.service import screen_party
from service.sources.catalogue import Catalogue, load_catalogue

# Registers parties screened with `"monitor": true`, their screenings as the baselines.
MonitorRegistrar = Callable[["ScreeningContext", Sequence[tuple[PartyIn, ScreenResponse]]], None]


@dataclass(slots=True, frozen=True)
class ScreeningContext:
    engine: Engine
    settings: Settings
    catalogue: Catalogue
    snapshot: IndexSnapshot | None
    caller: str
    metrics: Metrics
    audit: AuditWriter | None = None  # the API's group-commit writer; None writes directly (CLI)
    clearances: ClearanceDirectory | None = None  # the API's directory; None looks every party up (CLI)
    register_monitored: MonitorRegistrar | None = None  # None: this entry point cannot monitor

    def store(self, rows: Sequence[dict[str, Any]]) -> None:
        if self.audit is not None:
            self.audit.write(rows)
        else:
            store_records(self.engine, rows)


def local_context(
    engine: Engine, settings: Settings, snapshot: IndexSnapshot | None, caller: str, metrics: Metrics
) -> ScreeningContext:
    """Screening in this process (the CLI): audit rows written directly, clearances read for each batch."""
    return ScreeningContext(
        engine=engine,
        settings=settings,
        catalogue=load_catalogue(settings.lists_dir),
        snapshot=snapshot,
        caller=caller,
        metrics=metrics,
    )


@dataclass(slots=True)
class Screened:
    """One party through the pipeline: its response (decided once `decide` ran) and the raw matches."""

    party: PartyIn
    response: ScreenResponse
    matches: list[Match]
    body: bytes | None = None  # the JSON body the caller gets, when serialised before recording

    @property
    def json(self) -> bytes:
        """The body the caller gets: the one serialised for the audit trail, else serialised now."""
        return self.body if self.body is not None else response_json(self.response)


@dataclass(slots=True, frozen=True)
class ItemError:
    index: int
    status: int
    code: str
    detail: str


def match_party(context: ScreeningContext, party: PartyIn) -> Screened:
    """Match one party against the index: CPU work only, no store access."""
    if party.monitor and context.register_monitored is None:
        raise InvalidInput("monitor: this entry point does not register parties for monitoring")
    response, matches = screen_party(
        party=party, snapshot=context.snapshot, settings=context.settings, catalogue=context.catalogue
    )
    return Screened(party, response, matches)


def clearable(context: ScreeningContext, screened: Sequence[Screened]) -> list[Screened]:
    """The screenings whose decision needs clearances from the store: only a match can be cleared, and only
    a party the clearance directory names can have a clearance."""
    with_matches = [item for item in screened if item.response.matches]
    if context.clearances is None or not with_matches:
        return with_matches
    return [item for item in with_matches if context.clearances.may_clear([(item.party.reference, item.party.name)])]


def apply_clearances(context: ScreeningContext, clearable: Sequence[Screened]) -> None:
    """Mark cleared matches and decide again without them: one store read for all these screenings."""
    if not clearable:
        return
    # One read for them all, no transaction to open and roll back around it (two round trips fewer).
    with context.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        found = live_clearances(connection, [(item.party.reference, item.party.name) for item in clearable])
    for item in clearable if found else ():
        party = item.party
        cleared = clearances_of(found, reference=party.reference, name=party.name, country=party.country)
        if cleared:
            mark_cleared(item.response, item.matches, cleared)


def decide(context: ScreeningContext, screened: Sequence[Screened], kind: ScreeningKind | None) -> None:
    """Apply clearances, decide and count."""
    apply_clearances(context, clearable(context, screened))
    _count(context.metrics, screened, kind)


def _count(metrics: Metrics, screened: Sequence[Screened], kind: ScreeningKind | None) -> None:
    for item in screened:
        if kind is not None:
            metrics.record_screening(kind, item.response.decision)
        for listed in item.response.matches:
            metrics.record_match(listed.source, listed.decision)
            if listed.cleared:
                metrics.record_clearance_applied(listed.source)


def audit_rows(
    context: ScreeningContext, screened: Sequence[Screened], kind: ScreeningKind, batch_id: str | None = None
) -> list[dict[str, Any]]:
    return [
        record_row(
            kind=kind,
            caller=context.caller,
            request=item.party.model_dump(mode="json", exclude_none=True),
            response=item.response,
            batch_id=batch_id,
            sent=item.body,
        )
        for item in screened
    ]


def register(context: ScreeningContext, screened: Sequence[Screened]) -> None:
    """Register the parties that asked to be monitored (after their screenings are recorded)."""
    monitored = [(item.party, item.response) for item in screened if item.party.monitor]
    if monitored and context.register_monitored is not None:
        context.register_monitored(context, monitored)


def screen(
    context: ScreeningContext, parties: Sequence[PartyIn], *, kind: ScreeningKind, batch_id: str | None = None
) -> list[Screened]:
    """Screen, decide, record and register: the whole pipeline in this thread (batch, files, the CLI)."""
    screened = [match_party(context, party) for party in parties]
    _decide_and_record(context, screened, kind, batch_id)
    return screened


def _decide_and_record(
    context: ScreeningContext, screened: Sequence[Screened], kind: ScreeningKind, batch_id: str | None
) -> None:
    decide(context, screened, kind)
    serialise(screened)
    context.store(audit_rows(context, screened, kind, batch_id))
    register(context, screened)


def serialise(screened: Sequence[Screened]) -> list[bytes]:
    """Give each decided screening its JSON body: serialised once, for the caller and the audit trail."""
    bodies = []
    for item in screened:
        item.body = response_json(item.response)
        bodies.append(item.body)
    return bodies


async def screen_on_loop(
    context: ScreeningContext, parties: Sequence[PartyIn], *, kind: ScreeningKind
) -> list[tuple[ScreenResponse, bytes]]:
    """The same pipeline for the event loop; each response comes with its JSON body, serialised once for
    the caller and the audit trail.

    Matching is CPU work of well under a millisecond: done on the loop, a thread hop would cost as much.
    The store reads (clearances, only for a matched party the directory names) and the monitoring
    registration block, so they go to a worker thread. The audit rows are committed by the writer thread
    with concurrent requests' rows, and the call returns only once they are: the caller never gets the
    answer to a screening the audit trail could still lose.
    """
    if context.audit is None:
        raise RuntimeError("screen_on_loop needs the API's audit writer")
    screened = [match_party(context, party) for party in parties]
    to_clear = clearable(context, screened)
    if to_clear:
        await run_in_threadpool(apply_clearances, context, to_clear)
    _count(context.metrics, screened, kind)
    bodies = serialise(screened)
    await context.audit.write_async(audit_rows(context, screened, kind))
    if any(item.party.monitor for item in screened):
        await run_in_threadpool(register, context, screened)
    return [(item.response, body) for item, body in zip(screened, bodies, strict=True)]


def screen_batch(context: ScreeningContext, parties: list[dict[str, Any]]) -> tuple[str, list[Screened | ItemError]]:
    """Each party screened on its own: an invalid one yields an error in its slot, not a failed batch.
    Each screened party comes with its JSON body (`Screened.body`), as the audit trail stores it."""
    if len(parties) > context.settings.max_batch:
        raise PayloadTooLarge(
            f"parties: {len(parties)} parties given; the limit is {context.settings.max_batch} per request"
        )
    # Matching time grows with the words of a name: a batch of names made of many short words would run
    # for seconds, holding a worker, while its party count looks harmless.
    name_parts = sum(
        len(raw["name"].split()) for raw in parties if isinstance(raw, dict) and isinstance(raw.get("name"), str)
    )
    if name_parts > context.settings.max_batch_name_parts:
        raise PayloadTooLarge(
            f"parties: {name_parts} name parts (words) in all; the limit is "
            f"{context.settings.max_batch_name_parts} per request (SCREENING_MAX_BATCH_NAME_PARTS); split the batch"
        )
    batch_id = uuid4_text()
    results: list[Screened | ItemError] = []
    screened: list[Screened] = []
    for index, raw in enumerate(parties):
        try:
            item = match_party(context, PartyIn.model_validate(raw))
        except ValidationError as error:
            detail = "; ".join(
                f"parties[{index}].{'.'.join(map(str, problem['loc'])) or 'party'}: {problem['msg']}"
                for problem in error.errors()
            )
            results.append(ItemError(index, 422, "invalid_input", detail))
            continue
        except InvalidInput as error:
            results.append(ItemError(index, error.status, error.error_code, f"parties[{index}].{error.detail}"))
            continue
        results.append(item)
        screened.append(item)
    _decide_and_record(context, screened, "batch", batch_id)
    return batch_id, results


def screen_order_parties(context: ScreeningContext, parties: Sequence[PartyIn]) -> list[ScreenResponse]:
    """Every party of an order, clearances applied; the order is recorded as one audit record by the caller."""
    screened = [match_party(context, party) for party in parties]
    decide(context, screened, None)
    return [item.response for item in screened]
