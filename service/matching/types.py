"""The matcher's interface: what goes into the index, what a query is, what a match says.

Everything here is pure data. The screening service builds `IndexedEntry`s from the
active list versions, calls `build_index`, and asks the index `search(query)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from service.sources.model import Alias, BirthDate, EntityType, Identifier

MatchDecision = Literal["block", "review"]
QueryType = Literal["person", "organization", "vessel", "aircraft", "any"]


@dataclass(slots=True, frozen=True)
class IndexedEntry:
    """A list entry as the matcher sees it (a slim copy of the stored entry)."""

    source: str
    entity_id: str
    type: EntityType
    name: str
    aliases: tuple[Alias, ...] = ()
    programs: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    birth_dates: tuple[BirthDate, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    content_hash: str = ""


@dataclass(slots=True, frozen=True)
class Query:
    """A party to screen, already validated at the API edge (country as ISO alpha-2)."""

    name: str
    type: QueryType = "any"
    country: str | None = None
    birth_date: BirthDate | None = None
    identifiers: tuple[Identifier, ...] = ()
    sources: frozenset[str] | None = None


@dataclass(slots=True, frozen=True)
class FeatureScore:
    """One named feature of a score; `detail` is the human-readable explanation."""

    feature: str
    score: float
    detail: str


@dataclass(slots=True, frozen=True)
class MatchThresholds:
    review: float = 0.84
    block: float = 0.97


@dataclass(slots=True)
class Match:
    entry: IndexedEntry
    score: float
    matched_name: str
    decision: MatchDecision
    features: list[FeatureScore] = field(default_factory=list)


class MatchIndex(Protocol):
    """An immutable, in-memory index over list entries; safe to share between threads."""

    @property
    def entry_count(self) -> int: ...

    @property
    def name_count(self) -> int: ...

    def search(self, query: Query, *, thresholds: MatchThresholds, limit: int) -> list[Match]:
        """Matches scoring at least `thresholds.review`, best first, at most `limit`."""
        ...


class IndexBuilder(Protocol):
    def __call__(self, entries: Iterable[IndexedEntry]) -> MatchIndex: ...
