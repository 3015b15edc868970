"""Clearances (the good-guy list): a reviewed party is not a given list entry.

A clearance names the party by the caller's `reference`, or by its normalised name
(plus country when given), and the list entry by source + entity_id and the entry's
content hash at review time. It applies while it is not revoked, not expired and the
list entry still has that content: when the publisher changes the entry, the match
must be reviewed again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import BindParameter, ColumnElement, Connection, Engine, Select, and_, bindparam, or_, select
from sqlmodel import Session, col

from service.decisions import strictest
from service.errors import InvalidInput, NotFound
from service.folding import party_name_key
from service.ids import uuid4_text
from service.matching.types import Match
from service.screening.schemas import ScreenResponse
from service.screening.tables import AuditEvent, Clearance
from service.sources.entries import active_entry
from service.timeutil import utc_now


def current_entry_hash(session: Session, source: str, entity_id: str) -> str:
    entry = active_entry(session, source, entity_id)
    if entry is None:
        raise NotFound(f"no entry '{entity_id}' in the active version of '{source}'")
    return entry.content_hash


def create_clearance(
    *,
    engine: Engine,
    actor: str,
    source: str,
    entity_id: str,
    reason: str,
    reference: str | None,
    name: str | None,
    country: str | None,
    expires_at: datetime | None,
) -> Clearance:
    if not reference and not name:
        raise InvalidInput("reference: give the party's reference, or its name (and country)")
    if expires_at is not None and expires_at <= utc_now():
        raise InvalidInput("expires_at: must be in the future")
    with Session(engine, expire_on_commit=False) as session:
        clearance = Clearance(
            id=uuid4_text(),
            created_by=actor,
            reference=reference or None,
            name=name,
            name_key=party_name_key(name) if name and not reference else None,
            country=country if not reference else None,
            source=source,
            entity_id=entity_id,
            entry_hash=current_entry_hash(session, source, entity_id),
            reason=reason,
            expires_at=expires_at,
        )
        session.add(clearance)
        session.add(
            AuditEvent(
                actor=actor,
                action="clearance.create",
                object_id=clearance.id,
                details={"source": source, "entity_id": entity_id, "reference": reference, "reason": reason},
            )
        )
        session.commit()
        return clearance


def revoke_clearance(*, engine: Engine, actor: str, clearance_id: str) -> Clearance:
    with Session(engine, expire_on_commit=False) as session:
        clearance = session.get(Clearance, clearance_id)
        if clearance is None or clearance.revoked_at is not None:
            raise NotFound(f"no active clearance '{clearance_id}'")
        clearance.revoked_at = utc_now()
        clearance.revoked_by = actor
        session.add(clearance)
        session.add(AuditEvent(actor=actor, action="clearance.revoke", object_id=clearance_id, details={}))
        session.commit()
        return clearance


def is_live(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """Not revoked and not expired at `now`: the clearances that apply."""
    return and_(
        col(Clearance.revoked_at).is_(None), or_(col(Clearance.expires_at).is_(None), col(Clearance.expires_at) > now)
    )


def list_clearances(
    session: Session, *, reference: str | None, source: str | None, include_inactive: bool, limit: int, offset: int
) -> list[Clearance]:
    statement = select(Clearance).order_by(col(Clearance.created_at).desc(), col(Clearance.id))
    if reference is not None:
        statement = statement.where(col(Clearance.reference) == reference)
    if source is not None:
        statement = statement.where(col(Clearance.source) == source)
    if not include_inactive:
        statement = statement.where(is_live(utc_now()))
    return list(session.execute(statement.limit(limit).offset(offset)).scalars())


PartyClearances = dict[tuple[str, str], set[str]]


class LiveClearance(NamedTuple):
    """What a screening needs of a clearance: whom it names, which entry, and that entry's reviewed content."""

    reference: str | None
    name_key: str | None
    country: str | None
    source: str
    entity_id: str
    entry_hash: str


def _live_statement(*, by_reference: bool) -> Select[str | None, str | None, str | None, str, str, str]:
    """Live clearances naming any of `name_keys` (or `references`). Built once: it runs for every
    screening with matches, and plain columns cost less than ORM objects."""
    party_filter: ColumnElement[bool] = col(Clearance.name_key).in_(bindparam("name_keys", expanding=True))
    if by_reference:
        party_filter = or_(col(Clearance.reference).in_(bindparam("references", expanding=True)), party_filter)
    return (
        select(
            col(Clearance.reference),
            col(Clearance.name_key),
            col(Clearance.country),
            col(Clearance.source),
            col(Clearance.entity_id),
            col(Clearance.entry_hash),
        )
        .where(party_filter)
        .where(is_live(bindparam("now")))
    )


_LIVE_BY_NAME = _live_statement(by_reference=False)
_LIVE_BY_REFERENCE_OR_NAME = _live_statement(by_reference=True)


def live_clearances(db: Session | Connection, parties: Sequence[tuple[str | None, str]]) -> list[LiveClearance]:
    """Live clearances of any of these parties (reference, name), in one query for a whole batch."""
    references = sorted({reference for reference, _ in parties if reference})
    name_keys = sorted({party_name_key(name) for _, name in parties})
    if not references and not name_keys:
        return []
    parameters: dict[str, object] = {"name_keys": name_keys, "now": utc_now()}
    statement = _LIVE_BY_NAME
    if references:
        statement = _LIVE_BY_REFERENCE_OR_NAME
        parameters["references"] = references
    return [LiveClearance(*row) for row in db.execute(statement, parameters)]


def clearances_of(
    clearances: Sequence[LiveClearance], *, reference: str | None, name: str, country: str | None
) -> PartyClearances:
    """(source, entity_id) -> entry hashes cleared for this one party."""
    key = party_name_key(name)
    cleared: PartyClearances = defaultdict(set)
    for clearance in clearances:
        by_reference = reference is not None and clearance.reference == reference
        by_name = clearance.reference is None and clearance.name_key == key
        # A name clearance given with a country covers that country only.
        if by_name and clearance.country and clearance.country != country:
            continue
        if by_reference or by_name:
            cleared[(clearance.source, clearance.entity_id)].add(clearance.entry_hash)
    return cleared


def mark_cleared(response: ScreenResponse, matches: Sequence[Match], cleared: PartyClearances) -> None:
    """Flag the matches these clearances cover (for the entry content reviewed) and decide without them."""
    for out, match in zip(response.matches, matches, strict=True):
        out.cleared = match.entry.content_hash in cleared.get((out.source, out.entity_id), ())
    response.decision = strictest([out.decision for out in response.matches if not out.cleared])
