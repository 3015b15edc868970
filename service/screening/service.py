"""Screen one party against the current index snapshot."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from service.config import Settings
from service.decisions import strictest
from service.errors import InvalidInput, InvalidSources, ListUnavailable, SourcesNotLoaded
from service.ids import uuid4_text
from service.matching.types import Match, MatchThresholds, Query, QueryType
from service.screening.index_state import ActiveVersion, IndexSnapshot
from service.screening.schemas import (
    ExplanationOut,
    ListVersionRef,
    MatchOut,
    PartyIn,
    ScreenResponse,
    parse_birth_date,
)
from service.sources.catalogue import Catalogue
from service.sources.model import Identifier
from service.timeutil import utc_now


def build_query(party: PartyIn, *, settings: Settings, catalogue: Catalogue) -> Query:
    if len(party.name) > settings.max_name_length:
        raise InvalidInput(f"name: longer than {settings.max_name_length} characters")
    if party.sources is not None:
        known = ", ".join(sorted(catalogue.sources))
        if not party.sources:
            raise InvalidSources(f"sources: empty, so nothing would be screened; leave it out or name some of {known}")
        unknown = [source for source in party.sources if source not in catalogue.sources]
        if unknown:
            raise InvalidSources(f"sources: unknown source id(s) {', '.join(unknown)}; known: {known}")
    return query_of(
        name=party.name,
        type_=party.type,
        country=party.country,
        date_of_birth=party.date_of_birth,
        identifiers=[Identifier(type=item.type, value=item.value, country=item.country) for item in party.identifiers],
        sources=frozenset(party.sources) if party.sources is not None else None,
    )


def query_of(
    *,
    name: str,
    type_: QueryType,
    country: str | None,
    date_of_birth: str | None,
    identifiers: Sequence[Identifier],
    sources: frozenset[str] | None = None,
) -> Query:
    """The matcher's query for a party's validated fields: a screening request's or a monitored party's."""
    return Query(
        name=name,
        type=type_,
        country=country,
        birth_date=parse_birth_date(date_of_birth) if date_of_birth else None,
        identifiers=tuple(identifiers),
        sources=sources,
    )


def thresholds_for(settings: Settings, review: float | None = None) -> MatchThresholds:
    """The thresholds of a screening: the configured ones, or a party's own review threshold (the block
    threshold never falls below it)."""
    review = settings.review_threshold if review is None else review
    return MatchThresholds(review=review, block=max(review, settings.block_threshold))


def match_out(match: Match) -> MatchOut:
    entry = match.entry
    return MatchOut(
        source=entry.source,
        entity_id=entry.entity_id,
        name=entry.name,
        matched_name=match.matched_name,
        type=entry.type,
        score=round(min(max(match.score, 0.0), 1.0), 4),
        decision=match.decision,
        programs=list(entry.programs),
        countries=list(entry.countries),
        explanation=[
            ExplanationOut(feature=feature.feature, score=round(feature.score, 4), detail=feature.detail)
            for feature in match.features
        ],
    )


def screen_party(
    *, party: PartyIn, snapshot: IndexSnapshot | None, settings: Settings, catalogue: Catalogue
) -> tuple[ScreenResponse, list[Match]]:
    """Screen one party; the raw matches come back too, for clearances and the audit trail."""
    if snapshot is None or not snapshot.versions:
        # Screening against nothing must never look like a clear result.
        raise ListUnavailable("no list is loaded yet; ingest a list before screening")
    query = build_query(party, settings=settings, catalogue=catalogue)
    if query.sources is not None:
        not_loaded = sorted(query.sources - {version.source for version in snapshot.versions})
        if not_loaded:
            # A clear answer from a list that is not there would read as "not on that list".
            raise SourcesNotLoaded(f"sources: no version of {', '.join(not_loaded)} is loaded; ingest it first")
    limit = party.limit or settings.default_limit
    matches = snapshot.index.search(query, thresholds=thresholds_for(settings, party.threshold), limit=limit)
    response = ScreenResponse(
        screening_id=uuid4_text(),
        decision=strictest([match.decision for match in matches]),
        screened_at=utc_now(),
        reference=party.reference,
        matches=[match_out(match) for match in matches],
        lists=list(list_refs(snapshot.versions, query.sources)),
    )
    return response, matches


@functools.lru_cache(maxsize=64)
def list_refs(versions: tuple[ActiveVersion, ...], sources: frozenset[str] | None) -> tuple[ListVersionRef, ...]:
    """The list versions a screening ran against; the same for every screening of one index snapshot."""
    return tuple(
        ListVersionRef(
            source=version.source,
            version=version.version_id,
            published_at=version.published_at,
            fetched_at=version.fetched_at,
        )
        for version in versions
        if sources is None or version.source in sources
    )
