"""wrk over a fixed rotating mix of customer-master names against POST /v1/screen, all full lists loaded.

python -m bench.wrk_mix [--names 4000] [--workers 2] [--connections 32] [--seconds 10]
                        [--database sqlite postgresql]

The names come from bench/customer_mix.py (persons and companies of 11 locales, the common ones
weighted up, 10% listed names in variants). Each wrk thread walks the same fixed list of bodies from
its own starting point, so the server sees every name about equally often. The server runs as
deployed: an API key required and a JSON access-log line per request. The RSS column is the largest
server process's resident memory once the run ended. Needs `wrk` (Debian: wrk).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.customer_mix import realistic_names
from bench.harness import BENCH_API_KEY, database_url, ingest_full_lists, largest_rss_mib, running_server

# Each wrk thread has its own Lua state: it reads the bodies once and sends them in turn.
_SCRIPT = """
local bodies = {}
for line in io.lines("%(bodies)s") do bodies[#bodies + 1] = line end
local next_body = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(key)s"
function setup(thread)
  thread:set("start", math.random(#bodies))
end
function init(args)
  next_body = start or 1
end
function request()
  next_body = next_body %% #bodies + 1
  return wrk.format(nil, "/v1/screen", nil, bodies[next_body])
end
"""
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(slots=True, frozen=True)
class WrkResult:
    database: str
    workers: int
    requests_per_second: float
    latency_ms: dict[str, float]  # percentile label ("50%") -> milliseconds
    requests: int
    errors: int
    rss_mib: float  # of the largest server process once the run ended


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> tuple[float, dict[str, float], int, int]:
    """Requests/s, latency percentiles, requests and failed requests (non-2xx and socket errors)."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    latency = {label: _milliseconds(value) for label, value in re.findall(r"^\s+(\d+%)\s+(\S+)", output, re.M)}
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", output))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    return rate, latency, requests, errors


def run(database: str, workers: int, names: list[str], connections: int, seconds: int) -> WrkResult:
    url = database_url(database)
    ingest_full_lists(url)
    with tempfile.TemporaryDirectory() as folder:
        bodies = Path(folder) / "bodies.jsonl"
        bodies.write_text("".join(json.dumps({"name": name}, ensure_ascii=False) + "\n" for name in names))
        script = Path(folder) / "mix.lua"
        script.write_text(_SCRIPT % {"bodies": bodies, "key": BENCH_API_KEY})
        with running_server(url, workers=workers) as base:
            warm = ["wrk", "-t2", f"-c{connections}", "-d3s", "-s", str(script), base]
            subprocess.run(warm, check=True, capture_output=True)
            command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), base]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            rss = largest_rss_mib(base)
    rate, latency, requests, errors = parse_wrk(output)
    return WrkResult(database, workers, rate, latency, requests, errors, rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--names", type=int, default=4000)
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--database", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite"])
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install -y wrk)")
    names = realistic_names(args.names)
    results = [
        run(database, workers, names, args.connections, args.seconds)
        for database in args.database
        for workers in args.workers
    ]
    print(
        f"wrk -t2 -c{args.connections} -d{args.seconds}s over {len(names)} rotating customer-master names,"
        " POST /v1/screen; API key required, JSON access log at INFO"
    )
    print("| database   | workers | requests/s | p50 ms | p90 ms | p99 ms | requests | errors | RSS MiB |")
    print("|------------|---------|------------|--------|--------|--------|----------|--------|---------|")
    for r in results:
        print(
            f"| {r.database:<10} | {r.workers:>7} | {r.requests_per_second:>10.0f} | {r.latency_ms.get('50%', 0):>6.1f}"
            f" | {r.latency_ms.get('90%', 0):>6.1f} | {r.latency_ms.get('99%', 0):>6.1f} | {r.requests:>8}"
            f" | {r.errors:>6} | {r.rss_mib:>7.0f} |"
        )


if __name__ == "__main__":
    main()
