"""Benchmark: delta re-screening of 100,000 monitored parties after a list change of ~1,000 entries.

    /work/venv/bin/python -m bench.monitoring [--parties 100000] [--added 450] [--changed 450] [--removed 100]
        [--database-url URL]

1. Ingests the real OFAC SDN set of July 2021 (version 1, re-screened with nobody monitored yet).
2. Registers N parties: 2% carry real names of that list or of the later one (some match at once,
   some only after the change; their baseline is a normal screening), the rest are random names
   from 12 locales (Latin, Cyrillic, Arabic, Chinese, Japanese, Greek scripts; baseline clear).
3. Ingests version 2: the same set with `--added` entries of the newer real list added, `--changed`
   entries edited (program column) and `--removed` entries delisted.
4. Times `rescreen_after_version` for version 2 and prints a table.

Real list files are read in place; the database is a fresh SQLite file in a temp dir unless given.
Needs the `faker` package (a benchmark-only dependency).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from pathlib import Path

from faker import Faker
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from bench.harness import LISTS_DATA
from service.config import Settings
from service.db import make_engine, upgrade
from service.matching import build_index
from service.metrics import get_metrics
from service.monitoring.registry import Baseline, screen_baselines, upsert_baselines
from service.monitoring.rescreen import rescreen_after_version
from service.monitoring.runs import on_version_activated
from service.monitoring.schemas import MonitoredPartyIn
from service.screening.index_state import IndexHolder
from service.screening.tables import ScreeningRecord
from service.sources.catalogue import load_catalogue
from service.sources.ingest import IngestOptions, ingest_files
from service.sources.parsers import SourceFile

LISTS = LISTS_DATA / "ofac_sdn"
OLD = LISTS / "consistent_set_2021-07"
FILES = ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")
LOCALES = ("en_US", "de_DE", "fr_FR", "es_ES", "it_IT", "pl_PL", "tr_TR", "ru_RU", "ar_AA", "zh_CN", "ja_JP", "el_GR")


def _rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("cp1252").rstrip("\x1a")
    return [row for row in csv.reader(io.StringIO(text)) if row]


def _encode(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return (buffer.getvalue() + "\x1a").encode("cp1252", errors="replace")


def changed_list(rng: random.Random, added: int, changed: int, removed: int) -> tuple[list[SourceFile], list[str]]:
    """Version 2 files: the 2021 set with entries of the newer list added, some edited, some delisted.

    Returns the files and the primary names of the added entries (some parties carry them)."""
    old = {name: _rows(OLD / name) for name in FILES}
    new = {name: _rows(LISTS / name) for name in FILES}
    old_ids = [row[0] for row in old["sdn.csv"]]
    fresh = sorted({row[0] for row in new["sdn.csv"]} - set(old_ids))
    add_ids = set(rng.sample(fresh, added))
    remove_ids = set(rng.sample(old_ids, removed))
    change_ids = set(rng.sample(sorted(set(old_ids) - remove_ids), changed))
    files = []
    for name in FILES:
        rows = [row for row in old[name] if row[0] not in remove_ids]
        if name == "sdn.csv":
            rows = [[*row[:3], row[3] + "] [BENCH-EO", *row[4:]] if row[0] in change_ids else row for row in rows]
        rows += [row for row in new[name] if row[0] in add_ids]
        files.append(SourceFile(name, _encode(rows)))
    added_names = [row[1] for row in new["sdn.csv"] if row[0] in add_ids]
    return files, added_names


def _listed_name(name: str) -> str:
    """'MADURO MOROS, Nicolas' -> 'Nicolas Maduro Moros', as an ERP would hold it."""
    last, _, first = name.partition(", ")
    return f"{first} {last.title()}".strip() if first else name.title()


def make_parties(rng: random.Random, count: int, listed: list[str]) -> tuple[list[MonitoredPartyIn], int]:
    fakers = [Faker(locale) for locale in LOCALES]
    for index, fake in enumerate(fakers):
        fake.seed_instance(index)
    parties = []
    listed_count = min(len(listed), count // 50)
    for index, name in enumerate(rng.sample(listed, listed_count)):
        parties.append(MonitoredPartyIn(reference=f"L-{index:06d}", name=_listed_name(name)))
    for index in range(count - listed_count):
        fake = fakers[index % len(fakers)]
        name = fake.company() if index % 3 == 0 else fake.name()
        parties.append(MonitoredPartyIn(reference=f"P-{index:06d}", name=name, country=fake.current_country_code()))
    return parties, listed_count


def _version(engine: Engine, settings: Settings, files: list[SourceFile], origin: str) -> int:
    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    outcome = ingest_files(
        engine=engine, source=source, files=files, origin=origin, options=IngestOptions(), metrics=get_metrics()
    )
    print(f"  {origin}: version {outcome.version_id}, {outcome.record_count} entries", end="")
    print(f" (+{outcome.added} ~{outcome.changed} -{outcome.removed}) in {outcome.seconds:.1f}s")
    assert outcome.version_id is not None
    return outcome.version_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parties", type=int, default=100_000)
    parser.add_argument("--added", type=int, default=450)
    parser.add_argument("--changed", type=int, default=450)
    parser.add_argument("--removed", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    build = build_index
    rng = random.Random(20261124)
    data_dir = Path(tempfile.mkdtemp(prefix="bench-monitoring-"))
    settings = Settings(data_dir=data_dir, database_url=args.database_url)
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    print(f"store: {engine.url.render_as_string(hide_password=True)}")

    old_files = [SourceFile(name, (OLD / name).read_bytes()) for name in FILES]
    _version(engine, settings, old_files, "ofac 2021-07")
    on_version_activated(
        engine=engine, source="us_ofac_sdn", settings=settings, build_index=build, metrics=get_metrics()
    )
    new_files, added_names = changed_list(rng, args.added, args.changed, args.removed)

    started = time.perf_counter()
    old_names = [row[1] for row in _rows(OLD / "sdn.csv")]
    parties, listed_count = make_parties(rng, args.parties, old_names + added_names)
    holder = IndexHolder(engine, build)
    holder.refresh()
    catalogue = load_catalogue(settings.lists_dir)
    baselines = screen_baselines(
        engine=engine, parties=parties[:listed_count], snapshot=holder.snapshot, settings=settings, catalogue=catalogue
    )
    # Random locale names start clear (their full-list baseline screening would only cost set-up time).
    versions = baselines[0].versions if baselines else {}
    baselines += [Baseline(party, "clear", [], versions) for party in parties[listed_count:]]
    upsert_baselines(engine=engine, caller="bench", baselines=baselines, metrics=get_metrics())
    print(
        f"  {len(parties)} parties registered ({listed_count} with list names) in {time.perf_counter() - started:.1f}s"
    )

    version_id = _version(engine, settings, new_files, "ofac 2021-07 changed")
    result = rescreen_after_version(
        engine=engine, version_id=version_id, build_index=build, settings=settings, metrics=get_metrics()
    )
    with Session(engine) as session:
        audit = session.execute(
            select(func.count()).select_from(ScreeningRecord).where(col(ScreeningRecord.kind) == "rescreen")
        ).scalar_one()
    rate = result.parties / result.seconds if result.seconds else 0.0
    table = [
        ("monitored parties re-screened", f"{result.parties:,}"),
        ("delta entries indexed (added + changed)", f"{result.delta_entries:,}"),
        ("parties updated (incl. quiet hash updates)", f"{result.changed_parties:,}"),
        *((f"alerts: {kind}", f"{count:,}") for kind, count in result.alerts.items()),
        ("audit records (kind rescreen)", f"{audit:,}"),
        ("search processes", str(result.workers)),
        ("re-screen wall time", f"{result.seconds:.1f} s"),
        ("parties per second", f"{rate:,.0f}"),
        ("target", "< 60 s"),
    ]
    width = max(len(label) for label, _ in table)
    print()
    for label, value in table:
        print(f"  {label:<{width}}  {value:>12}")
    sys.exit(0 if result.seconds < 60 else 1)


if __name__ == "__main__":
    main()
