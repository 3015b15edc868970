"""Match quality on an evaluation set built from the real lists, against peers, in one run.

Usage: python -m bench.quality [--per-category 300] [--peer-sample 150] [--seed 7] [--no-peers] [--no-dev-set]

Then the development set of ../shared/eval-dev (made by a generator this project does not
contain) is run over HTTP against a service of its own, and its table printed below ours
(see bench/devset.py).

Positives are perturbed names of real entries (one category per perturbation); a query
counts as found when the target (or an entry of another list with the same name) is
alerted, and top-1 when it is the first alert. Negatives are realistic non-listed names
(many locales) and near misses that share a common word with a listed name; any alert
on them is a false alert. Peers (Watchman-style JW, nomenklatura logic-v2 and ofac) run
on `--peer-sample` queries per category (nomenklatura compares one pair at a time), on
the candidates of a neutral word blocker plus ours (see bench/peers.py).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from bench.corpus import load_corpus
from bench.devset import run_dev_set
from bench.evalset import Case, build_cases
from bench.peers import Blocker, Nomenklatura, watchman_entry_score
from service.matching import build_index
from service.matching.index import Index
from service.matching.types import IndexedEntry, MatchThresholds, Query

# Chosen from the --sweep table: the lowest threshold with false alerts <= 0.02 on negatives.
RECOMMENDED_REVIEW = 0.84
PEER_THRESHOLDS = {"watchman-jw": 0.85, "nk-logic-v2": 0.70, "nk-ofac": 0.85}


@dataclass(slots=True)
class Tally:
    total: int = 0
    found: int = 0
    top1: int = 0
    alerted: int = 0
    seconds: float = 0.0


def _ours(index: Index, thresholds: MatchThresholds) -> Callable[[Query], list[int]]:
    positions = {(entry.source, entry.entity_id): n for n, entry in enumerate(index.entries)}

    def run(query: Query) -> list[int]:
        matches = index.search(query, thresholds=thresholds, limit=10)
        return [positions[(m.entry.source, m.entry.entity_id)] for m in matches]

    return run


def _peer(
    name: str, entries: list[IndexedEntry], blocker: Blocker, index: Index, threshold: float
) -> Callable[[Query], list[int]]:
    nomenklatura = Nomenklatura(name.removeprefix("nk-")) if name.startswith("nk-") else None
    low = MatchThresholds(review=0.5, block=0.97)
    positions = {(entry.source, entry.entity_id): n for n, entry in enumerate(entries)}

    def run(query: Query) -> list[int]:
        candidates = set(blocker.candidates(query.name))
        candidates.update(
            positions[(m.entry.source, m.entry.entity_id)]
            for m in index.search(Query(query.name, sources=query.sources), thresholds=low, limit=20)
        )
        if query.sources is not None:
            candidates = {n for n in candidates if entries[n].source in query.sources}
        scored = []
        query_entity = nomenklatura.query_entity(query) if nomenklatura else None
        for number in candidates:
            entry = entries[number]
            if nomenklatura is not None:
                score = nomenklatura.score(query_entity, entry)
            else:
                score = watchman_entry_score(query, entry)
            if score >= threshold:
                scored.append((score, number))
        scored.sort(reverse=True)
        return [number for _, number in scored]

    return run


def evaluate(engine: Callable[[Query], list[int]], cases: list[Case]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for case in cases:
        tally = tallies[case.category]
        started = time.perf_counter()
        alerts = engine(case.query)
        tally.seconds += time.perf_counter() - started
        tally.total += 1
        tally.alerted += bool(alerts)
        if case.positive:
            tally.found += any(number in case.targets for number in alerts)
            tally.top1 += bool(alerts) and alerts[0] in case.targets
    return tallies


def sweep(index: Index, cases: list[Case], thresholds: list[float]) -> None:
    """Recall on positives and false alerts on negatives for several review thresholds."""
    positions = {(entry.source, entry.entity_id): n for n, entry in enumerate(index.entries)}
    low = MatchThresholds(review=min(thresholds), block=0.97)
    target_scores: list[float] = []  # best score of a target, per positive
    negative_scores: list[float] = []  # best score of any alert, per negative
    for case in cases:
        matches = index.search(case.query, thresholds=low, limit=10)
        if case.positive:
            found = [m.score for m in matches if positions[(m.entry.source, m.entry.entity_id)] in case.targets]
            target_scores.append(max(found, default=0.0))
        else:
            negative_scores.append(max((m.score for m in matches), default=0.0))
    print(f"\n{'review threshold':<18}{'recall':>8}{'false alerts':>14}")
    for threshold in thresholds:
        recall = sum(score >= threshold for score in target_scores) / max(len(target_scores), 1)
        false_alerts = sum(score >= threshold for score in negative_scores) / max(len(negative_scores), 1)
        print(f"{threshold:<18.2f}{recall:>8.3f}{false_alerts:>14.3f}")


def print_table(results: dict[str, dict[str, Tally]], categories: list[str], positives: set[str]) -> None:
    engines = list(results)
    header = f"{'category':<18}{'n':>6}" + "".join(f"{engine:>30}" for engine in engines)
    print(header)
    print(f"{'':<24}" + "".join(f"{'recall  top1  alert  ms/q':>30}" for _ in engines))
    for category in categories:
        row = f"{category:<18}"
        first = results[engines[0]].get(category)
        row += f"{first.total if first else 0:>6}"
        for engine in engines:
            tally = results[engine].get(category)
            if tally is None or tally.total == 0:
                row += f"{'-':>30}"
                continue
            if category in positives:
                cell = f"{tally.found / tally.total:.3f} {tally.top1 / tally.total:.3f}   {'':5}"
            else:
                cell = f"{'':>5} {'':>5}   {tally.alerted / tally.total:.3f}"
            cell += f" {1000 * tally.seconds / tally.total:6.2f}"
            row += f"{cell:>30}"
        print(row)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-category", type=int, default=300)
    parser.add_argument("--peer-sample", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--review", type=float, default=RECOMMENDED_REVIEW)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--no-dev-set", action="store_true", help="skip the HTTP run of ../shared/eval-dev")
    parser.add_argument("--sweep", action="store_true", help="print recall/false alerts per review threshold")
    args = parser.parse_args()

    corpus = load_corpus()
    started = time.perf_counter()
    index = build_index(corpus.entries)
    print(
        f"index: {index.entry_count} entries, {index.name_count} names, {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )
    cases = build_cases(corpus.entries, per_category=args.per_category, seed=args.seed)
    categories = list(dict.fromkeys(case.category for case in cases))
    positives = {case.category for case in cases if case.positive}
    thresholds = MatchThresholds(review=args.review, block=0.97)
    print(f"evaluation set: {len(cases)} queries, seed {args.seed}", file=sys.stderr)

    results: dict[str, dict[str, Tally]] = {"ours": evaluate(_ours(index, thresholds), cases)}
    if not args.no_peers:
        rng = random.Random(args.seed)
        by_category: dict[str, list[Case]] = defaultdict(list)
        for case in cases:
            by_category[case.category].append(case)
        sample = [
            c for cat in categories for c in rng.sample(by_category[cat], min(args.peer_sample, len(by_category[cat])))
        ]
        results["ours (peer sample)"] = evaluate(_ours(index, thresholds), sample)
        blocker = Blocker(index.entries)
        for name, threshold in PEER_THRESHOLDS.items():
            print(f"running {name} on {len(sample)} queries ...", file=sys.stderr)
            results[name] = evaluate(_peer(name, index.entries, blocker, index, threshold), sample)
    peers = ", ".join(f"{name} {value}" for name, value in PEER_THRESHOLDS.items())
    print(f"\nreview threshold {args.review} (ours); peers: {peers}")
    print_table(results, categories, positives)
    for engine, tallies in results.items():
        pos = [tallies[c] for c in categories if c in positives and c in tallies]
        neg = [tallies[c] for c in categories if c not in positives and c in tallies]
        recall = sum(t.found for t in pos) / max(sum(t.total for t in pos), 1)
        top1 = sum(t.top1 for t in pos) / max(sum(t.total for t in pos), 1)
        false_alerts = sum(t.alerted for t in neg) / max(sum(t.total for t in neg), 1)
        print(
            f"{engine:<20} positives: recall {recall:.3f}, top-1 {top1:.3f}; negatives: false alerts {false_alerts:.3f}"
        )
    if args.sweep:
        sweep(index, cases, [0.70, 0.75, 0.78, 0.80, 0.82, 0.84, 0.86, 0.88, 0.90])
    if not args.no_dev_set:
        print("\ndevelopment set (../shared/eval-dev, over HTTP, default thresholds):")
        sys.stdout.flush()
        run_dev_set([])


if __name__ == "__main__":
    main()
