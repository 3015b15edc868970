"""The audit writer's share of a screening: CPU to store screenings and open their review cases.

python -m bench.audit_store [--names 3000] [--group 12] [--database sqlite postgresql]

Every screening the API answers is stored by the audit writer thread, together with the screenings
of concurrent requests (a group commit), and each one that is not `clear` opens or updates its
party's review case in the same transaction (`service/cases/intake.py`). That thread shares the
worker's GIL and cores with matching. Here the realistic customer-master mix (bench/customer_mix.py)
is matched first, untimed, against every full list; then its audit rows are handed to the API's
writer (`screening/audit_writer.py`) `--group` at a time, each group one commit. Under bench.load's
32 connections one worker commits 11 to 13 screenings together, each of two workers 5 to 8. The
store is the bench store, which keeps the cases of earlier runs as a long-running store does. "CPU"
is this process's, all threads (user and system; SQLite's work is in it, PostgreSQL's server is
not), "wall" the elapsed time.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.customer_mix import realistic_names
from bench.harness import BENCH_DATA, database_url, ingest_full_lists
from service.cases import intake
from service.config import Settings
from service.db import make_engine
from service.matching import build_index
from service.metrics import Metrics
from service.screening.audit_writer import AuditWriter
from service.screening.index_state import IndexHolder
from service.screening.pipeline import ScreeningContext, audit_rows, decide, local_context, match_party, serialise
from service.screening.saved_index import SavedIndexes
from service.screening.schemas import PartyIn


@dataclass(slots=True)
class Result:
    database: str
    rows: int
    flagged: int
    commits: int
    cpu: float
    wall: float


def _groups_of_rows(context: ScreeningContext, names: Sequence[str], group: int) -> list[list[dict[str, Any]]]:
    """The audit rows of the names' screenings, `group` to a list."""
    groups = []
    for start in range(0, len(names), group):
        screened = [match_party(context, PartyIn(name=name)) for name in names[start : start + group]]
        decide(context, screened, "single")
        serialise(screened)
        groups.append(audit_rows(context, screened, "single"))
    return groups


def run(database: str, names: Sequence[str], group: int) -> Result:
    url = database_url(database)
    ingest_full_lists(url)
    intake.install()
    engine = make_engine(url)
    holder = IndexHolder(engine, build_index, saved=SavedIndexes(engine, cache_dir=BENCH_DATA / "index-cache"))
    holder.refresh()
    writer = AuditWriter(engine)  # the API's writer thread, with its own connection and (SQLite) write lock
    settings = Settings(database_url=url, data_dir=BENCH_DATA)
    context = dataclasses.replace(
        local_context(engine, settings, holder.snapshot, "bench", Metrics(multiprocess=False)), audit=writer
    )
    groups = _groups_of_rows(context, names, group)
    flagged = sum(row["decision"] != "clear" for rows in groups for row in rows)
    started_cpu, started = time.process_time(), time.perf_counter()
    for rows in groups:
        context.store(rows)  # returns once the writer committed them: one transaction per call
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started
    writer.close()
    engine.dispose()
    return Result(database, len(names), flagged, len(groups), cpu, wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--names", type=int, default=3000)
    parser.add_argument("--group", type=int, default=12, help="screenings stored per commit")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--database", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite"])
    args = parser.parse_args()
    names = realistic_names(args.names, seed=args.seed)
    results = [run(database, names, args.group) for database in args.database]
    print(f"Audit rows of {args.names} realistic-mix screenings stored {args.group} to a commit, case intake on")
    print("| database   | rows  | not clear | commits | CPU ms/commit | CPU ms/row | wall ms/commit |")
    print("|------------|-------|-----------|---------|---------------|------------|----------------|")
    for result in results:
        print(
            f"| {result.database:<10} | {result.rows:>5} | {result.flagged:>9} | {result.commits:>7} "
            f"| {result.cpu / result.commits * 1e3:>13.2f} | {result.cpu / result.rows * 1e3:>10.3f} "
            f"| {result.wall / result.commits * 1e3:>14.2f} |"
        )


if __name__ == "__main__":
    main()
