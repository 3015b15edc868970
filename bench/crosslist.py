"""Recall on real variation: one party's names as list A writes them, screened against list B alone.

python -m bench.crosslist [--min-queries 20]

Many parties are listed by several publishers, each with its own spelling, script and name
order; nobody here made that variation up. Entries are linked across lists by strong identifiers
only: UN reference numbers (the UN list's own, and the one the UK list states for an entry),
passport and national-ID numbers, IMO numbers, and the OFSI group id the FCDO list carries. Every
name of an entry of list A (primary, aliases, native script) is then screened with `sources`
restricted to list B, at the default thresholds; it is found when an entry of B linked to it
alerts. The CSL copies OFAC's SDN rows, so that pair (the same spelling twice) is left out.
Recall is printed per pair of lists and per script of the query.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench.harness import FULL_LISTS, LISTS_DATA
from service.matching import build_index
from service.matching.attributes import normalise_identifier
from service.matching.types import IndexedEntry, MatchThresholds, Query
from service.screening.index_state import to_indexed_entry
from service.sources.model import ParsedEntry
from service.sources.parsers import PARSERS, SourceFile
from service.unicode_scripts import dominant_block_script

# The UK list states an entry's own UN reference as "(UN Ref):QDi.290". Remarks elsewhere cite the
# references of *other* entries ("Leader of Al-Qaida (QDe.004)"), which must not link.
_OWN_UN_REFERENCE = re.compile(r"\(UN Ref\):\s*([A-Z]{2}[ie]\.\d{1,3})")
_IMO = re.compile(r"\b\d{7}\b")
_DOCUMENT_TYPES = ("passport", "national id", "national identification", "identity card", "cedula", "nif")
_SAME_DATA = frozenset({("us_ofac_sdn", "us_trade_csl"), ("us_trade_csl", "us_ofac_sdn")})
# The DPL is part of the CSL; the rest are the full lists of FULL_LISTS.
SOURCES = tuple(item for item in FULL_LISTS if item[0] != "us_bis_dpl")


@dataclass(slots=True)
class Tally:
    queries: int = 0
    found: int = 0

    def add(self, found: bool) -> None:
        self.queries += 1
        self.found += found

    @property
    def recall(self) -> float:
        return self.found / self.queries if self.queries else float("nan")


def strong_keys(source: str, entry: ParsedEntry) -> set[str]:
    """Identifiers that name one party whichever publisher lists it."""
    keys: set[str] = set()
    if source == "un_sc_sanctions":
        keys.add("un:" + entry.entity_id)
    if source == "gb_hmt_sanctions":
        keys.add("ofsi:" + entry.entity_id)
        keys.update("un:" + reference for reference in _OWN_UN_REFERENCE.findall(entry.remarks or ""))
    for identifier in entry.identifiers:
        kind = identifier.type.lower()
        if source == "gb_fcdo_sanctions" and kind == "ofsi group id":
            keys.add("ofsi:" + identifier.value.strip())
        elif "imo" in kind or "vessel registration" in kind:
            keys.update("imo:" + number for number in _IMO.findall(identifier.value))
        elif any(word in kind for word in _DOCUMENT_TYPES):
            value = normalise_identifier(identifier.value)
            if len(value) >= 6 and not value.isalpha():
                keys.add(f"doc:{identifier.country or ''}:{value}")
    return keys


def load() -> tuple[list[IndexedEntry], list[set[str]]]:
    entries: list[IndexedEntry] = []
    keys: list[set[str]] = []
    for source, format_id, names in SOURCES:
        files = [SourceFile(Path(name).name, (LISTS_DATA / name).read_bytes()) for name in names]
        for parsed in PARSERS[format_id](files).entries:
            entries.append(to_indexed_entry(source, parsed.content_hash(), parsed))
            keys.append(strong_keys(source, parsed))
    return entries, keys


def link(keys: list[set[str]]) -> list[int]:
    """Union-find over shared keys: a cluster number per entry."""
    parent = list(range(len(keys)))

    def root(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    first_with: dict[str, int] = {}
    for number, entry_keys in enumerate(keys):
        for key in entry_keys:
            other = first_with.setdefault(key, number)
            parent[root(number)] = root(other)
    return [root(number) for number in range(len(keys))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--min-queries", type=int, default=20, help="list pairs with fewer queries are pooled")
    args = parser.parse_args()
    started = time.perf_counter()
    entries, keys = load()
    clusters = link(keys)
    members: defaultdict[int, list[int]] = defaultdict(list)
    for number, cluster in enumerate(clusters):
        members[cluster].append(number)
    index = build_index(entries)
    print(f"{len(entries)} entries loaded and indexed in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    thresholds = MatchThresholds()
    by_pair: defaultdict[tuple[str, str], Tally] = defaultdict(Tally)
    by_script: defaultdict[str, Tally] = defaultdict(Tally)
    total = Tally()
    started = time.perf_counter()
    for group in members.values():
        sources = {entries[number].source for number in group}
        if len(sources) < 2:
            continue
        for number in group:
            entry = entries[number]
            names = dict.fromkeys([entry.name, *(alias.name for alias in entry.aliases if alias.strength == "strong")])
            for target_source in sorted(sources - {entry.source}):
                if (entry.source, target_source) in _SAME_DATA:
                    continue
                wanted = {entries[other].entity_id for other in group if entries[other].source == target_source}
                for name in names:
                    query = Query(name, sources=frozenset({target_source}))
                    matches = index.search(query, thresholds=thresholds, limit=10)
                    found = any(match.entry.entity_id in wanted for match in matches)
                    by_pair[(entry.source, target_source)].add(found)
                    by_script[dominant_block_script(name) or "Latn"].add(found)
                    total.add(found)
    seconds = time.perf_counter() - started
    print(f"\nlinked parties screened across lists: {total.queries} queries in {seconds:.0f}s, default thresholds")
    print(f"\n| {'list A (query names)':<22} | {'list B (screened)':<22} | {'queries':>7} | {'recall':>6} |")
    print(f"|{'-' * 24}|{'-' * 24}|{'-' * 9}|{'-' * 8}|")
    pooled = Tally()
    for (source, target), tally in sorted(by_pair.items()):
        if tally.queries < args.min_queries:
            pooled.queries += tally.queries
            pooled.found += tally.found
            continue
        print(f"| {source:<22} | {target:<22} | {tally.queries:>7} | {tally.recall:>6.3f} |")
    if pooled.queries:
        label = f"(pairs under {args.min_queries})"
        print(f"| {label:<22} | {'':<22} | {pooled.queries:>7} | {pooled.recall:>6.3f} |")
    print(f"| {'all':<22} | {'':<22} | {total.queries:>7} | {total.recall:>6.3f} |")
    print(f"\n| {'script of the query':<20} | {'queries':>7} | {'recall':>6} |")
    print(f"|{'-' * 22}|{'-' * 9}|{'-' * 8}|")
    for script, tally in sorted(by_script.items(), key=lambda item: -item[1].queries):
        print(f"| {script:<20} | {tally.queries:>7} | {tally.recall:>6.3f} |")


if __name__ == "__main__":
    main()
