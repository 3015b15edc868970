"""OpenSanctions FtM entity files and delta files, on the real samples and on hand-made lines."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from service.errors import ListFileError
from service.sources.model import Address, Alias, BirthDate, Identifier, ParsedEntry, ParsedList
from service.sources.parsers import PARSERS, SourceFile
from service.sources.parsers.ftm import parse_ftm_json
from service.sources.parsers.ftm_delta import DELTA_FORMATS, FtmDelta, apply_ftm_delta, parse_ftm_delta
from tests.parsers.conftest import read

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

MULTI = "opensanctions_ftm/entities.ftm.SAMPLE_multi-dataset_2026.json"
EU_FSF = "opensanctions_ftm/entities.ftm.SAMPLE_eu_fsf_2024.json"
DELTA = "opensanctions_ftm/entities.delta.SAMPLE_2024-05.json"


@pytest.fixture(scope="module")
def multi(lists_data_dir: Path) -> dict[str, ParsedEntry]:
    parsed = parse_ftm_json([read(lists_data_dir / MULTI)])
    return {entry.entity_id: entry for entry in parsed.entries}


@pytest.fixture(scope="module")
def delta(lists_data_dir: Path) -> FtmDelta:
    return parse_ftm_delta([read(lists_data_dir / DELTA)])


def test_registry_has_ftm_json_and_the_delta_pair() -> None:
    assert PARSERS["ftm_json"] is parse_ftm_json
    assert "ftm_delta_json" not in PARSERS
    assert DELTA_FORMATS["ftm_delta_json"] == (parse_ftm_delta, apply_ftm_delta)


def test_real_multi_dataset_counts(lists_data_dir: Path) -> None:
    parsed = parse_ftm_json([read(lists_data_dir / MULTI)])
    # 91 entities: 8 target Companies + 6 Persons become entries; 3 non-target Companies (owners)
    # and the relations do not.
    assert len(parsed.entries) == 14
    assert {e.type for e in parsed.entries} == {"person", "organization"}
    assert parsed.stats == {
        "entities": 91,
        "targets": 14,
        "skipped_Directorship": 3,
        "skipped_Family": 4,
        "skipped_Ownership": 14,
    }
    assert parsed.published_at == datetime(2026, 4, 29, 7, 55, 2, tzinfo=UTC)


def test_real_person_with_passport_addresses_and_sanctions(multi: dict[str, ParsedEntry]) -> None:
    zakharov = multi["NK-hUAjuiA3vTKXF6v2X6MYnS"]
    assert zakharov.type == "person"
    assert zakharov.name == "Lavrentiy Aleksandrovich ZAKHAROV"  # the caption, one of the names
    assert Alias("Лаврентий Александрович Захаров", "strong", "Cyrl") in zakharov.aliases
    assert zakharov.birth_dates == [BirthDate("1999-02-26", "day")]
    assert zakharov.countries == ["RU", "GB"]
    assert Identifier("Passport", "089132114") in zakharov.identifiers
    assert Address("Flat 612, Romney House, 47 Marsham Street, London SW1P 3DS") in zakharov.addresses
    assert zakharov.programs == ["US-RUSHAR", "GB-RUS", "topic:debarment", "topic:corp.disqual", "topic:sanction"]
    assert zakharov.listed_on == date(2025, 2, 13)
    assert zakharov.source_url == "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=46004"


def test_real_company_programs_come_from_its_sanction_entities(multi: dict[str, ParsedEntry]) -> None:
    izhmash = multi["NK-nR5AXM9AVPq4pQaSPSaVam"]
    assert izhmash.type == "organization"
    # AU-RUSSIA and CA-SEMA are only in Sanction entities whose `entity` points at the company.
    assert {"AU-RUSSIA", "CA-SEMA", "EU-UKR", "topic:export.control"} <= set(izhmash.programs)
    assert izhmash.listed_on == date(2014, 7, 17)
    assert Identifier("OGRN", "1111832003018") in izhmash.identifiers


def test_real_eu_fsf_sample(lists_data_dir: Path) -> None:
    parsed = parse_ftm_json([read(lists_data_dir / EU_FSF)])
    by_id = {entry.entity_id: entry for entry in parsed.entries}
    assert len(parsed.entries) == 6  # 4 Person + 2 Organization; the Address is not an entry
    tobacco = by_id["NK-2GdmHtZTeNXjNVrBGEXZNj"]
    assert tobacco.countries == ["BY"]
    assert Alias("Εταιρία περιορισμένης ευθύνης “Inter Tobacco”", "strong", "Grek") in tobacco.aliases
    assert by_id["NK-2PacmNpiLUmoz4XD2mSt7A"].programs == ["topic:sanction"]


def _lines(*objects: object) -> SourceFile:
    return SourceFile("entities.ftm.json", "\n".join(json.dumps(o) for o in objects).encode())


def test_weak_aliases_previous_names_and_dropped_country_codes() -> None:
    (vessel,) = parse_ftm_json(
        [
            _lines(
                {
                    "id": "v1",
                    "schema": "Vessel",
                    "target": True,
                    "properties": {
                        "name": ["SEA STAR"],
                        "weakAlias": ["STAR"],
                        "previousName": ["OCEAN STAR"],
                        "flag": ["pa", "eu"],
                        "imoNumber": ["IMO 9144782"],
                    },
                },
            )
        ]
    ).entries
    assert vessel.type == "vessel"
    assert vessel.aliases == [Alias("OCEAN STAR", "strong", None, "fka"), Alias("STAR", "weak")]
    assert vessel.countries == ["PA"]
    assert vessel.identifiers == [Identifier("IMO Number", "IMO 9144782")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\n{"id": "b", "sch',
            "line 2 is not valid JSON",
        ),
        (b'{"id": "a", "schema": "Person", "properties": {"name": "A"}}', "property that is not a list"),
        (b'["not", "an", "object"]', "line 1 is not a JSON object"),
        (b'{"schema": "Person", "properties": {}}', "line 1 has no entity id"),
        ('{"id": "é"}'.encode()[:-3], "not UTF-8"),
    ],
)
def test_corrupt_lines_fail_the_whole_file(content: bytes, message: str) -> None:
    with pytest.raises(ListFileError, match=rf"entities\.ftm\.json: .*{message}"):
        parse_ftm_json([SourceFile("entities.ftm.json", content)])


@pytest.mark.parametrize("path", [MULTI, DELTA])
def test_truncated_real_file_is_refused(lists_data_dir: Path, path: str) -> None:
    file = read(lists_data_dir / path)
    half = SourceFile(file.name, file.content[: len(file.content) // 2])
    parse = parse_ftm_json if path == MULTI else parse_ftm_delta
    with pytest.raises(ListFileError, match=file.name.replace(".", r"\.")):
        parse([half])


def test_real_delta_parses_every_operation(delta: FtmDelta) -> None:
    assert delta.stats == {"ops_add": 90, "ops_mod": 1039, "ops_del": 571, "upserts": 576, "amendments": 8}
    assert len(delta.deletions) == 571
    assert delta.published_at == datetime(2024, 5, 30, 6, 58, 3, tzinfo=UTC)
    qaida = next(u for u in delta.upserts if u.entity_id == "NK-2T3S8Hu29ktYnKSTgQp2wL")
    assert qaida.name == "AL-QAIDA IN IRAQ"
    assert qaida.programs[0] == "DTTOT"


def test_real_delta_applied_to_an_empty_list(delta: FtmDelta) -> None:
    applied = apply_ftm_delta([], delta)
    assert len(applied.entries) == 576
    assert applied.stats == {
        "added": 576,
        "modified": 0,
        "deleted": 0,
        "deletions_unknown": 571,
        "amendments_applied": 0,
        "amendments_orphaned": 8,
    }
    assert applied.published_at == delta.published_at


def test_real_delta_applied_to_a_previous_version(delta: FtmDelta) -> None:
    gone = ParsedEntry(entity_id="NK-3MDjERC9RyRHv3wEq9xWe4", type="person", name="Deleted Person")
    kept = ParsedEntry(entity_id="other", type="person", name="Untouched Person", programs=["X"])
    qaida = ParsedEntry(
        entity_id="NK-2T3S8Hu29ktYnKSTgQp2wL",
        type="organization",
        name="AQI",
        programs=["OLD-PROGRAM", "topic:old"],
        addresses=[Address("Somewhere, Iraq", "IQ")],
    )
    amended = ParsedEntry(entity_id="NK-dR5TmGoVMt3TgaMGS8gJNc", type="person", name="Amended", programs=["A"])
    previous = [gone, kept, qaida, amended]
    snapshot = [entry.to_document() for entry in previous]

    applied: ParsedList = apply_ftm_delta(previous, delta)
    by_id = {entry.entity_id: entry for entry in applied.entries}
    assert len(applied.entries) == 4 - 1 + 576 - 1  # one deleted, one of the upserts replaced an entry
    assert "NK-3MDjERC9RyRHv3wEq9xWe4" not in by_id
    assert by_id["other"] == kept
    modified = by_id["NK-2T3S8Hu29ktYnKSTgQp2wL"]
    assert modified.name == "AL-QAIDA IN IRAQ"
    # Relation facts the delta cannot restate are kept; stale topics are replaced by the new ones.
    assert modified.programs == ["DTTOT", "OLD-PROGRAM", "topic:sanction", "topic:crime.terror"]
    assert Address("Somewhere, Iraq", "IQ") in modified.addresses
    assert by_id["NK-dR5TmGoVMt3TgaMGS8gJNc"].programs == ["A", "DTTOT"]
    assert applied.stats["modified"] == 1
    assert applied.stats["deleted"] == 1
    assert applied.stats["amendments_applied"] == 1
    assert [entry.to_document() for entry in previous] == snapshot  # pure: the input is untouched


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"op": "UPSERT", "entity": {"id": "a"}}', "op 'UPSERT'"),
        ('{"op": "DEL", "entity": {}}', "DEL without an entity id"),
        ('{"op": "ADD", "entity": {"id": "a"}}', "has no schema"),
    ],
)
def test_bad_delta_lines(line: str, message: str) -> None:
    with pytest.raises(ListFileError, match=message):
        parse_ftm_delta([SourceFile("delta.json", line.encode())])
