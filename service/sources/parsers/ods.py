"""A small reader for the rows of an OpenDocument spreadsheet (.ods) table.

An .ods file is a zip whose `content.xml` holds every table. Spreadsheet programs compress empty
space with repeat counts: `table:number-columns-repeated="16376"` on the empty cells that pad
each row to the sheet's width and `table:number-rows-repeated="1043268"` on the empty rows to
its foot. Those repeats are never materialised here: runs of empty cells are only expanded when
a value follows them in the same row, and empty rows are skipped (their count still advances
the row numbers). The XML is streamed through defusedxml (no DTDs, no entities).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from service.errors import ListFileError
from service.sources.parsers.archive import open_zip
from service.sources.parsers.base import SourceFile

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
MAX_COLUMNS = 1024
"""A row with a value past this column is refused: no list has that many fields."""
MAX_ROW_REPEAT = 10_000
"""A non-empty row repeated more often than this is refused rather than copied."""

MAX_SPACES = 100
"""A `<text:s text:c="n"/>` run of spaces is capped: a huge count must not allocate memory."""

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_T_TABLE = f"{{{_TABLE}}}table"
_T_ROW = f"{{{_TABLE}}}table-row"
_T_CELL = f"{{{_TABLE}}}table-cell"
_T_COVERED = f"{{{_TABLE}}}covered-table-cell"
_T_NAME = f"{{{_TABLE}}}name"
_COLS_REPEATED = f"{{{_TABLE}}}number-columns-repeated"
_ROWS_REPEATED = f"{{{_TABLE}}}number-rows-repeated"
_VALUE_TYPE = f"{{{_OFFICE}}}value-type"
_P = f"{{{_TEXT}}}p"
_S = f"{{{_TEXT}}}s"
_C = f"{{{_TEXT}}}c"
_TAB = f"{{{_TEXT}}}tab"
_LINE_BREAK = f"{{{_TEXT}}}line-break"
# The attribute that holds a typed cell's value; strings keep theirs in <text:p>.
_VALUE_ATTRIBUTES = {
    "float": f"{{{_OFFICE}}}value",
    "percentage": f"{{{_OFFICE}}}value",
    "currency": f"{{{_OFFICE}}}value",
    "date": f"{{{_OFFICE}}}date-value",
    "time": f"{{{_OFFICE}}}time-value",
    "boolean": f"{{{_OFFICE}}}boolean-value",
}

OdsRow = tuple[str | None, ...]


def ods_rows(file: SourceFile, *, table: str | None = None) -> list[tuple[int, OdsRow]]:
    """(row number, cell texts without trailing empty cells) for each non-empty row of one table.

    `table` names the table to read; the first one by default. Typed cells give their ISO or
    decimal value (`office:date-value`, `office:value`), string cells their text.
    """
    archive = open_zip(file)
    try:
        names = set(archive.namelist())
        if "content.xml" not in names:
            raise ListFileError(f"{file.name}: not an OpenDocument spreadsheet (no content.xml)")
        if "mimetype" in names and archive.read("mimetype").strip() != ODS_MIMETYPE:
            raise ListFileError(f"{file.name}: not an OpenDocument spreadsheet (wrong mimetype)")
        with archive.open("content.xml") as stream:
            rows = _read_table(file.name, iterparse(stream, events=("start", "end"), forbid_dtd=True), table)
    except (zipfile.BadZipFile, zlib.error, EOFError, ParseError, DefusedXmlException) as error:
        raise ListFileError(f"{file.name}: content.xml is damaged or unsafe ({error})") from error
    finally:
        archive.close()
    if rows is None:
        wanted = f"table {table!r}" if table else "a table"
        raise ListFileError(f"{file.name}: the spreadsheet has no {wanted}")
    return rows


def _read_table(
    file_name: str, events: Iterator[tuple[str, Element]], wanted: str | None
) -> list[tuple[int, OdsRow]] | None:
    rows: list[tuple[int, OdsRow]] = []
    found = False
    depth = 0  # tables can nest inside cells; only rows of the chosen top-level table count
    reading = False
    done = False
    row_number = 0
    cells: list[str | None] = []
    pending_empty = 0
    for event, element in events:
        tag = element.tag
        if tag == _T_TABLE:
            if event == "start":
                depth += 1
                if depth == 1 and not done and (wanted is None or element.get(_T_NAME) == wanted):
                    reading = found = True
            else:
                depth -= 1
                if depth == 0 and reading:
                    reading, done = False, True
            continue
        if not reading or depth != 1 or event != "end":
            continue
        if tag in (_T_CELL, _T_COVERED):
            repeat = _repeat(file_name, element.get(_COLS_REPEATED))
            value = _cell_value(element)
            if value is None:
                pending_empty += repeat
            else:
                if len(cells) + pending_empty + repeat > MAX_COLUMNS:
                    raise ListFileError(f"{file_name}: row {row_number + 1} has values past column {MAX_COLUMNS}")
                cells.extend([None] * pending_empty)
                cells.extend([value] * repeat)
                pending_empty = 0
        elif tag == _T_ROW:
            repeat = _repeat(file_name, element.get(_ROWS_REPEATED))
            if cells:
                if repeat > MAX_ROW_REPEAT:
                    raise ListFileError(f"{file_name}: row {row_number + 1} is repeated {repeat} times")
                row = tuple(cells)
                rows.extend((row_number + offset + 1, row) for offset in range(repeat))
            row_number += repeat
            cells, pending_empty = [], 0
            element.clear()  # keeps memory flat on long tables
    return rows if found else None


def _repeat(file_name: str, raw: str | None) -> int:
    if raw is None:
        return 1
    if not raw.isdigit() or int(raw) < 1:
        raise ListFileError(f"{file_name}: invalid repeat count {raw!r} in content.xml")
    return int(raw)


def _cell_value(cell: Element) -> str | None:
    attribute = _VALUE_ATTRIBUTES.get(cell.get(_VALUE_TYPE, ""))
    if attribute and cell.get(attribute) is not None:
        return cell.get(attribute)
    paragraphs = [_text(p) for p in cell if p.tag == _P]
    text = "\n".join(paragraphs).strip()
    return text or None


def _text(element: Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag == _S:
            count = child.get(_C, "1")
            parts.append(" " * min(int(count) if count.isdigit() else 1, MAX_SPACES))
        elif child.tag == _TAB:
            parts.append("\t")
        elif child.tag == _LINE_BREAK:
            parts.append("\n")
        else:  # spans, links, fields: their text counts
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
