"""Golden sets: one listed party written several ways must be found, and first.

Each row: a query as a customer might type it (Latin spellings, word order, native
scripts) and the listed entry it must find as the best match, at least for review.
"""

from __future__ import annotations

import pytest

from service.matching import Index
from service.matching.types import MatchThresholds, Query

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

# The hand-made corpus has a few dozen names, so its rarity weights are not those of the real lists:
# it is checked at 0.82. The same spellings against every real list at the production threshold (0.84)
# are in test_golden_real.py.
THRESHOLDS = MatchThresholds(review=0.82)

GOLDEN: dict[str, tuple[str, ...]] = {
    "maduro": (
        "Nicolas Maduro Moros",
        "MADURO MOROS, Nicolás",
        "Nicolas Maduro",
        "Nicolás Maduro Moros",
        "Николас Мадуро Морос",
        "نيكولاس مادورو",
    ),
    "prigozhin": (
        "Yevgeny Prigozhin",
        "Evgeniy Viktorovich Prigozhin",
        "Jevgenij Prigoschin",
        "Евгений Викторович Пригожин",
        "Пригожин Евгений",
        "PRIGOZIN Evgenii",
    ),
    "lukashenka": ("Alexander Lukashenko", "Aliaksandr Lukashenka", "Александр Лукашенко", "Аляксандр Лукашэнка"),
    "zelensky-namesake": ("Oleksandr Kovalenko", "Aleksandr Kovalenko", "Олександр Коваленко"),
    "kim": ("Kim Jong-un", "KIM JONG UN", "김정은"),
    "xi-namesake": ("Zhang Xiaoming", "ZHANG Xiao Ming", "张晓明"),
    "bin-laden": ("Osama bin Laden", "Usama bin Ladin", "Usama Bin Muhammad Bin Awad Bin Ladin", "أسامة بن لادن"),
    "zawahiri": ("Ayman al-Zawahiri", "Aiman Zawahiri", "AYMAN AL ZAWAHIRI", "أيمن الظواهري"),
    "abdulrahman": (
        "Mohamed Abdulrahman Yousef",
        "Muhammad Abdul Rahman Yusuf",
        "Mohammed Abdel-Rahman Youssef",
        "محمد عبد الرحمن يوسف",
    ),
    "papadopoulos": ("Alexandros Papadopoulos", "Αλέξανδρος Παπαδόπουλος"),
    "tanaka": ("Kenji Tanaka", "タナカ ケンジ"),
    "alqaida": ("AL-QA'IDA", "Al Qaida", "ALQAIDA", "al-Qaeda"),
    "rosneft": (
        "Rosneft",
        "PAO Rosneft",
        "Rosneft Public Joint Stock Company",
        "ОАО Роснефть",
        "Rossneft OAO",
        "JOITN STOCK COMPANY ROSNEFT",  # a misspelt legal form weighs as little as a correct one
        "Rosnetf",  # two letters swapped
    ),
    "romashka": ("Romashka LLC", "ООО Ромашка", "Romashka Limited Liability Company"),
    "huawei": ("Huawei Technologies Co Ltd", "HUAWEI TECHNOLOGIES COMPANY LIMITED", "华为技术有限公司"),
    "mahan": ("Mahan Air", "MAHAN AIR LTD", "Mahaan Air"),
}
ROWS = [(entity_id, query) for entity_id, queries in GOLDEN.items() for query in queries]


@pytest.mark.parametrize(("entity_id", "query"), ROWS)
def test_every_spelling_finds_the_party_first(index: Index, entity_id: str, query: str) -> None:
    matches = index.search(Query(query), thresholds=THRESHOLDS, limit=5)
    assert [match.entry.entity_id for match in matches][:1] == [entity_id]


@pytest.mark.parametrize(
    "query",
    [
        "Maria Fernanda Lopez",
        "Hans Peter Müller",
        "Wang Fang",
        "Priya Raghunathan",
        "Олег Петров",
        "Sunflower Bakery GmbH",
        "Northwind Logistics Ltd",
        "Trading Company",  # only common words of listed names
    ],
)
def test_unlisted_names_raise_no_alert(index: Index, query: str) -> None:
    assert index.search(Query(query), thresholds=THRESHOLDS, limit=5) == []


def test_perfect_name_reads_as_an_explanation(index: Index) -> None:
    [match] = index.search(Query("Nicolas MADURO MOROS", country="VE"), thresholds=THRESHOLDS, limit=5)
    assert (match.score, match.decision, match.matched_name) == (1.0, "block", "MADURO MOROS, Nicolas")
    details = {feature.feature: feature.detail for feature in match.features}
    assert details == {
        "name": "'nicolas' = 'nicolas'; 'maduro' = 'maduro'; 'moros' = 'moros'",
        "country": "country VE agrees",
    }
