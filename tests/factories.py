"""Small hand-made list files in the publishers' real formats, for fast unit tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from service.metrics import Metrics
from service.sources.catalogue import CatalogueSource
from service.sources.ingest import IngestOptions, IngestOutcome, ingest_files
from service.sources.parsers import SourceFile

# What the ingests and re-screenings of the tests count on, apart from the process's registry (which
# the tests of /metrics read).
METRICS = Metrics(multiprocess=False)

NULL = "-0- "


@dataclass
class OfacRow:
    ent_num: int
    name: str
    sdn_type: str = "-0-"  # individual | vessel | aircraft | -0- (entity)
    programs: str = "SDGT"
    remarks: str = "-0-"
    aliases: list[str] = field(default_factory=list)
    addresses: list[tuple[str, str, str]] = field(default_factory=list)  # street, city, country


def _quoted(value: str) -> str:
    return NULL if value == "-0-" else '"' + value.replace('"', '""') + '"'


def ofac_csv_set(rows: list[OfacRow], *, end_marker: bool = True) -> list[SourceFile]:
    """sdn.csv, alt.csv, add.csv and sdn_comments.csv as OFAC writes them (CRLF, `-0-`, 0x1A)."""
    sdn, alt, add = [], [], []
    alt_num = add_num = 1
    for row in rows:
        fields = [str(row.ent_num), _quoted(row.name), _quoted(row.sdn_type), _quoted(row.programs)]
        fields += [NULL] * 7 + [_quoted(row.remarks)]
        sdn.append(",".join(fields))
        for alias in row.aliases:
            alt.append(f'{row.ent_num},{alt_num},"aka",{_quoted(alias)},{NULL}')
            alt_num += 1
        for street, city, country in row.addresses:
            add.append(f"{row.ent_num},{add_num},{_quoted(street)},{_quoted(city)},{_quoted(country)},{NULL}")
            add_num += 1
    tail = "\x1a" if end_marker else ""

    def encode(lines: list[str]) -> bytes:
        return ("\r\n".join(lines) + "\r\n" + tail).encode("cp1252")

    return [
        SourceFile("sdn.csv", encode(sdn)),
        SourceFile("alt.csv", encode(alt)),
        SourceFile("add.csv", encode(add)),
        SourceFile("sdn_comments.csv", encode([])),
    ]


BASE_ROWS = [
    OfacRow(
        22790,
        "MADURO MOROS, Nicolas",
        "individual",
        "VENEZUELA",
        "DOB 23 Nov 1962; POB Caracas, Venezuela; citizen Venezuela; Cedula No. 5892464 (Venezuela).",
        addresses=[("-0-", "Caracas", "Venezuela")],
    ),
    OfacRow(306, "BANCO NACIONAL DE CUBA", programs="CUBA", aliases=["NATIONAL BANK OF CUBA"]),
    OfacRow(
        9999,
        "OCEAN STAR",
        "vessel",
        "IRAN",
        "Vessel Registration Identification IMO 9187629.",
    ),
    OfacRow(
        12345,
        "PETROV, Ivan Sergeyevich",
        "individual",
        "RUSSIA-EO14024",
        "DOB 01 Feb 1970; nationality Russia; Passport 1234567 (Russia).",
        aliases=["PETROV, Ivan"],
    ),
]


def ingest_rows(engine: Engine, source: CatalogueSource, rows: list[OfacRow], **options: Any) -> IngestOutcome:
    """Ingest an OFAC-format file set made of `rows` into `source`, with these IngestOptions."""
    return ingest_files(
        engine=engine,
        source=source,
        files=ofac_csv_set(rows),
        origin="test",
        options=IngestOptions(**options),
        metrics=METRICS,
    )
