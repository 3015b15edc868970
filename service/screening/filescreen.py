"""Screen an ERP export (CSV or JSON lines) row by row into an output file, resumably.

Input columns: reference, name, type, country, date_of_birth (others pass through).
Output: the input columns plus decision, best match, score, match count, screening id
and, for a row that could not be screened, the error. Rows are screened in chunks
through the batch workflow, so each is in the audit trail like an API batch.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from service.errors import InvalidInput
from service.screening.schemas import ScreenResponse
from service.screening.workflow import ItemError, ScreeningContext, screen_batch

PARTY_COLUMNS = ("reference", "name", "type", "country", "date_of_birth")
RESULT_COLUMNS = (
    "decision",
    "best_match_source",
    "best_match_entity_id",
    "best_match_name",
    "best_score",
    "match_count",
    "screening_id",
    "error",
)
CHUNK = 500


@dataclass(slots=True)
class FileSummary:
    rows: int = 0
    skipped: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    errors: int = 0


def _is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in (".jsonl", ".ndjson", ".json")


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """The file's rows as dicts; a malformed line stops with its line number."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if _is_jsonl(path):
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    raise InvalidInput(f"{path.name} line {number}: not JSON ({error.msg})") from None
                if not isinstance(row, dict):
                    raise InvalidInput(f"{path.name} line {number}: expected a JSON object")
                yield row
            return
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or "name" not in reader.fieldnames:
            raise InvalidInput(f"{path.name}: the header needs a 'name' column (found: {reader.fieldnames})")
        yield from reader


def count_rows(path: Path) -> int:
    return sum(1 for _ in read_rows(path))


def _party(row: dict[str, Any]) -> dict[str, Any]:
    party = {column: row[column] for column in PARTY_COLUMNS if row.get(column) not in (None, "")}
    party.setdefault("name", "")
    return {key: str(value) if not isinstance(value, str) else value for key, value in party.items()}


def _result(item: ScreenResponse | ItemError) -> dict[str, Any]:
    if isinstance(item, ItemError):
        return dict.fromkeys(RESULT_COLUMNS, "") | {"error": item.detail}
    best = item.matches[0] if item.matches else None
    return {
        "decision": item.decision,
        "best_match_source": best.source if best else "",
        "best_match_entity_id": best.entity_id if best else "",
        "best_match_name": best.name if best else "",
        "best_score": f"{best.score:.4f}" if best else "",
        "match_count": len(item.matches),
        "screening_id": item.screening_id,
        "error": "",
    }


class _Writer:
    def __init__(self, handle: TextIO, jsonl: bool, columns: list[str], write_header: bool) -> None:
        self._handle = handle
        self._jsonl = jsonl
        self._csv = None if jsonl else csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        if self._csv is not None and write_header:
            self._csv.writeheader()

    def write(self, row: dict[str, Any]) -> None:
        if self._csv is not None:
            self._csv.writerow(row)
        else:
            self._handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def rows_done(output: Path) -> int:
    """Data rows already in an output file (for --resume)."""
    if not output.exists():
        return 0
    if _is_jsonl(output):
        with output.open(encoding="utf-8") as handle:
            return sum(1 for line in handle if line.strip())
    with output.open(encoding="utf-8", newline="") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def screen_file(
    context: ScreeningContext,
    source: Path,
    output: Path,
    *,
    resume: bool,
    on_rows: Callable[[int], None] = lambda _n: None,
) -> FileSummary:
    """Screen every row of `source` into `output`; with `resume`, skip the rows `output` already has."""
    already = rows_done(output) if resume else 0
    if output.exists() and not resume:
        raise InvalidInput(f"{output}: exists already; pass --resume to continue it or choose another -o")
    summary = FileSummary(skipped=already)
    rows = read_rows(source)
    first = next(rows, None)
    if first is None:
        return summary
    columns = list(first) + [column for column in RESULT_COLUMNS if column not in first]
    with output.open("a", encoding="utf-8", newline="") as handle:
        writer = _Writer(handle, _is_jsonl(output), columns, write_header=already == 0)
        chunk: list[dict[str, Any]] = []
        for index, row in enumerate(_chain(first, rows)):
            if index < already:
                continue
            chunk.append(row)
            if len(chunk) == CHUNK:
                _flush(context, chunk, writer, summary, handle, on_rows)
        if chunk:
            _flush(context, chunk, writer, summary, handle, on_rows)
    return summary


def _chain(first: dict[str, Any], rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


def _flush(
    context: ScreeningContext,
    chunk: list[dict[str, Any]],
    writer: _Writer,
    summary: FileSummary,
    handle: TextIO,
    on_rows: Callable[[int], None],
) -> None:
    _batch_id, results = screen_batch(context, [_party(row) for row in chunk])
    for row, item in zip(chunk, results, strict=True):
        outcome = _result(item)
        writer.write(row | outcome)
        summary.rows += 1
        if outcome["error"]:
            summary.errors += 1
        else:
            summary.decisions[outcome["decision"]] += 1
    handle.flush()
    on_rows(len(chunk))
    chunk.clear()
