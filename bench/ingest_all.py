"""Ingest every full list in ../shared/lists-data into a fresh store and time each.

python -m bench.ingest_all [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import create_engine, text

from bench.harness import BENCH_DATA, FULL_LISTS, database_url, ingest_full_lists

# What SOURCES.md states for each full file (records, or rows / distinct ids where a list has one row per name).
STATED = {
    "us_ofac_sdn": "14,965 entries",
    "us_ofac_cons": "442 entries",
    "us_trade_csl": "14,160 rows",
    "us_bis_dpl": "665 rows / 546 names",
    "un_sc_sanctions": "730 + 273 = 1,003",
    "gb_hmt_sanctions": "18,796 rows / 4,686 Group IDs",
    "gb_fcdo_sanctions": "5,302 designations",
    "ca_dfatd_sema": "4,759 records",
    "au_dfat_sanctions": "9,553 rows / ~3,160 refs",
}


def _fresh(kind: str) -> str:
    url = database_url(kind)
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (BENCH_DATA / f"bench.db{suffix}").unlink(missing_ok=True)
    else:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    url = _fresh(args.database)
    started = time.perf_counter()
    timings = ingest_full_lists(url)
    total = time.perf_counter() - started
    print(f"ingest of {len(FULL_LISTS)} full lists into {args.database}")
    print(f"| {'source':<18} | {'records':>8} | {'SOURCES.md':<30} | {'seconds':>7} |")
    print(f"|{'-' * 20}|{'-' * 10}|{'-' * 32}|{'-' * 9}|")
    for timing in timings:
        print(f"| {timing.source:<18} | {timing.records:>8,} | {STATED[timing.source]:<30} | {timing.seconds:>7.2f} |")
    print(f"| {'all':<18} | {sum(t.records for t in timings):>8,} | {'':<30} | {total:>7.2f} |")


if __name__ == "__main__":
    main()
