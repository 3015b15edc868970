"""The ODS table reader and the zip guard, on small spreadsheets built in the test."""

from __future__ import annotations

import io
import zipfile

import pytest

from service.errors import ListFileError
from service.sources.parsers import SourceFile
from service.sources.parsers.archive import open_zip
from service.sources.parsers.ods import ods_rows
from service.sources.parsers.uk_sanctions_list import SUMMARY_COLUMNS, parse_uk_sanctions_list

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _ods(table_xml: str, *, prolog: str = "") -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {NAMESPACES}>'
        f'<office:body><office:spreadsheet><table:table table:name="Sheet1">{table_xml}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def _cell(text: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def _row(*cells: str, trailing_empty: int = 16380) -> str:
    padding = f'<table:table-cell table:number-columns-repeated="{trailing_empty}"/>'
    return f"<table:table-row>{''.join(cells)}{padding}</table:table-row>"


def test_repeats_are_expanded_only_between_values() -> None:
    table = (
        _row(_cell("a"), '<table:table-cell table:number-columns-repeated="2"/>', _cell("b"))
        + '<table:table-row table:number-rows-repeated="3"><table:table-cell/></table:table-row>'
        + '<table:table-row table:number-rows-repeated="2">'
        + '<table:table-cell table:number-columns-repeated="2" office:value-type="string"><text:p>x</text:p>'
        + "</table:table-cell></table:table-row>"
        + '<table:table-row table:number-rows-repeated="1048570">'
        + '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )

    rows = ods_rows(SourceFile("t.ods", _ods(table)))

    assert rows == [(1, ("a", None, None, "b")), (5, ("x", "x")), (6, ("x", "x"))]


def test_typed_cells_give_their_value_and_text_runs_keep_spaces() -> None:
    table = _row(
        '<table:table-cell office:value-type="date" office:date-value="2025-08-11"><text:p>11/08/25</text:p>'
        "</table:table-cell>",
        '<table:table-cell office:value-type="float" office:value="12703"><text:p>12,703</text:p></table:table-cell>',
        '<table:table-cell office:value-type="string"><text:p>A<text:s text:c="2"/>B</text:p>'
        "<text:p><text:span>C</text:span></text:p></table:table-cell>",
    )

    assert ods_rows(SourceFile("t.ods", _ods(table))) == [(1, ("2025-08-11", "12703", "A  B\nC"))]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (_row(f'<table:table-cell table:number-columns-repeated="5000" {_cell("v")[17:]}'), "past column 1024"),
        (
            '<table:table-row table:number-rows-repeated="1000000">' + _cell("v") + "</table:table-row>",
            "repeated 1000000 times",
        ),
        (_row(_cell("v"), '<table:table-cell table:number-columns-repeated="-1"/>'), "invalid repeat count"),
    ],
)
def test_repeats_that_would_blow_up_are_refused(table: str, message: str) -> None:
    with pytest.raises(ListFileError, match=message):
        ods_rows(SourceFile("t.ods", _ods(table)))


def test_entities_are_refused() -> None:
    content = _ods(_row(_cell("&x;")), prolog='<!DOCTYPE d [<!ENTITY x "boom">]>')

    with pytest.raises(ListFileError, match=r"t\.ods: content\.xml is damaged or unsafe"):
        ods_rows(SourceFile("t.ods", content))


def test_zip_bomb_guard_reads_the_declared_sizes() -> None:
    content = _ods(_row(_cell("v" * 5000)))

    with pytest.raises(ListFileError, match="possible zip bomb"):
        open_zip(SourceFile("t.ods", content), max_uncompressed=4096)


def test_not_a_spreadsheet() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")

    with pytest.raises(ListFileError, match=r"no content\.xml"):
        ods_rows(SourceFile("t.ods", buffer.getvalue()))


def test_summary_header_missing_a_column_is_named() -> None:
    header = [column for column in SUMMARY_COLUMNS if column != "Regime Name"]
    content = _ods(_row(*(_cell(column) for column in header)))

    with pytest.raises(ListFileError, match="'Regime Name'"):
        parse_uk_sanctions_list([SourceFile("summary.ods", content)])
