"""US Consolidated Screening List: CSV (2022 and current exports) and JSON (hand-made fixture)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from service.errors import ListFileError
from service.sources.model import Address, Alias, BirthDate, Identifier, ParsedEntry, ParsedList
from service.sources.parsers import PARSERS, SourceFile
from service.sources.parsers.us_csl import parse_us_csl_csv, parse_us_csl_json, source_code
from tests.parsers.conftest import read

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

FULL = "us_csl/consolidated.csv"
EXCERPT = "us_csl/consolidated_EXCERPT_2025.csv"
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "csl_sample.json"


@pytest.fixture(scope="module")
def full(lists_data_dir: Path) -> ParsedList:
    return parse_us_csl_csv([read(lists_data_dir / FULL)])


@pytest.fixture(scope="module")
def by_id(full: ParsedList) -> dict[str, ParsedEntry]:
    return {entry.entity_id: entry for entry in full.entries}


def test_registered_formats() -> None:
    assert PARSERS["us_csl_csv"] is parse_us_csl_csv
    assert PARSERS["us_csl_json"] is parse_us_csl_json


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("Entity List (EL) - Bureau of Industry and Security", "EL"),
        ("Military End User (MEU) List - Bureau of Industry and Security", "MEU"),
        ("Unverified List (UVL) - Bureau of Industry and Security", "UVL"),
        ("Denied Persons List (DPL) - Bureau of Industry and Security", "DPL"),
        ("ITAR Debarred (DTC) - State Department", "DTC"),
        ("Nonproliferation Sanctions (ISN) - State Department", "ISN"),
        ("Specially Designated Nationals (SDN) - Treasury Department", "SDN"),
        ("Sectoral Sanctions Identifications List (SSI) - Treasury Department", "SSI"),
        ("Foreign Sanctions Evaders (FSE) - Treasury Department", "FSE"),
        ("Palestinian Legislative Council List (PLC) - Treasury Department", "PLC"),
        ("Capta List (CAP) - Treasury Department", "CAP"),
        ("Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department", "CMIC"),
        ("Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department", "MBS"),
        ("Some Future List (SFL) - Somewhere", "SFL"),
        ("Unbracketed list name", "Unbracketed list name"),
    ],
)
def test_source_codes(source: str, code: str) -> None:
    assert source_code(source) == code


def test_full_csv_counts(full: ParsedList) -> None:
    # 14,160 rows; 112 are a second or third row of an OFAC party on several Treasury lists.
    assert full.stats == {"rows": 14160, "merged_rows": 112}
    assert len(full.entries) == 14048
    first_program = Counter(entry.programs[0] for entry in full.entries)
    assert first_program["EL"] == 2001
    assert first_program["MEU"] == 71
    assert first_program["DPL"] == 462
    assert sum(first_program.values()) == 14048
    assert full.warnings == []


def test_entity_list_entry_with_xinjiang_address(by_id: dict[str, ParsedEntry]) -> None:
    dahua = by_id["f85aef98e839dc15d4956f5a6da09d01489ecde5"]
    assert dahua.name == "Dahua Technology"
    assert dahua.type == "unknown"
    assert dahua.programs == ["EL"]
    assert dahua.countries == ["CN"]
    assert dahua.addresses[0] == Address(
        text="807, Block A, Meike Building No. 506, Beijing South Road, New City, Xinjiang, Urumqi, CN", country="CN"
    )
    assert len(dahua.addresses) == 4
    assert dahua.listed_on == date(2019, 10, 9)
    assert "License policy: Case-by-case review" in (dahua.remarks or "")


def test_meu_entry(by_id: dict[str, ParsedEntry]) -> None:
    aecc = by_id["a115de6b0d2f889dc57c7b1bf35ca970436819f8"]
    assert aecc.name == "AECC Aero Science & Technology Co. Ltd."
    assert aecc.programs == ["MEU"]
    assert aecc.addresses == [
        Address(text="Cheng-fa Industrial Park, ShuLong Road, SanHe Block, Chengdu, Sichuan, CN", country="CN")
    ]
    assert aecc.listed_on == date(2020, 12, 23)


def test_sdn_person_with_aliases_dob_and_old_style_ids(by_id: dict[str, ParsedEntry]) -> None:
    person = by_id["9935"]
    assert person.name == "'ABD AL-RAZZIQ, Abu Sufian al-Salamabi Muhammed Ahmed"
    assert person.type == "person"
    assert person.programs == ["SDN", "SDGT"]
    assert Alias(name="ABDELRAZIK, Sofian") in person.aliases
    assert len(person.aliases) == 14
    assert person.birth_dates == [BirthDate("1962-08-06", "day")]
    assert person.countries == ["CA", "SD"]
    # 2022 export: "CA, BC166787, Passport" (country first, type last).
    assert person.identifiers == [Identifier(type="Passport", value="BC166787", country="CA")]


def test_several_birth_years(by_id: dict[str, ParsedEntry]) -> None:
    assert by_id["26095"].birth_dates == [
        BirthDate("1967", "year"),
        BirthDate("1966", "year"),
        BirthDate("1968", "year"),
    ]


def test_rows_of_one_party_on_several_treasury_lists_are_merged(by_id: dict[str, ParsedEntry]) -> None:
    bank = by_id["18725"]
    assert bank.name == "BANCO VTB AFRICA SA"
    assert bank.programs == ["CAP", "SDN", "SSI", "UKRAINE-EO13662", "RUSSIA-EO14024"]
    assert bank.identifiers == [
        Identifier(type="Website", value="www.vtb.ao"),
        Identifier(type="SWIFT/BIC", value="VTBLAOLU"),
    ]


def test_embedded_newlines_are_read_as_one_row(by_id: dict[str, ParsedEntry]) -> None:
    assert by_id["3da5adfe0d93a9e200e7e2a53b60f74d6a9642ab"].name == "Gaobeidian Kaituo Precise Instrument Co. Ltd"
    assert by_id["026dba5afe5742c3d9b83179846272ca67cdb5c0"].addresses == [
        Address(text="Room 717, Building 41, No.8633 Zhongchun Road, Minhang District, Shanghai, CN", country="CN")
    ]


def test_vessel_call_sign_and_imo(by_id: dict[str, ParsedEntry]) -> None:
    vessel = by_id["31920"]
    assert vessel.type == "vessel"
    assert Identifier(type="Vessel Registration Identification", value="IMO 8770261") in vessel.identifiers
    assert Identifier(type="Call Sign", value="UDQB", country="RU") in vessel.identifiers


def test_current_export_excerpt(lists_data_dir: Path) -> None:
    parsed = parse_us_csl_csv([read(lists_data_dir / EXCERPT)])
    assert len(parsed.entries) == 13
    codes = Counter(entry.programs[0] for entry in parsed.entries)
    assert codes == Counter(
        {"SSI": 3, "PLC": 2, "ISN": 1, "UVL": 1, "MEU": 1, "SDN": 1, "DTC": 1, "DPL": 1, "FSE": 1, "EL": 1}
    )
    by_id = {entry.entity_id: entry for entry in parsed.entries}
    rim = by_id["52291"]
    # Current export: "Passport, 836238033, KP" (type first, country last); the order is voted per file.
    assert rim.identifiers == [Identifier(type="Passport", value="836238033", country="KP")]
    assert rim.birth_dates == [BirthDate("1978-12-05", "day")]
    assert rim.countries == ["KP", "CN"]
    sinobright = by_id["233a4d725770c81fb561ffe3842c14010c2201971d6be62eca1e613b"]
    assert sinobright.name == "Sinobright Import and Export Company"
    assert "any successor, sub-unit, or subsidiary thereof" in (sinobright.remarks or "")
    cetc = by_id["99ed1b052fdb09695fae1ba87516d8a0882b0df04652e07aeb5ce7be"]
    assert Alias(name="CETC Research Institute 13") in cetc.aliases  # the Entity List's "...; and X"
    assert cetc.listed_on == date(2018, 8, 1)


def test_json_fixture() -> None:
    parsed = parse_us_csl_json([SourceFile(FIXTURE.name, FIXTURE.read_bytes())])
    assert parsed.published_at == datetime(2025, 6, 23, tzinfo=UTC)
    hikvision, rim, plc = parsed.entries
    assert hikvision.programs == ["EL"]
    assert hikvision.aliases == [Alias(name="Hikvision"), Alias(name="海康威视", script="Hani")]
    assert hikvision.addresses == [
        Address(text="No. 555 Qianmo Road, Binjiang District, Hangzhou, Zhejiang, 310052, CN", country="CN"),
        Address(text="浙江省杭州市滨江区阡陌路555号, CN", country="CN"),
    ]
    assert hikvision.listed_on == date(2019, 10, 9)
    assert rim.identifiers == [Identifier(type="Passport", value="836238033", country="KP")]
    assert rim.countries == ["KP", "CN"]
    assert plc.birth_dates == [BirthDate("1955", "year")]
    assert plc.programs == ["PLC", "NS-PLC"]


def test_json_and_csv_agree_on_the_same_party(lists_data_dir: Path) -> None:
    from_csv = {e.entity_id: e for e in parse_us_csl_csv([read(lists_data_dir / EXCERPT)]).entries}["52291"]
    from_json = {e.entity_id: e for e in parse_us_csl_json([SourceFile(FIXTURE.name, FIXTURE.read_bytes())]).entries}[
        "52291"
    ]
    assert from_json.to_document() == from_csv.to_document() | {"source_url": from_json.source_url}


@pytest.mark.parametrize("path", [FULL, EXCERPT])
def test_truncated_csv_is_refused(path: str, lists_data_dir: Path) -> None:
    file = read(lists_data_dir / path)
    half = SourceFile(file.name, file.content[: len(file.content) // 2])
    with pytest.raises(ListFileError, match=rf"{file.name}: line \d+.*(corrupt or truncated|expected 29)"):
        parse_us_csl_csv([half])


def test_truncated_json_is_refused() -> None:
    content = FIXTURE.read_bytes()
    with pytest.raises(ListFileError, match=r"csl_sample\.json: not valid JSON .*truncated"):
        parse_us_csl_json([SourceFile(FIXTURE.name, content[: len(content) // 2])])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,address\nX,Y\n", "the header lacks _id, source"),
        (b"", "empty file"),
        (b'_id,source,name\n"1","Entity List (EL) - BIS","A\n', "unexpected end of data"),
        (b"_id,source,name\n,Entity List (EL) - BIS,A\n", "record 1 has no _id"),
        (b"_id,source,name\n1,EL\n", "line 2 has 2 fields, expected 3"),
        (b"\xff\xfe_id", "not UTF-8"),
    ],
    ids=["not_csl", "empty", "open_quote", "no_id", "short_row", "not_utf8"],
)
def test_invalid_csv_is_refused(content: bytes, message: str) -> None:
    with pytest.raises(ListFileError, match=rf"consolidated\.csv: .*{message}"):
        parse_us_csl_csv([SourceFile("consolidated.csv", content)])


@pytest.mark.parametrize("document", [[], {"results": "x"}, {"results": [1]}, {"total": 0}])
def test_json_without_results_is_refused(document: object) -> None:
    with pytest.raises(ListFileError, match=r"consolidated\.json: not a CSL JSON export"):
        parse_us_csl_json([SourceFile("consolidated.json", json.dumps(document).encode())])


def test_nameless_row_is_skipped_with_a_warning() -> None:
    parsed = parse_us_csl_csv([SourceFile("consolidated.csv", b"_id,source,name\n1,Entity List (EL) - BIS,\n")])
    assert parsed.entries == []
    assert parsed.warnings == ["consolidated.csv: record 1 (_id 1) has no name and was skipped"]
