"""HTTP load on POST /v1/screen (and, with --batch, POST /v1/screen/batch) against every full list.

Starts `screening serve` on loopback, drives it with concurrent keep-alive clients for a fixed
number of requests, and prints requests (or parties) per second and latency percentiles for each
database and worker count asked for, and the server's CPU time per party: on a shared or noisy machine
the rate moves with idle and stolen cycles, the CPU a party costs far less (compare changes by it).

    python -m bench.load [--mix realistic|diverse] [--requests 5000] [--concurrency 32] [--workers 1 2]
                         [--database sqlite postgresql]
    python -m bench.load --batch 100 --requests 200 --concurrency 4

`--mix realistic` (the default) draws names like a customer master's (bench/customer_mix.py: common
names of 11 locales, companies with legal forms, 10% listed names in variants, near-listed names).
`--mix diverse` is the older mix: seldom repeated names, 10% of them eight fixed listed names.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from dataclasses import dataclass

import uvloop

from bench.customer_mix import realistic_names
from bench.evalset import company_name, person_name
from bench.harness import database_url, ingest_full_lists, percentile, post_json, running_server, server_cpu_seconds

LISTED = [
    "Nicolas Maduro Moros",
    "MADURO MOROS, Nicolas",
    "Banco Nacional de Cuba",
    "Islamic Revolutionary Guard Corps",
    "Hamas",
    "Rosneft",
    "Huawei Technologies",
    "Kim Jong Un",
]


def diverse_names(count: int, seed: int = 11) -> list[str]:
    """One in ten a listed name; the others people and firms of many countries, seldom repeated (an ERP's
    daily mix: new business partners, so per-name caches help little)."""
    rng = random.Random(seed)
    names = []
    for index in range(count):
        if index % 10 == 0:
            names.append(rng.choice(LISTED))
        elif rng.random() < 0.3:
            names.append(company_name(rng))
        else:
            names.append(person_name(rng))
    return names


@dataclass(slots=True)
class Result:
    database: str
    workers: int
    requests: int
    parties: int
    seconds: float
    latencies: list[float]
    errors: int
    server_cpu: float  # seconds of CPU the server's processes used during the run


async def _drive(
    base: str, bodies: list[bytes], path: str, concurrency: int, reconnect_every: int = 50
) -> tuple[list[float], int, float]:
    """Send every body; each client reconnects every `reconnect_every` requests so that the kernel spreads
    connections over all workers (a keep-alive connection stays with the worker that accepted it)."""
    host, port = base.removeprefix("http://").split(":")
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []
    errors = 0

    async def client() -> None:
        nonlocal errors
        sent = 0
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while not queue.empty():
                body = queue.get_nowait()  # taken before any await: no other client can empty the queue first
                if sent and sent % reconnect_every == 0:
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                started = time.perf_counter()
                status, _ = await post_json(reader, writer, path, body)
                latencies.append(time.perf_counter() - started)
                errors += status != 200
                sent += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - started


MIXES = {"realistic": realistic_names, "diverse": diverse_names}


def run(database: str, workers: int, requests: int, concurrency: int, batch: int, mix: str) -> Result:
    url = database_url(database)
    ingest_full_lists(url)
    names = MIXES[mix](requests * max(batch, 1))
    if batch:
        path = "/v1/screen/batch"
        bodies = [
            json.dumps({"parties": [{"name": name} for name in names[i * batch : (i + 1) * batch]]}).encode()
            for i in range(requests)
        ]
    else:
        path = "/v1/screen"
        bodies = [json.dumps({"name": name}).encode() for name in names]
    with running_server(url, workers=workers) as base:
        warm = bodies[: min(len(bodies), 50)]
        # The clients share the machine's cores with the server: uvloop keeps their share small.
        uvloop.run(_drive(base, warm, path, concurrency))
        # A batch request is long: a new connection for each costs nothing and spreads them over workers.
        reconnect_every = 1 if batch else 50
        cpu_before = server_cpu_seconds(base)
        latencies, errors, seconds = uvloop.run(_drive(base, bodies, path, concurrency, reconnect_every))
        server_cpu = server_cpu_seconds(base) - cpu_before
    return Result(database, workers, requests, requests * max(batch, 1), seconds, latencies, errors, server_cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--mix", choices=sorted(MIXES), default="realistic")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--database", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--batch", type=int, default=0, help="parties per POST /v1/screen/batch (0: single screens)")
    args = parser.parse_args()
    results = [
        run(database, workers, args.requests, args.concurrency, args.batch, args.mix)
        for database in args.database
        for workers in args.workers
    ]
    unit = f"batch of {args.batch}" if args.batch else "single screen"
    print(
        f"POST {'/v1/screen/batch' if args.batch else '/v1/screen'}: {args.requests} requests ({unit}, {args.mix} mix),"
        f" {args.concurrency} concurrent clients; audit trail on, API key required, JSON access log at INFO"
    )
    print("| database   | workers | requests/s | parties/s | p50 ms | p95 ms | p99 ms | errors | server CPU ms/party |")
    print("|------------|---------|------------|-----------|--------|--------|--------|--------|---------------------|")
    for r in results:
        print(
            f"| {r.database:<10} | {r.workers:>7} | {r.requests / r.seconds:>10.0f} | {r.parties / r.seconds:>9.0f}"
            f" | {percentile(r.latencies, 0.5) * 1000:>6.1f} | {percentile(r.latencies, 0.95) * 1000:>6.1f}"
            f" | {percentile(r.latencies, 0.99) * 1000:>6.1f} | {r.errors:>6}"
            f" | {r.server_cpu * 1000 / r.parties:>19.2f} |"
        )


if __name__ == "__main__":
    main()
