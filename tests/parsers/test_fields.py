"""Cell-level helpers shared by the UK and Australian parsers: enumerations, partial dates, countries."""

from __future__ import annotations

import pytest

from service.sources.model import BirthDate
from service.sources.parsers.fields import country_code, country_codes, parse_dmy_birth_date, split_enumerated

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent


@pytest.mark.parametrize(
    ("cell", "parts"),
    [
        ("1) Saudi Arabia 2) Qatar", ["Saudi Arabia", "Qatar"]),
        ("(1) Uganda (2) Uganda (3)Uganda", ["Uganda", "Uganda", "Uganda"]),
        ("(1) 20645897 (2) -", ["20645897"]),
        ("a) Mullah b) Haji", ["Mullah", "Haji"]),
        ("Jaish (1) Brigade", ["Jaish (1) Brigade"]),
        (
            "India number, issued on 4 Jun. 1985 (expired on 25 Aug. 2021)",
            ["India number, issued on 4 Jun. 1985 (expired on 25 Aug. 2021)"],
        ),
        ("", []),
        (None, []),
    ],
)
def test_split_enumerated(cell: str | None, parts: list[str]) -> None:
    assert split_enumerated(cell) == parts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("28/06/1960", BirthDate("1960-06-28", "day")),
        ("00/04/1984", BirthDate("1984-04", "month")),
        ("00/00/1980", BirthDate("1980", "year")),
        ("dd/mm/1945", BirthDate("1945", "year")),
        ("dd/04/1971", BirthDate("1971-04", "month")),
        ("04/1970", BirthDate("1970-04", "month")),
        ("1951", BirthDate("1951", "year")),
        ("31/02/1970", None),
        ("Approximately 1963", None),
        (None, None),
    ],
)
def test_parse_dmy_birth_date(text: str | None, expected: BirthDate | None) -> None:
    assert parse_dmy_birth_date(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Congo (Democratic Republic)", "CD"),
        ("Russia.", "RU"),
        ("Afghan", "AF"),
        ("Iranian (Iranian citizenship)", "IR"),
        ("Kuwaiti citizenship", "KW"),
        ("Democratic People\u2019s Republic of Korea", "KP"),
        ("Occupied Palestinian Territories", "PS"),
        ("Moscow", None),
    ],
)
def test_country_code(text: str, code: str | None) -> None:
    assert country_code(text) == code


def test_country_codes_split_enumerations_and_pairs() -> None:
    assert country_codes(["1) Syria 2) Turkey", "Russian and Ukrainian", "Syria"]) == ["SY", "TR", "RU", "UA"]
