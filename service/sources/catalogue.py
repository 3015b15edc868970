"""The list catalogue in `lists/catalogue.toml`: which sources exist and where they come from."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from service.errors import UnknownSource

CATALOGUE_FILE = "catalogue.toml"


@dataclass(slots=True, frozen=True)
class CatalogueSource:
    id: str
    name: str
    publisher: str
    kind: str
    format: str
    urls: tuple[str, ...]
    licence: str
    refresh: str | None = None
    max_age_hours: float | None = None
    other_formats: tuple[str, ...] = field(default_factory=tuple)
    auto_refresh: bool = True


@dataclass(slots=True, frozen=True)
class Catalogue:
    sources: dict[str, CatalogueSource]

    def get(self, source_id: str) -> CatalogueSource:
        try:
            return self.sources[source_id]
        except KeyError:
            known = ", ".join(sorted(self.sources))
            raise UnknownSource(f"unknown source '{source_id}'; known sources: {known}") from None

    def __iter__(self) -> Iterator[CatalogueSource]:
        return iter(self.sources.values())


def load_catalogue(lists_dir: Path) -> Catalogue:
    with (lists_dir / CATALOGUE_FILE).open("rb") as handle:
        raw = tomllib.load(handle)
    sources: dict[str, CatalogueSource] = {}
    for item in raw.get("source", []):
        source = CatalogueSource(
            id=item["id"],
            name=item["name"],
            publisher=item["publisher"],
            kind=item["kind"],
            format=item["format"],
            urls=tuple(item.get("urls", [])),
            licence=item["licence"],
            refresh=item.get("refresh"),
            max_age_hours=item.get("max_age_hours"),
            other_formats=tuple(item.get("other_formats", [])),
            auto_refresh=bool(item.get("auto_refresh", True)),
        )
        if source.id in sources:
            raise ValueError(f"{CATALOGUE_FILE}: source '{source.id}' is listed twice")
        sources[source.id] = source
    return Catalogue(sources=sources)
