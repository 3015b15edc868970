"""Index build time and memory, and per-query latency, on the real lists and on 1M names.

Usage: python -m bench.speed [--queries 3000] [--synthetic 1000000] [--seed 7]

Queries are the evaluation set's queries (perturbed listed names, non-listed names and
near misses, see bench/evalset.py), run one at a time in-process. Memory is what the
index's objects hold (`service.memory.deep_size`, the figure the index-memory gauge
reports). Each corpus also gets a row of names made only of very common parts
("Mohammad Ali", "Sergei Ivanov", "Li Wei" ...), 50 times each. The synthetic corpus
recombines real name parts (first names with surnames, organisation words with legal
forms) so that its token statistics stay realistic.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time

from bench.corpus import load_corpus
from bench.evalset import build_cases
from service.matching import Index, build_index
from service.matching.types import IndexedEntry, MatchThresholds, Query
from service.memory import deep_size


def _synthetic(entries: list[IndexedEntry], total: int, seed: int) -> list[IndexedEntry]:
    rng = random.Random(seed)
    person_words: list[list[str]] = []
    org_words: list[list[str]] = []
    for entry in entries:
        words = entry.name.replace(",", " ").split()
        if len(words) >= 2:
            (person_words if entry.type == "person" else org_words).append(words)
    firsts = [words[-1] for words in person_words]
    lasts = [words[0] for words in person_words]
    middles = [word for words in person_words for word in words[1:-1]] or firsts
    org_vocabulary = [word for words in org_words for word in words]
    forms = ["LLC", "LTD", "JSC", "OOO", "GMBH", "CO., LTD.", "S.A.", "INC", ""]
    synthetic: list[IndexedEntry] = []
    for number in range(total):
        if rng.random() < 0.65:
            parts = [rng.choice(lasts), rng.choice(firsts)]
            if rng.random() < 0.4:
                parts.append(rng.choice(middles))
            name, type_ = " ".join(parts), "person"
        else:
            size = rng.choice((1, 2, 2, 3, 3, 4))
            name = " ".join([*(rng.choice(org_vocabulary) for _ in range(size)), rng.choice(forms)]).strip()
            type_ = "organization"
        synthetic.append(IndexedEntry(source="synthetic", entity_id=str(number), type=type_, name=name))  # type: ignore[arg-type]
    return synthetic


# Names made only of very common parts: every part has long postings, the hardest case for candidate
# generation (a customer master is full of them).
COMMON_PART_NAMES = (
    "Mohammad Ali", "Abdul Rahman", "Sergei Ivanov", "Li Wei", "Mohammed Hassan", "Ahmed Mohamed",
    "Ali Hassan", "Wang Wei", "Kim Chol", "Alexander Ivanov", "Muhammad Khan", "Ahmad Mohammadi",
    "Hassan Ali Mohammed", "Abdullah Ahmed", "Zhang Wei", "Omar Abdullah", "Ivan Petrov", "Jose Garcia",
    "Maria Rodriguez", "Ali Reza",
)  # fmt: skip


def _latencies(index: Index, queries: list[Query], thresholds: MatchThresholds) -> list[float]:
    latencies = []
    for query in queries:
        started = time.perf_counter()
        index.search(query, thresholds=thresholds, limit=10)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return latencies


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    return latencies[len(latencies) // 2], latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]


def _measure(label: str, entries: list[IndexedEntry], queries: list[Query]) -> None:
    gc.collect()
    started = time.perf_counter()
    index = build_index(entries)
    build_seconds = time.perf_counter() - started
    memory = deep_size(index)  # what the index-memory gauge reports; a resident-memory delta holds allocator slack
    thresholds = MatchThresholds()
    for query in queries[:200]:  # warm caches, as a running replica would be
        index.search(query, thresholds=thresholds, limit=10)
    latencies = _latencies(index, queries, thresholds)
    p50, p99 = _percentiles(latencies)
    print(
        f"{label:<22}{index.entry_count:>10}{index.name_count:>10}{build_seconds:>10.1f}{memory / 2**20:>12.0f}"
        f"{len(queries):>9}{p50:>9.2f}{p99:>9.2f}{latencies[-1]:>9.1f}{statistics.fmean(latencies):>9.2f}"
    )
    common = [Query(name) for name in COMMON_PART_NAMES] * 50
    latencies = _latencies(index, common, thresholds)
    p50, p99 = _percentiles(latencies)
    print(
        f"{'  common parts only':<22}{'':>10}{'':>10}{'':>10}{'':>12}"
        f"{len(common):>9}{p50:>9.2f}{p99:>9.2f}{latencies[-1]:>9.1f}{statistics.fmean(latencies):>9.2f}"
    )
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--synthetic", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    corpus = load_corpus()
    cases = build_cases(corpus.entries, per_category=max(args.queries // 9, 1), seed=args.seed)
    queries = [case.query for case in cases][: args.queries]
    random.Random(args.seed).shuffle(queries)
    print(
        f"{'corpus':<22}{'entries':>10}{'names':>10}{'build s':>10}{'index MiB':>12}"
        f"{'queries':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'mean ms':>9}"
    )
    # The SDN list alone first (the foundation's figure), then every list together.
    _measure("OFAC SDN only", [entry for entry in corpus.entries if entry.source == "us_ofac_sdn"], queries)
    _measure("real lists (all)", corpus.entries, queries)
    if args.synthetic:
        synthetic = _synthetic(corpus.entries, args.synthetic, args.seed)
        # Unrestricted queries, so the synthetic names compete with the real ones.
        _measure(f"synthetic {args.synthetic:,} names", synthetic + corpus.entries, queries)


if __name__ == "__main__":
    main()
