"""Which official format a file is, read from its content (root element, header row, workbook strings).

Publishers rename files and operators download them under other names, so a name says little; the
first bytes say enough. Only the start of a file is read: detection must stay cheap next to parsing.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Sequence

from service.errors import ListFileError
from service.sources.parsers.archive import is_zip, open_zip
from service.sources.parsers.base import SourceFile

PEEK_BYTES = 16_384
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_XML_ROOTS = {
    "sdnList": "ofac_xml",
    "sanctionsData": "ofac_enhanced_xml",
    "CONSOLIDATED_LIST": "un_xml",
    "export": "eu_fsf_xml",
    "data-set": "ca_sema_xml",
    "Designations": "uk_sanctions_list",
}
# Workbook strings that only one publisher's header holds.
_WORKBOOK_MARKS = (
    (b"Name of Individual or Entity", "au_dfat_xlsx"),
    (b"Last Updated", "uk_conlist"),
    (b"OFSI Group ID", "uk_sanctions_list"),
)
_TEXT_HEADERS = (
    (re.compile(r"^_id,source,entity_number,"), "us_csl_csv"),
    (re.compile(r'^"?Name"?\t"?Street_Address"?\t'), "bis_dpl_txt"),
    (re.compile(r"^Last Updated,"), "uk_conlist"),
    # OFAC's CSVs have no header: every line starts with the entity number, then a quoted name or a number.
    (re.compile(r'^\d+,(?:"|\d+,)'), "ofac_csv"),
)
_PROLOG = re.compile(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>", re.S)
_FIRST_ELEMENT = re.compile(r"<(?:[\w.-]+:)?([A-Za-z_][\w.-]*)")


def detect_format(files: Sequence[SourceFile]) -> str | None:
    """The one format all the files are in, or None when a file is in no known format or they differ."""
    found = {detect_file_format(file) for file in files}
    if len(found) != 1:
        return None
    return found.pop()


def detect_file_format(file: SourceFile) -> str | None:
    if is_zip(file):
        return _zip_format(file)
    head = file.content[:PEEK_BYTES].removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<"):
        return _xml_format(head)
    if head[:1] in (b"{", b"["):
        return _json_format(head)
    text = head.decode("utf-8", errors="replace")
    first_line = text.splitlines()[0] if text else ""
    return next((format_id for pattern, format_id in _TEXT_HEADERS if pattern.match(first_line)), None)


def _xml_format(head: bytes) -> str | None:
    text = _PROLOG.sub("", head.decode("utf-8", errors="replace"))
    match = _FIRST_ELEMENT.search(text)
    return _XML_ROOTS.get(match.group(1)) if match else None


def _json_format(head: bytes) -> str | None:
    first_line = head.split(b"\n", 1)[0]
    try:
        record = json.loads(first_line)
    except ValueError:
        # One JSON document over many lines: the CSL export ({"results": [...]}) is the only one.
        return "us_csl_json" if b'"results"' in head else None
    if not isinstance(record, dict):
        return None
    if "op" in record and "entity" in record:
        return "ftm_delta_json"
    if "schema" in record and "id" in record:
        return "ftm_json"
    return "us_csl_json" if "results" in record else None


def _zip_format(file: SourceFile) -> str | None:
    try:
        archive = open_zip(file)
    except ListFileError:
        return None
    with archive:
        names = archive.namelist()
        try:
            if "mimetype" in names and archive.read("mimetype").strip() == _ODS_MIMETYPE:
                return "uk_sanctions_list"
            if "xl/workbook.xml" in names:
                return _workbook_format(archive, names)
            members = [name for name in names if not name.endswith("/")]
            if len(members) == 1 and members[0].lower().endswith(".xml"):
                with archive.open(members[0]) as member:
                    return _xml_format(member.read(PEEK_BYTES).removeprefix(b"\xef\xbb\xbf").lstrip())
        except (KeyError, zipfile.BadZipFile, OSError):
            return None
    return None


def _workbook_format(archive: zipfile.ZipFile, names: list[str]) -> str | None:
    # Header cells are usually shared strings; a workbook written with inline strings has them in the sheet.
    for part in ("xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"):
        if part in names:
            with archive.open(part) as member:
                head = member.read(PEEK_BYTES)
            for mark, format_id in _WORKBOOK_MARKS:
                if mark in head:
                    return format_id
    return None
