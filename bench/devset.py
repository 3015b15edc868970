"""The development evaluation set in ../shared/eval-dev, run over HTTP against a service of its own.

python -m bench.devset [--categories vessel,typo_2] [--json-out results.jsonl]

The set was built by a generator this project does not contain, so it measures what users get on
names nobody here wrote. A service is started on a temporary SQLite store holding the seven full
lists the set was made from, and `run_eval.py` screens every case through it; its table is printed
as it comes. The cases are read where they are: they never enter the project.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import BENCH_API_KEY, FULL_LISTS, REPO, ingest_full_lists, running_server

EVAL_DEV = Path(os.environ.get("SCREENING_EVAL_DEV", REPO.parent / "shared" / "eval-dev"))
# The lists the development set was made from (its README: "all seven full lists").
DEV_SET_SOURCES = (
    "us_ofac_sdn",
    "us_ofac_cons",
    "us_trade_csl",
    "un_sc_sanctions",
    "gb_hmt_sanctions",
    "ca_dfatd_sema",
    "au_dfat_sanctions",
)


def run_dev_set(extra_arguments: list[str]) -> int:
    """Ingest the seven lists into a fresh store, serve it, run the evaluation; its exit status."""
    runner = EVAL_DEV / "run_eval.py"
    if not runner.exists():
        print(f"development set not found at {EVAL_DEV} (set SCREENING_EVAL_DEV)", file=sys.stderr)
        return 2
    lists = tuple(item for item in FULL_LISTS if item[0] in DEV_SET_SOURCES)
    with tempfile.TemporaryDirectory(prefix="screening-devset-") as directory:
        url = f"sqlite:///{Path(directory) / 'devset.db'}"
        print(f"ingesting {len(lists)} lists into a temporary store ...", file=sys.stderr)
        for timing in ingest_full_lists(url, lists=lists):
            print(f"  {timing.source}: {timing.status}, {timing.records} records", file=sys.stderr)
        with running_server(url, workers=1) as base:
            command = [sys.executable, str(runner), "--url", base, "--api-key", BENCH_API_KEY, *extra_arguments]
            return subprocess.run(command, check=False).returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--categories", help="comma-separated categories to run")
    parser.add_argument("--json-out", help="write each case's outcome to this JSONL file")
    args = parser.parse_args()
    extra = []
    if args.categories:
        extra += ["--categories", args.categories]
    if args.json_out:
        extra += ["--json-out", args.json_out]
    sys.exit(run_dev_set(extra))


if __name__ == "__main__":
    main()
