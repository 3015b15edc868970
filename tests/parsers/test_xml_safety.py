"""Every XML list parser refuses unsafe XML (entity bombs, external entities) and corrupt files."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.errors import ListFileError
from service.sources.parsers import PARSERS, SourceFile
from tests.parsers.conftest import read

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

XML_FORMATS = ["eu_fsf_xml", "un_xml", "ca_sema_xml"]
REAL_FILES = {
    "eu_fsf_xml": "eu_fsf/xmlFullSanctionsList_1_1_EXCERPT_B_2020-04-15.xml",
    "un_xml": "un_consolidated/consolidated.xml",
    "ca_sema_xml": "canada_sema/sema-lmes.xml",
}
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol9;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE data-set [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<data-set><record><EntityOrShip>&xxe;</EntityOrShip></record></data-set>
"""


@pytest.mark.parametrize("format_id", XML_FORMATS)
@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion_laughs", "external_entity"])
def test_unsafe_xml_is_refused(format_id: str, payload: bytes) -> None:
    with pytest.raises(ListFileError, match=r"evil\.xml: unsafe XML refused"):
        PARSERS[format_id]([SourceFile("evil.xml", payload)])


@pytest.mark.parametrize("format_id", XML_FORMATS)
def test_truncated_real_file_is_refused(format_id: str, lists_data_dir: Path) -> None:
    file = read(lists_data_dir / REAL_FILES[format_id])
    half = SourceFile(file.name, file.content[: len(file.content) // 2])
    with pytest.raises(ListFileError, match=rf"{file.name}: not well-formed XML"):
        PARSERS[format_id]([half])


@pytest.mark.parametrize("format_id", XML_FORMATS)
@pytest.mark.parametrize("content", [b"", b"not xml at all", b"<a><b></a>"], ids=["empty", "text", "mismatched"])
def test_corrupt_file_is_refused(format_id: str, content: bytes) -> None:
    with pytest.raises(ListFileError, match=r"bad\.xml"):
        PARSERS[format_id]([SourceFile("bad.xml", content)])


@pytest.mark.parametrize(
    ("format_id", "document"),
    [
        ("eu_fsf_xml", b"<CONSOLIDATED_LIST/>"),
        ("un_xml", b"<data-set/>"),
        ("ca_sema_xml", b"<export/>"),
    ],
)
def test_another_lists_file_is_refused(format_id: str, document: bytes) -> None:
    with pytest.raises(ListFileError, match=r"wrong\.xml: root element"):
        PARSERS[format_id]([SourceFile("wrong.xml", document)])
