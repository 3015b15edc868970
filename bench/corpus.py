"""Load every real list in ../shared/lists-data with whatever parsers are registered.

Files are read in place (never copied). A format whose parser is not registered yet,
or whose parser rejects the file, is skipped with a note: the benchmarks run on what
the project can actually ingest today.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from bench.harness import LISTS_DATA
from service.matching.types import IndexedEntry
from service.screening.index_state import to_indexed_entry
from service.sources.parsers import PARSERS, SourceFile

# (source id, format, files relative to LISTS_DATA).
FILE_SETS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "us_ofac_sdn",
        "ofac_csv",
        ("ofac_sdn/sdn.csv", "ofac_sdn/add.csv", "ofac_sdn/alt.csv", "ofac_sdn/sdn_comments.csv"),
    ),
    (
        "us_ofac_cons",
        "ofac_csv",
        (
            "ofac_consolidated_non_sdn/cons_prim.csv",
            "ofac_consolidated_non_sdn/cons_add.csv",
            "ofac_consolidated_non_sdn/cons_alt.csv",
            "ofac_consolidated_non_sdn/cons_comments.csv",
        ),
    ),
    ("us_trade_csl", "us_csl_csv", ("us_csl/consolidated.csv",)),
    ("eu_fsf", "eu_fsf_xml", ("eu_fsf/xmlFullSanctionsList_1_1_EXCERPT_A_2020-04-15.xml",)),
    ("eu_fsf", "eu_fsf_xml", ("eu_fsf/xmlFullSanctionsList_1_1_EXCERPT_B_2020-04-15.xml",)),
    ("un_sc_sanctions", "un_xml", ("un_consolidated/consolidated.xml",)),
    ("gb_hmt_sanctions", "uk_conlist", ("uk_ofsi_conlist/ConList_2025-04-10.xlsx",)),
    ("gb_fcdo_sanctions", "uk_sanctions_list", ("uk_sanctions_list_fcdo/FCDO_SL_2025-08-11_summary.ods",)),
    ("ca_dfatd_sema", "ca_sema_xml", ("canada_sema/sema-lmes.xml",)),
    ("au_dfat_sanctions", "au_dfat_xlsx", ("australia_dfat/regulation8_consolidated.xlsx",)),
    ("opensanctions", "ftm_json", ("opensanctions_ftm/entities.ftm.SAMPLE_multi-dataset_2026.json",)),
)


@dataclass(slots=True)
class Corpus:
    entries: list[IndexedEntry]
    used: list[str]
    skipped: list[str]

    @property
    def name_count(self) -> int:
        return sum(1 + len(entry.aliases) for entry in self.entries)


def load_corpus(*, verbose: bool = True) -> Corpus:
    entries: list[IndexedEntry] = []
    used: list[str] = []
    skipped: list[str] = []
    for source, fmt, names in FILE_SETS:
        parser = PARSERS.get(fmt)
        if parser is None:
            skipped.append(f"{source} ({fmt}: no parser registered)")
            continue
        started = time.perf_counter()
        files = [SourceFile(name=name, content=(LISTS_DATA / name).read_bytes()) for name in names]
        try:
            parsed = parser(files)
        except Exception as error:  # noqa: BLE001 - a benchmark reports and skips a parser that fails
            skipped.append(f"{source} ({fmt}: {type(error).__name__}: {error})")
            continue
        entries.extend(to_indexed_entry(source, entry.content_hash(), entry) for entry in parsed.entries)
        used.append(f"{source} ({fmt}): {len(parsed.entries)} entries in {time.perf_counter() - started:.1f}s")
    corpus = Corpus(entries, used, skipped)
    if verbose:
        print("Lists used:", file=sys.stderr)
        for line in used:
            print("  " + line, file=sys.stderr)
        for line in skipped:
            print("  skipped " + line, file=sys.stderr)
        print(f"  total: {len(entries)} entries, {corpus.name_count} names", file=sys.stderr)
    return corpus
