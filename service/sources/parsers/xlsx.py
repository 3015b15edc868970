"""Reading the rows of an XLSX list file with python-calamine (Rust; 5-10x faster than openpyxl here).

calamine's XML reader does not expand entities or fetch DTDs; a workbook part that declares a
DTD at all is refused before it is read (Excel never writes one: it is a crafted file). Its
cells come back as openpyxl gave them to the parsers before: an empty cell is None, an integral
number an int, a date a datetime.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from python_calamine import CalamineError, CalamineWorkbook, XmlError

from service.errors import ListFileError
from service.sources.parsers.archive import open_zip
from service.sources.parsers.base import SourceFile

CellValue = object
PROLOG_BYTES = 4096
Row = tuple[CellValue, ...]


def _cell(value: object) -> CellValue:
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)  # noqa: DTZ001 - a workbook date has no zone
    return value


def _refuse_doctypes(file: SourceFile) -> None:
    """Size and integrity checks of the zip, and no DTD in any XML part (it comes before the root element)."""
    with open_zip(file) as archive:
        for member in archive.namelist():
            if member.endswith((".xml", ".rels")):
                with archive.open(member) as part:
                    head = part.read(PROLOG_BYTES)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise ListFileError(f"{file.name}: not a readable XLSX workbook ({member} declares a DTD)")


def xlsx_rows(file: SourceFile) -> list[tuple[int, Row]]:
    """(row number, values without trailing empty cells) for each non-empty row of the first sheet."""
    _refuse_doctypes(file)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(file.content))
        values = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except XmlError as error:
        raise ListFileError(f"{file.name}: the worksheet is damaged (XML: {error})") from error
    except (CalamineError, ValueError, IndexError, OSError) as error:
        raise ListFileError(f"{file.name}: not a readable XLSX workbook ({error})") from error
    rows: list[tuple[int, Row]] = []
    for number, row in enumerate(values, start=1):
        cells = [_cell(value) for value in row]
        end = len(cells)
        while end and cells[end - 1] is None:
            end -= 1
        if end:
            rows.append((number, tuple(cells[:end])))
    return rows
