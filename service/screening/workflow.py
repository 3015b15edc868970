"""Screening as the API and CLI run it: match, apply clearances, decide, and record in the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine

from service.config import Settings
from service.errors import InvalidInput, PayloadTooLarge
from service.matching.types import Match
from service.metrics import ScreeningKind, get_metrics
from service.monitoring.registry import register_screened
from service.screening.audit import record_row, store_records
from service.screening.audit_writer import AuditWriter
from service.screening.clearance_directory import ClearanceDirectory
from service.screening.clearances import clearances_of, live_clearances, mark_cleared
from service.screening.index_state import IndexSnapshot
from service.screening.schemas import PartyIn, ScreenResponse
from service.screening.service import screen_party
from service.sources.catalogue import Catalogue


@dataclass(slots=True, frozen=True)
class ScreeningContext:
    engine: Engine
    settings: Settings
    catalogue: Catalogue
    snapshot: IndexSnapshot | None
    caller: str
    audit: AuditWriter | None = None  # the API's group-commit writer; None writes directly (CLI)
    clearances: ClearanceDirectory | None = None  # the API's directory; None looks every party up (CLI)

    def store(self, rows: Sequence[dict[str, Any]]) -> None:
        if self.audit is not None:
            self.audit.write(rows)
        else:
            store_records(self.engine, rows)

    async def write_audit_async(self, rows: Sequence[dict[str, Any]]) -> None:
        """Store the rows without blocking the event loop (the API always has a writer)."""
        if self.audit is None:
            raise RuntimeError("write_audit_async needs the API's audit writer")
        await self.audit.write_async(rows)


@dataclass(slots=True, frozen=True)
class ItemError:
    index: int
    status: int
    code: str
    detail: str


Screened = tuple[PartyIn, ScreenResponse, list[Match]]


def _apply_clearances(connection: Connection, with_matches: Sequence[Screened]) -> None:
    """Mark cleared matches and decide again without them (one query for all the parties)."""
    clearances = live_clearances(connection, [(party.reference, party.name) for party, _, _ in with_matches])
    if not clearances:
        return
    for party, response, matches in with_matches:
        cleared = clearances_of(clearances, reference=party.reference, name=party.name, country=party.country)
        if cleared:
            mark_cleared(response, matches, cleared)


def _count(screened: Sequence[Screened], kind: ScreeningKind | None) -> None:
    metrics = get_metrics()
    for _, response, _ in screened:
        if kind is not None:
            metrics.record_screening(kind, response.decision)
        for listed in response.matches:
            metrics.record_match(listed.source, listed.decision)
            if listed.cleared:
                metrics.record_clearance_applied(listed.source)


def match_party(context: ScreeningContext, party: PartyIn) -> Screened:
    """Match one party against the index: CPU work only, no store access."""
    response, matches = screen_party(
        party=party, snapshot=context.snapshot, settings=context.settings, catalogue=context.catalogue
    )
    return party, response, matches


def decide(context: ScreeningContext, screened: Sequence[Screened], kind: ScreeningKind | None) -> None:
    """Apply clearances, decide and count. Reads the store only for the parties `needs_store` picks."""
    with_matches = [item for item in screened if needs_store(context, item)]
    if with_matches:
        # One read for them all, no transaction to open and roll back around it (two round trips fewer).
        with context.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            _apply_clearances(connection, with_matches)
    _count(screened, kind)


def needs_store(context: ScreeningContext, screened: Screened) -> bool:
    """Whether deciding this screening reads clearances from the store: only a match can be cleared,
    and only a party the clearance directory names can have a clearance."""
    party, response, _ = screened
    if not response.matches:
        return False
    return context.clearances is None or context.clearances.may_clear([(party.reference, party.name)])


def screen_single(context: ScreeningContext, party: PartyIn, *, kind: ScreeningKind = "single") -> ScreenResponse:
    """Match, apply clearances, decide: CPU work and at most one indexed read; `record_single` stores it."""
    screened = match_party(context, party)
    decide(context, [screened], kind)
    return screened[1]


def single_row(
    context: ScreeningContext,
    party: PartyIn,
    response: ScreenResponse,
    *,
    kind: ScreeningKind = "single",
    sent: bytes | None = None,
) -> dict[str, Any]:
    request = party.model_dump(mode="json", exclude_none=True)
    return record_row(kind=kind, caller=context.caller, request=request, response=response, sent=sent)


def record_single(
    context: ScreeningContext, party: PartyIn, response: ScreenResponse, *, kind: ScreeningKind = "single"
) -> None:
    """Store the screening in the audit trail (and register the party for monitoring when asked)."""
    context.store([single_row(context, party, response, kind=kind)])
    if party.monitor:
        register_screened(
            engine=context.engine, caller=context.caller, screened=[(party, response)], snapshot=context.snapshot
        )


def screen_and_record(context: ScreeningContext, party: PartyIn, *, kind: ScreeningKind = "single") -> ScreenResponse:
    response = screen_single(context, party, kind=kind)
    record_single(context, party, response, kind=kind)
    return response


def screen_batch(
    context: ScreeningContext, parties: list[dict[str, Any]]
) -> tuple[str, list[ScreenResponse | ItemError]]:
    """Each party screened on its own: an invalid one yields an error in its slot, not a failed batch."""
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
    batch_id = str(uuid.uuid4())
    results: list[ScreenResponse | ItemError] = []
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
        results.append(item[1])
        screened.append(item)
    decide(context, screened, "batch")
    rows = [
        record_row(
            kind="batch",
            caller=context.caller,
            request=party.model_dump(mode="json", exclude_none=True),
            response=response,
            batch_id=batch_id,
        )
        for party, response, _ in screened
    ]
    context.store(rows)
    monitored = [(party, response) for party, response, _ in screened if party.monitor]
    register_screened(engine=context.engine, caller=context.caller, screened=monitored, snapshot=context.snapshot)
    return batch_id, results


def screen_order_parties(context: ScreeningContext, parties: list[PartyIn]) -> list[ScreenResponse]:
    """Every party of an order, clearances applied; the order is recorded as one audit record by the caller."""
    screened = [match_party(context, party) for party in parties]
    decide(context, screened, None)
    return [response for _, response, _ in screened]
