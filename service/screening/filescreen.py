"""Screen an ERP export (CSV or JSON lines) row by row into an output file, resumably.

`inspect_file` reads the whole file first (encoding, delimiter, columns, every row), so a broken file
fails in seconds, before the index is built. `screen_file` then screens the rows in chunks through the
batch pipeline, so each is in the audit trail like an API batch.

Output: the input columns, then per row
- decision, best_match_source, best_match_entity_id, best_match_name, best_score: the best match;
- match_count and matches: every match at or above the threshold (up to 100), a JSON array of objects
  with source, entity_id, name, matched_name, type, score, decision, programs, countries, explanation
  and cleared (in a CSV file the array is one JSON text);
- warnings: values left out of the screening because they could not be read (a country, a date);
- screening_id: the audit record;
- error: why the row was not screened, starting with its line in the input file.
A CSV output uses the input's delimiter and UTF-8.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from service.config import Settings
from service.errors import InvalidInput
from service.screening.file_fields import MAX_OTHER_FIELD, PartyDraft, map_columns, party_from_row
from service.screening.file_input import FileFormat, InputRow, detect_format, is_jsonl, read_header, read_rows
from service.screening.pipeline import ItemError, Screened, ScreeningContext, screen_batch

RESULT_COLUMNS = (
    "decision",
    "best_match_source",
    "best_match_entity_id",
    "best_match_name",
    "best_score",
    "match_count",
    "matches",
    "warnings",
    "screening_id",
    "error",
)
CHUNK = 500
MATCH_LIMIT = 100  # the most a screening returns (PartyIn.limit)


@dataclass(frozen=True, slots=True)
class FilePlan:
    """What `inspect_file` found: how to read the file, which column is what, and how many rows it has."""

    source: Path
    format: FileFormat
    header: list[str]
    columns: dict[str, str]
    rows: int
    row_errors: int
    row_warnings: int

    def describe(self) -> str:
        mapped = ", ".join(f"{name}={column!r}" for name, column in self.columns.items())
        return (
            f"{self.source.name}: {self.rows} rows ({self.row_errors} with errors, {self.row_warnings} with"
            f" warnings); {self.format.describe()}; columns {mapped}"
        )


@dataclass(slots=True)
class FileSummary:
    rows: int = 0
    skipped: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    warnings: int = 0


def inspect_file(
    source: Path,
    *,
    settings: Settings,
    encoding: str | None = None,
    delimiter: str | None = None,
    columns: list[str] | None = None,
) -> FilePlan:
    """Read the whole file once; `InvalidInput` names the line of anything that breaks the file as a whole."""
    fmt = detect_format(source, encoding=encoding, delimiter=delimiter)
    header = read_header(source, fmt)
    mapping = map_columns(header, columns or [])
    plan = FilePlan(source, fmt, header, mapping, rows=0, row_errors=0, row_warnings=0)
    rows = errors = warnings = 0
    for _, draft in drafts(plan, settings):
        rows += 1
        errors += draft.error is not None
        warnings += bool(draft.warnings)
    return dataclasses.replace(plan, rows=rows, row_errors=errors, row_warnings=warnings)


def drafts(plan: FilePlan, settings: Settings) -> Iterator[tuple[InputRow, PartyDraft]]:
    """Each row of the file with the party read from it (or the reason it cannot be screened)."""
    for row in read_rows(plan.source, plan.format):
        if row.error is not None:
            yield row, PartyDraft(None, row.error)
        else:
            yield (
                row,
                party_from_row(row.values, plan.columns, max_name_length=settings.max_name_length, limit=MATCH_LIMIT),
            )


def check_output(output: Path, *, resume: bool) -> None:
    if output.exists() and not resume:
        raise InvalidInput(f"{output}: exists already; pass --resume to continue it or choose another -o")


def rows_done(output: Path, delimiter: str = ",") -> int:
    """Data rows already in an output file (for --resume)."""
    if not output.exists():
        return 0
    if is_jsonl(output):
        with output.open(encoding="utf-8") as handle:
            return sum(1 for line in handle if line.strip())
    with output.open(encoding="utf-8", newline="") as handle:
        return max(sum(1 for _ in csv.reader(handle, delimiter=delimiter)) - 1, 0)


def output_delimiter(plan: FilePlan) -> str:
    return plan.format.delimiter if plan.format.kind == "csv" else ","


def screen_file(
    context: ScreeningContext,
    plan: FilePlan,
    output: Path,
    *,
    resume: bool,
    on_rows: Callable[[int], None] = lambda _n: None,
) -> FileSummary:
    """Screen every row of the planned file into `output`; with `resume`, skip the rows `output` already has."""
    check_output(output, resume=resume)
    already = rows_done(output, output_delimiter(plan)) if resume else 0
    summary = FileSummary(skipped=already)
    if plan.rows == 0:
        return summary
    columns = plan.header + [column for column in RESULT_COLUMNS if column not in plan.header]
    limit = min(CHUNK, context.settings.max_batch)
    with output.open("a", encoding="utf-8", newline="") as handle:
        writer = _Writer(handle, is_jsonl(output), columns, output_delimiter(plan), write_header=already == 0)
        chunk: list[tuple[InputRow, PartyDraft]] = []
        parties = name_parts = 0
        for row, draft in itertools.islice(drafts(plan, context.settings), already, None):
            parts = len(draft.party["name"].split()) if draft.party else 0
            if parties == limit or name_parts + parts > context.settings.max_batch_name_parts:
                _flush(context, chunk, writer, summary)
                on_rows(len(chunk))
                chunk, parties, name_parts = [], 0, 0
            chunk.append((row, draft))
            parties += draft.party is not None
            name_parts += parts
        if chunk:
            _flush(context, chunk, writer, summary)
            on_rows(len(chunk))
    return summary


def _flush(
    context: ScreeningContext,
    chunk: list[tuple[InputRow, PartyDraft]],
    writer: _Writer,
    summary: FileSummary,
) -> None:
    parties = [draft.party for _, draft in chunk if draft.party is not None]
    results = iter(screen_batch(context, parties)[1] if parties else [])
    for row, draft in chunk:
        if draft.party is None:
            outcome = _error(row.line, draft.error or "not screened", draft.warnings)
        else:
            outcome = _result(row.line, next(results), draft.warnings)
        writer.write(row.values | outcome)
        summary.rows += 1
        summary.warnings += bool(draft.warnings)
        if outcome["error"]:
            summary.errors += 1
        else:
            summary.decisions[outcome["decision"]] += 1
    writer.flush()


def _error(line: int, detail: str, warnings: list[str]) -> dict[str, Any]:
    return dict.fromkeys(RESULT_COLUMNS, "") | {"error": f"line {line}: {detail}", "warnings": "; ".join(warnings)}


def _result(line: int, screened: Screened | ItemError, warnings: list[str]) -> dict[str, Any]:
    if isinstance(screened, ItemError):
        # The batch names the party by its place in the chunk; the file's line is what the user can find.
        return _error(line, screened.detail.replace(f"parties[{screened.index}].", ""), warnings)
    item = screened.response
    best = item.matches[0] if item.matches else None
    return {
        "decision": item.decision,
        "best_match_source": best.source if best else "",
        "best_match_entity_id": best.entity_id if best else "",
        "best_match_name": best.name if best else "",
        "best_score": f"{best.score:.4f}" if best else "",
        "match_count": len(item.matches),
        "matches": [match.model_dump(mode="json") for match in item.matches],
        "warnings": "; ".join(warnings),
        "screening_id": item.screening_id,
        "error": "",
    }


_SURROGATE = re.compile("[\ud800-\udfff]")


def _printable(value: Any) -> Any:
    """A value for the output file, safe for UTF-8 and for csv readers' field limits; the row's error says why.

    What the input's encoding could not read is written as U+FFFD, and a value over the field limit is cut.
    """
    if isinstance(value, str):
        if len(value) > MAX_OTHER_FIELD:
            value = f"{value[:100]}... ({len(value)} characters)"
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_printable(key): _printable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_printable(item) for item in value]
    return value


class _Writer:
    def __init__(self, handle: TextIO, jsonl: bool, columns: list[str], delimiter: str, write_header: bool) -> None:
        self._handle = handle
        self._csv = (
            None if jsonl else csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore", delimiter=delimiter)
        )
        if self._csv is not None and write_header:
            self._csv.writeheader()

    def write(self, row: dict[str, Any]) -> None:
        row = {key: _printable(value) for key, value in row.items()}
        if self._csv is None:
            self._handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            return
        self._csv.writerow(
            {
                key: json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
                for key, value in row.items()
            }
        )

    def flush(self) -> None:
        self._handle.flush()
