"""Reading the rows of an XLSX list file with openpyxl.

openpyxl parses the workbook's XML through defusedxml when it is installed (it is a dependency
of this service), so entity and DTD tricks are refused. Read-only mode streams the sheet; the
rows are still materialised here because every parser groups them by record anyway.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from service.errors import ListFileError
from service.sources.parsers.archive import open_zip
from service.sources.parsers.base import SourceFile

CellValue = object
Row = tuple[CellValue, ...]

# What openpyxl and the libraries under it raise on a damaged workbook: a broken zip member,
# malformed XML (ParseError is a SyntaxError), a missing part, a value of the wrong shape.
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    InvalidFileException,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    EOFError,
    OSError,
    SyntaxError,
)


def xlsx_rows(file: SourceFile) -> list[tuple[int, Row]]:
    """(row number, values without trailing empty cells) for each non-empty row of the first sheet."""
    open_zip(file).close()  # size and integrity checks before openpyxl unpacks anything
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(file.content), read_only=True, data_only=True)
    except _DAMAGED as error:
        raise ListFileError(f"{file.name}: not a readable XLSX workbook ({error})") from error
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, Row]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            end = len(values)
            while end and (values[end - 1] is None or values[end - 1] == ""):
                end -= 1
            if end:
                rows.append((number, tuple(values[:end])))
    except _DAMAGED as error:
        raise ListFileError(f"{file.name}: the worksheet is damaged ({error})") from error
    finally:
        workbook.close()
    return rows
