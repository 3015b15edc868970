"""The format of an official file is read from its content, whatever the file is called."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from service.config import Settings
from service.errors import InvalidInput
from service.sources.catalogue import load_catalogue
from service.sources.ingest import IngestOptions, ingest_files
from service.sources.parsers import SourceFile
from service.sources.parsers.detect import detect_file_format, detect_format
from service.sources.tables import ListVersion
from tests.factories import METRICS

OFFICIAL_FILES = [
    ("australia_dfat/regulation8_consolidated.xlsx", "au_dfat_xlsx"),
    ("bis_dpl/dpl.txt", "bis_dpl_txt"),
    ("canada_sema/sema-lmes.xml", "ca_sema_xml"),
    ("eu_fsf/xmlFullSanctionsList_1_1_EXCERPT_A_2020-04-15.xml", "eu_fsf_xml"),
    ("ofac_consolidated_non_sdn/CONS_ENHANCED.XML", "ofac_enhanced_xml"),
    ("ofac_consolidated_non_sdn/CONS_ENHANCED.ZIP", "ofac_enhanced_xml"),
    ("ofac_consolidated_non_sdn/consolidated.xml", "ofac_xml"),
    ("ofac_consolidated_non_sdn/cons_prim.csv", "ofac_csv"),
    ("ofac_sdn/alt.csv", "ofac_csv"),
    ("ofac_sdn/xml_formats/sdn_xml_legacy_namespace_EXCERPT_2020-04-22.xml", "ofac_xml"),
    ("opensanctions_ftm/entities.delta.SAMPLE_2024-05.json", "ftm_delta_json"),
    ("opensanctions_ftm/entities.ftm.SAMPLE_multi-dataset_2026.json", "ftm_json"),
    ("uk_ofsi_conlist/ConList_2020-04-27.csv", "uk_conlist"),
    ("uk_ofsi_conlist/ConList_2025-04-10.xlsx", "uk_conlist"),
    ("uk_sanctions_list_fcdo/FCDO_SL_2025-08-11_summary.ods", "uk_sanctions_list"),
    ("un_consolidated/consolidated.xml", "un_xml"),
    ("us_csl/consolidated_EXCERPT_2025.csv", "us_csl_csv"),
]


@pytest.mark.parametrize(("path", "format_id"), OFFICIAL_FILES, ids=[path for path, _ in OFFICIAL_FILES])
def test_each_official_file_is_recognised_under_any_name(lists_data_dir: Path, path: str, format_id: str) -> None:
    content = (lists_data_dir / path).read_bytes()
    assert detect_file_format(SourceFile(path.rsplit("/", 1)[-1], content)) == format_id
    assert detect_file_format(SourceFile("download.bin", content)) == format_id


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"<html><body>503 Service Unavailable</body></html>",
        b"name,country\nACME,DE\n",
        b'{"unexpected": true}',
        b"\x00\x01\x02",
        _zip({"readme.txt": b"hello"}),
        b"PK\x03\x04 truncated",
    ],
    ids=["empty", "html-error-page", "other-csv", "other-json", "binary", "other-zip", "broken-zip"],
)
def test_content_of_no_known_format_is_not_guessed(content: bytes) -> None:
    assert detect_file_format(SourceFile("list.xml", content)) is None


def test_a_set_mixing_formats_has_none(lists_data_dir: Path) -> None:
    csv = SourceFile("sdn.csv", (lists_data_dir / "ofac_sdn" / "sdn.csv").read_bytes())
    xml = SourceFile("un.xml", (lists_data_dir / "un_consolidated" / "consolidated.xml").read_bytes())
    assert detect_format([csv, csv]) == "ofac_csv"
    assert detect_format([csv, xml]) is None


def test_a_file_in_another_format_of_the_source_is_read_as_that_format(
    engine: Engine, settings: Settings, lists_data_dir: Path
) -> None:
    source = load_catalogue(settings.lists_dir).get("us_ofac_cons")  # catalogue format: ofac_csv
    files = [
        SourceFile("consolidated.xml", (lists_data_dir / "ofac_consolidated_non_sdn" / "consolidated.xml").read_bytes())
    ]
    outcome = ingest_files(
        engine=engine, source=source, files=files, origin="t", options=IngestOptions(), metrics=METRICS
    )
    assert outcome.status == "activated" and outcome.record_count == 442


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (IngestOptions(format="bogus"), "unknown format 'bogus'; known formats: au_dfat_xlsx"),
        (IngestOptions(), "is in format 'un_xml', which us_ofac_sdn is not published in"),
    ],
    ids=["unknown-format", "another-lists-file"],
)
def test_a_wrong_format_is_refused_before_anything_is_recorded(
    engine: Engine, settings: Settings, lists_data_dir: Path, options: IngestOptions, message: str
) -> None:
    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    files = [SourceFile("sdn.xml", (lists_data_dir / "un_consolidated" / "consolidated.xml").read_bytes())]
    with pytest.raises(InvalidInput, match=message):
        ingest_files(engine=engine, source=source, files=files, origin="t", options=options, metrics=METRICS)
    with Session(engine) as session:
        assert session.execute(select(col(ListVersion.id))).first() is None
