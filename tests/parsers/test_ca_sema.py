"""The Canadian SEMA XML parser, on the real May 2025 file and on hand-made edge cases."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from service.errors import ListFileError
from service.sources.model import Alias, BirthDate, Identifier, ParsedEntry, ParsedList
from service.sources.parsers import SourceFile
from service.sources.parsers.ca_sema import parse_birth_dates, parse_ca_sema_xml, split_aliases
from tests.parsers.conftest import read

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent


@pytest.fixture(scope="module")
def sema(lists_data_dir: Path) -> tuple[ParsedList, dict[str, ParsedEntry]]:
    parsed = parse_ca_sema_xml([read(lists_data_dir / "canada_sema" / "sema-lmes.xml")])
    return parsed, {entry.entity_id: entry for entry in parsed.entries}


def test_real_counts_types_and_unique_ids(sema: tuple[ParsedList, dict[str, ParsedEntry]]) -> None:
    parsed, by_id = sema
    assert len(parsed.entries) == len(by_id) == 4759
    assert parsed.stats == {"records": 4759, "duplicate_keys": 0, "vessels": 109}
    assert Counter(entry.type for entry in parsed.entries) == {"person": 3334, "organization": 1316, "vessel": 109}
    programs = Counter(entry.programs[0] for entry in parsed.entries)
    assert programs["Russia"] == 2426
    assert programs["Myanmar (Burma)"] == 241


def test_real_ship_with_imo_number(sema: tuple[ParsedList, dict[str, ParsedEntry]]) -> None:
    _, by_id = sema
    ship = by_id["russia:1.1:6"]
    assert ship.type == "vessel"
    assert ship.name == "Bodhi"
    assert ship.identifiers == [Identifier("IMO Number", "9144782")]
    assert ship.birth_dates == []  # the build year is not a birth date
    assert ship.remarks == "Vessel type: Oil Tanker\nBuilt: 1997"
    assert ship.listed_on == date(2025, 2, 21)


def test_real_people_and_organizations(sema: tuple[ParsedList, dict[str, ParsedEntry]]) -> None:
    _, by_id = sema
    atabekov = by_id["belarus:1-part-1:1"]
    assert (atabekov.type, atabekov.name, atabekov.countries) == ("person", "Khazalbek Bakhtibekovich Atabekov", ["BY"])
    assert atabekov.listed_on == date(2020, 9, 28)
    # The JVCFOA (Magnitsky) regime is no country: a program, and no country code.
    maduro = by_id["jvcfor::1"]
    assert maduro.programs == ["Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR)"]
    assert maduro.countries == []
    kurchatov = by_id["russia:1-part-2:434"]
    assert kurchatov.type == "organization"
    assert kurchatov.aliases[0] == Alias("Национальный исследовательский центр «Курчатовский институт»", script="Cyrl")
    assert len(kurchatov.aliases) == 2
    shahsavari = by_id["iran:1-part-2.1:70"]
    assert shahsavari.birth_dates == [BirthDate("1963", "year"), BirthDate("1964", "year")]
    assert shahsavari.aliases == [Alias("حبیب شاهسواری", script="Arab")]
    # Unreadable dates of birth are kept as text in the remarks, not guessed.
    assert by_id["russia:1-part-1:1114"].remarks == "Date of birth: Sep-99"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Valentina Petrovna Novikova, Belarussian: Валянціна Новікава, Russian: Валентина Петровна Новикова",
            ["Valentina Petrovna Novikova", "Валянціна Новікава", "Валентина Петровна Новикова"],
        ),
        (
            'Невское ПКБ, АО; Акционерное Общество "Невское Проектно-Конструкторское Бюро"',
            ["Невское ПКБ, АО", 'Акционерное Общество "Невское Проектно-Конструкторское Бюро"'],
        ),
        ("АО «Концерн «НПО «Аврора», Avrora JSC", ["АО «Концерн «НПО «Аврора»", "Avrora JSC"]),
        (
            "Katsiaryna or Katerina Smuschkovich, Ekaterina Varabei",
            ["Katsiaryna or Katerina Smuschkovich", "Ekaterina Varabei"],
        ),
        ("Myanma Investment and Commercial Bank", ["Myanma Investment and Commercial Bank"]),
        (
            "Валерій Михайлович Пахниць and Валерий Михайлович Пахниц",
            ["Валерій Михайлович Пахниць", "Валерий Михайлович Пахниц"],
        ),
        (
            "(Владимир Михайлович РУЩАК / Володимир Михайлович РУЩАК",
            ["Владимир Михайлович РУЩАК", "Володимир Михайлович РУЩАК"],
        ),
        # Unbalanced quotes: split as if there were none, rather than gluing the rest together.
        ('Концерн "ЦНИИ "Электроприбор, АО; Концерн ЦНИИ', ['Концерн "ЦНИИ "Электроприбор, АО', "Концерн ЦНИИ"]),
        ("also Andrey Ilnitsky; Андрей Ильницкий; Андрей Ильницкий", ["Andrey Ilnitsky", "Андрей Ильницкий"]),
        ("", []),
    ],
)
def test_split_aliases(text: str, names: list[str]) -> None:
    assert split_aliases(text) == names


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("1975-03-02", [BirthDate("1975-03-02", "day")]),
        ("1958", [BirthDate("1958", "year")]),
        ("1975-03", [BirthDate("1975-03", "month")]),
        ("1970 or 1971", [BirthDate("1970", "year"), BirthDate("1971", "year")]),
        ("1960-1962", [BirthDate(str(year), "year") for year in (1960, 1961, 1962)]),
        ("1975-02-30", []),
        ("born in the early 1960s", []),
        ("1960-03-01 or sometime", []),
    ],
)
def test_parse_birth_dates(text: str, dates: list[BirthDate]) -> None:
    assert parse_birth_dates(text) == dates


def _records(*records: str) -> SourceFile:
    return SourceFile("sema-lmes.xml", f"<data-set>{''.join(records)}</data-set>".encode())


def test_repeated_key_gets_a_deterministic_suffix() -> None:
    record = (
        "<record><Country>Russia / Russie</Country><EntityOrShip>{}</EntityOrShip>"
        "<Schedule>1,Part 3</Schedule><Item>7</Item></record>"
    )
    parsed = parse_ca_sema_xml([_records(record.format("A"), record.format("B"), record.format("C"))])
    assert [(e.entity_id, e.name) for e in parsed.entries] == [
        ("russia:1-part-3:7", "A"),
        ("russia:1-part-3:7~2", "B"),
        ("russia:1-part-3:7~3", "C"),
    ]
    assert parsed.stats["duplicate_keys"] == 2


def test_record_without_any_name_fails_the_file() -> None:
    with pytest.raises(ListFileError, match=r"sema-lmes\.xml: record 1 \(iran::4\) has no name"):
        parse_ca_sema_xml([_records("<record><Country>Iran</Country><Item>4</Item></record>")])
