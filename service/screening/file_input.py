"""Reading an ERP export: its encoding, its delimiter and its rows, each with the line it starts on.

What breaks the file as a whole (an open quote that swallows the rows after it, an encoding nobody can
tell) raises `InvalidInput` naming the line; what spoils one row (an extra field, a stray quote, bytes
the encoding cannot decode, a line that is not a JSON object) becomes that row's `error`, so the rest of
the file is still screened. Line numbers are the file's physical lines, the header being line 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from service.errors import InvalidInput

SAMPLE_BYTES = 256 * 1024
DELIMITERS = ",;\t|"
# A quoted field may hold a line break or two (an address); one that runs over more lines than this is a
# quote left open that a later stray quote happens to close, and everything between would be one row.
MAX_RECORD_LINES = 10
# Above csv's own 128 KiB, so that an over-long value is reported with its row instead of stopping the
# reader; the field limits that matter are checked per row.
CSV_FIELD_LIMIT = 4 * 1024 * 1024
# Decoding never stops: a byte the encoding cannot read becomes U+DC00 + byte (like surrogateescape, for
# every codec), and the row holding it is reported.
BAD_BYTES_HANDLER = "screening.mark_bad_bytes"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_NON_ASCII_TEXT = re.compile("[^\x00-\x7f\ufffd]")  # a letter that only decodes as UTF-8
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


def _mark_bad_bytes(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return "".join(chr(0xDC00 + byte) for byte in error.object[error.start : error.end]), error.end


codecs.register_error(BAD_BYTES_HANDLER, _mark_bad_bytes)


@dataclass(frozen=True, slots=True)
class FileFormat:
    kind: Literal["csv", "jsonl"]
    encoding: str
    delimiter: str = ","

    def describe(self) -> str:
        if self.kind == "jsonl":
            return f"JSON lines, encoding {self.encoding}"
        return f"CSV, encoding {self.encoding}, delimiter {self.delimiter!r}"


@dataclass(slots=True)
class InputRow:
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in _JSONL_SUFFIXES


def detect_format(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> FileFormat:
    """The file's kind, encoding and delimiter: the overrides where given, else what its first bytes show."""
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if sample.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise InvalidInput(f"{path.name}: a workbook or archive, not text; export the sheet as CSV")
    chosen = _check_encoding(encoding) if encoding else detect_encoding(sample)
    if is_jsonl(path):
        return FileFormat("jsonl", chosen)
    if delimiter is not None:
        if len(delimiter) != 1 or delimiter in '"\r\n':
            raise InvalidInput(f"--delimiter: {delimiter!r} is not one character such as ';' or ','")
        return FileFormat("csv", chosen, delimiter)
    text = sample.decode(chosen, errors=BAD_BYTES_HANDLER)
    return FileFormat("csv", chosen, detect_delimiter(text, path))


def _check_encoding(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InvalidInput(f"--encoding: unknown encoding '{name}'; use e.g. utf-8, cp1252, latin-1, utf-16") from None


def detect_encoding(sample: bytes) -> str:
    """A BOM if there is one, else UTF-8 if the bytes read as UTF-8, else charset-normalizer's best guess."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    looks_utf16 = sample.count(0) > len(sample) // 4  # UTF-16 without a BOM is valid UTF-8 full of NULs
    if not looks_utf16:
        decoded = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(sample)
        if "\ufffd" not in decoded or _NON_ASCII_TEXT.search(decoded):
            # UTF-8 (with some bad bytes, if any: those rows are reported, rather than reading all as cp1252).
            return "utf-8"
    import charset_normalizer  # only legacy-encoded files need it

    matches = charset_normalizer.from_bytes(sample)
    best = matches.best()
    if best is None:
        raise InvalidInput("cannot tell the file's encoding (is it text?); pass --encoding, e.g. --encoding cp1252")
    # Short Western text fits many single-byte code pages equally well; of those, Windows-1252 is what
    # Western ERP systems write, so it wins a tie.
    tied = {
        encoding
        for match in matches
        if match.chaos <= best.chaos and match.coherence >= best.coherence
        for encoding in match.could_be_from_charset
    }
    return "cp1252" if "cp1252" in tied else str(best.encoding)


def detect_delimiter(text: str, path: Path) -> str:
    lines = text.splitlines()
    header = lines[0] if lines else ""
    if not any(candidate in header for candidate in DELIMITERS):
        return ","  # one column
    sample = "\n".join(lines[:-1] if len(lines) > 1 else lines)  # the last line may be cut
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    counts = {candidate: header.count(candidate) for candidate in DELIMITERS}
    best = max(counts, key=lambda candidate: counts[candidate])
    if sorted(counts.values())[-2] == counts[best]:
        raise InvalidInput(f"{path.name}: cannot tell the delimiter from the header; pass --delimiter, e.g. ';'")
    return best


def read_rows(path: Path, fmt: FileFormat) -> Iterator[InputRow]:
    """The data rows, each with its line; raises `InvalidInput` (naming the line) for a broken file."""
    with path.open(encoding=fmt.encoding, errors=BAD_BYTES_HANDLER, newline="") as handle:
        if fmt.kind == "jsonl":
            yield from _jsonl_rows(handle)
        else:
            yield from _csv_rows(handle, fmt.delimiter, path.name)


def read_header(path: Path, fmt: FileFormat) -> list[str]:
    """The CSV header's column names, or every key of a JSON lines file's objects in the order they appear."""
    if fmt.kind == "jsonl":
        keys: dict[str, None] = {}
        for row in read_rows(path, fmt):
            keys.update(dict.fromkeys(row.values))
        return list(keys)
    with path.open(encoding=fmt.encoding, errors=BAD_BYTES_HANDLER, newline="") as handle:
        return _csv_header(csv.reader(handle, delimiter=fmt.delimiter, strict=True), path.name)


def _csv_header(reader: Any, name: str) -> list[str]:
    for record in _records(reader, name):
        if record.error is not None:
            raise InvalidInput(f"{name} line {record.line}: the header is not valid CSV ({record.error})")
        if any(cell.strip() for cell in record.cells):
            return _unique([cell.strip().lstrip("\ufeff") for cell in record.cells])
    raise InvalidInput(f"{name}: the file is empty; it needs a header row and data rows")


def _unique(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    columns = []
    for position, cell in enumerate(header, start=1):
        label = cell or f"column {position}"
        seen[label] = seen.get(label, 0) + 1
        columns.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return columns


@dataclass(frozen=True, slots=True)
class _Record:
    line: int
    cells: list[str]
    error: str | None = None


def _records(reader: Any, name: str) -> Iterator[_Record]:
    """Each record with the line it starts on; a csv error that spoils one line only comes as its error."""
    previous_end = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            start = previous_end + 1
            if "unexpected end of data" in str(error):
                raise InvalidInput(
                    f"{name} line {start}: a quote opened in this row is never closed; the rest of the file"
                    f" (to line {reader.line_num}) would be read as one value"
                ) from None
            if reader.line_num > start:
                raise InvalidInput(
                    f"{name} line {start}: a quoted value runs to line {reader.line_num} and breaks there"
                    f" ({error}); is a quote left open?"
                ) from None
            previous_end = reader.line_num
            yield _Record(start, [], f"not valid CSV ({error})")
            continue
        start, previous_end = previous_end + 1, reader.line_num
        if previous_end - start + 1 > MAX_RECORD_LINES:
            raise InvalidInput(
                f"{name} line {start}: a quoted value runs over {previous_end - start + 1} lines, to line"
                f" {previous_end}; is a quote left open in line {start}?"
            )
        yield _Record(start, cells)


def _csv_rows(handle: io.TextIOBase, delimiter: str, name: str) -> Iterator[InputRow]:
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    reader = csv.reader(handle, delimiter=delimiter, strict=True)
    header = _csv_header(reader, name)
    for record in _records(reader, name):
        if record.error is not None:
            yield InputRow(line=record.line, error=record.error)
            continue
        if not any(cell.strip() for cell in record.cells):
            continue  # a blank line
        row = InputRow(line=record.line, values=dict(zip(header, record.cells, strict=False)))
        if len(record.cells) > len(header):
            row.error = (
                f"{len(record.cells)} fields where the header has {len(header)}; is a {delimiter!r} inside a"
                " value not quoted?"
            )
        yield row


def _jsonl_rows(handle: io.TextIOBase) -> Iterator[InputRow]:
    for line, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            yield InputRow(line=line, error=f"not JSON ({error.msg} at column {error.colno})")
            continue
        except RecursionError:
            yield InputRow(line=line, error="JSON nested too deeply")
            continue
        if not isinstance(value, dict):
            yield InputRow(line=line, error=f"expected a JSON object, found {json_kind(value)}")
            continue
        yield InputRow(line=line, values=value)


def json_kind(value: Any) -> str:
    kinds = {dict: "an object", list: "an array", bool: "true/false", int: "a number", float: "a number"}
    return "null" if value is None else kinds.get(type(value), "text")
