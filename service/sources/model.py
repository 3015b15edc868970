"""The one list-entry model every parser produces, whatever the publisher's format.

Parsers are pure: bytes in, `ParsedList` out. The ingest pipeline stores these
records in a new list version; the match index is built from them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

EntityType = Literal["person", "organization", "vessel", "aircraft", "unknown"]
AliasStrength = Literal["strong", "weak"]
DatePrecision = Literal["year", "month", "day"]


@dataclass(slots=True, frozen=True)
class Alias:
    """Another name of the entry; `weak` is OFAC's "low quality a.k.a."."""

    name: str
    strength: AliasStrength = "strong"
    script: str | None = None  # ISO 15924 code such as "Cyrl", "Arab", "Hani"; None = Latin/unknown
    kind: str = "aka"  # aka | fka | nka | original


@dataclass(slots=True, frozen=True)
class BirthDate:
    """A date of birth as precise as the publisher gives it.

    `value` is ISO-like and truncated to its precision: "1962", "1962-11", "1962-11-23".
    """

    value: str
    precision: DatePrecision

    @classmethod
    def of(cls, year: int, month: int | None = None, day: int | None = None) -> BirthDate | None:
        """As precise as the parts given (a zero month or day is unknown); None for an impossible date or a
        year outside 1800..2100."""
        if not 1800 <= year <= 2100:
            return None
        if not month:
            return cls(value=f"{year:04d}", precision="year")
        if not 1 <= month <= 12:
            return None
        if not day:
            return cls(value=f"{year:04d}-{month:02d}", precision="month")
        try:
            return cls(value=date(year, month, day).isoformat(), precision="day")
        except ValueError:
            return None

    @property
    def year(self) -> int:
        return int(self.value[:4])

    @property
    def month(self) -> int | None:
        return int(self.value[5:7]) if self.precision != "year" else None

    @property
    def day(self) -> int | None:
        return int(self.value[8:10]) if self.precision == "day" else None


@dataclass(slots=True, frozen=True)
class Identifier:
    """A passport, national id, registration number, IMO number ..."""

    type: str
    value: str
    country: str | None = None


@dataclass(slots=True, frozen=True)
class Address:
    """A postal address; `text` is the whole address as one line, `country` ISO alpha-2."""

    text: str
    country: str | None = None


@dataclass(slots=True)
class ParsedEntry:
    entity_id: str
    type: EntityType
    name: str
    aliases: list[Alias] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    birth_dates: list[BirthDate] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    remarks: str | None = None
    listed_on: date | None = None
    source_url: str | None = None

    def to_document(self) -> dict[str, Any]:
        """The JSON-serialisable form stored in the list entry row."""
        document = asdict(self)
        document["listed_on"] = self.listed_on.isoformat() if self.listed_on else None
        return document

    def content_hash(self) -> str:
        """A stable digest of the entry's content; clearances and change reports compare it."""
        canonical = json.dumps(self.to_document(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> ParsedEntry:
        listed_on = document.get("listed_on")
        return cls(
            entity_id=document["entity_id"],
            type=document["type"],
            name=document["name"],
            aliases=[Alias(**alias) for alias in document.get("aliases", [])],
            programs=list(document.get("programs", [])),
            countries=list(document.get("countries", [])),
            birth_dates=[BirthDate(**bd) for bd in document.get("birth_dates", [])],
            identifiers=[Identifier(**ident) for ident in document.get("identifiers", [])],
            addresses=[Address(**address) for address in document.get("addresses", [])],
            remarks=document.get("remarks"),
            listed_on=date.fromisoformat(listed_on) if listed_on else None,
            source_url=document.get("source_url"),
        )


@dataclass(slots=True)
class ParsedList:
    """The outcome of parsing one list download.

    `stats` carries publisher-specific counts worth reporting (for example OFAC
    aliases whose entry is missing); they are stored on the list version.
    """

    entries: list[ParsedEntry]
    published_at: datetime | None = None
    stats: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
