"""A small hand-made list shared by the matching tests (built once per session: building is pure),
and the entries of every real list in ../shared/lists-data (parsed once per session) with their index
(built once per session: searching never changes what an index finds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.harness import FULL_LISTS
from service.matching import Index, build_index
from service.matching.types import IndexedEntry
from service.sources.model import Alias, BirthDate, Identifier
from tests.matching.real_lists import parse_real


def person(
    entity_id: str,
    name: str,
    *aliases: str,
    born: str | None = None,
    country: str | None = None,
    ids: tuple[Identifier, ...] = (),
) -> IndexedEntry:
    birth = (BirthDate(born, "day" if len(born) == 10 else "year" if len(born) == 4 else "month"),) if born else ()
    return IndexedEntry(
        source="test",
        entity_id=entity_id,
        type="person",
        name=name,
        aliases=tuple(Alias(alias) for alias in aliases),
        countries=(country,) if country else (),
        birth_dates=birth,
        identifiers=ids,
    )


def company(
    entity_id: str, name: str, *aliases: str, country: str | None = None, ids: tuple[Identifier, ...] = ()
) -> IndexedEntry:
    return IndexedEntry(
        source="test",
        entity_id=entity_id,
        type="organization",
        name=name,
        aliases=tuple(Alias(alias) for alias in aliases),
        countries=(country,) if country else (),
        identifiers=ids,
    )


ENTRIES: tuple[IndexedEntry, ...] = (
    person("maduro", "MADURO MOROS, Nicolas", born="1962-11-23", country="VE", ids=(Identifier("Cedula", "5892464"),)),
    person("prigozhin", "PRIGOZHIN, Yevgeniy Viktorovich", born="1961-06-01", country="RU"),
    person("zelensky-namesake", "KOVALENKO, Oleksandr Mykolayovych", born="1975", country="UA"),
    person("lukashenka", "LUKASHENKA, Aliaksandr Ryhoravich", born="1954-08-30", country="BY"),
    person("kim", "KIM Jong Un", born="1984-01-08", country="KP"),
    person("xi-namesake", "ZHANG Xiaoming", born="1970", country="CN"),
    person("bin-laden", "BIN LADIN, Usama bin Muhammad bin Awad", born="1957-03-10", country="SA"),
    person("zawahiri", "AL-ZAWAHIRI, Ayman", born="1951-06-19", country="EG"),
    person("abdulrahman", "Muhammad Abd al-Rahman YUSUF", born="1970-05-04", country="YE"),
    person("hassan", "HASSAN, Mohammed Ali", born="1980", country="SO"),
    person("hussein", "HUSSEIN, Mohammed Ali", born="1965", country="IQ"),
    person("smith", "SMITH, John Robert", born="1977-02-03", country="GB"),
    person("papadopoulos", "PAPADOPOULOS, Alexandros", born="1969", country="GR"),
    person("cohen", "COHEN, Avraham", born="1960", country="IL"),
    person("tanaka", "TANAKA, Kenji", born="1972", country="JP"),
    company("alqaida", "AL-QA'IDA", "The Base", "Al Qaeda"),
    company("rosneft", "ROSNEFT OAO", "Rosneft Oil Company", country="RU"),
    company("romashka", "OOO ROMASHKA", country="RU"),
    company("huawei", "Huawei Technologies Co., Ltd.", "华为技术有限公司", country="CN"),
    company("sunrise", "SUNRISE TRADING LLC", country="AE", ids=(Identifier("Registration Number", "CN-778812"),)),
    company("moonlight", "MOONLIGHT TRADING LLC", country="AE"),
    company("global-trading", "GLOBAL TRADING COMPANY", country="TR"),
    company("mahan", "MAHAN AIR", country="IR"),
    *(company(f"filler-{word}", f"{word} TRADING CO") for word in ("ALPHA", "BETA", "GAMMA", "DELTA", "OMEGA")),
    IndexedEntry(source="test", entity_id="vessel-1", type="vessel", name="OCEAN STAR",
                 identifiers=(Identifier("IMO", "9187629"),)),
)  # fmt: skip


@pytest.fixture(scope="session")
def index() -> Index:
    return build_index(ENTRIES)


@pytest.fixture(scope="session")
def real_entries(lists_data_dir: Path) -> list[IndexedEntry]:
    return parse_real(lists_data_dir, FULL_LISTS)


@pytest.fixture(scope="session")
def real_index(real_entries: list[IndexedEntry]) -> Index:
    return build_index(real_entries)
