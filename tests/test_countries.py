"""Country names as publishers write them."""

from __future__ import annotations

import pytest

from service.countries import country_in_any_language, to_iso_country

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Russia", "RU"),
        ("Korea, North", "KP"),
        ("Burma", "MM"),
        ("Congo, Democratic Republic of the", "CD"),
        ("Congo (Democratic Republic)", "CD"),
        ("Congo", "CG"),
        ("Iran (Islamic Republic of)", "IR"),
        ("Region: Crimea", "UA"),
        ("Türkiye", "TR"),
        ("de", "DE"),
        ("DEU", "DE"),
        ("UK", "GB"),
        ("Kosovo", "XK"),
        ("undetermined", None),
        ("Atlantis", None),
        ("XX", None),
        ("", None),
    ],
)
def test_country_names(text: str, code: str | None) -> None:
    assert to_iso_country(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Deutschland", "DE"),
        ("Schweiz", "CH"),
        ("España", "ES"),
        ("Россия", "RU"),
        ("Russland", "RU"),
        ("Österreich", "AT"),
        ("Vereinigtes Königreich", "GB"),
        ("Vereinigte Arabische Emirate", "AE"),
        ("中国", "CN"),
        ("UAE", "AE"),
        ("PRC", "CN"),
        ("UK", "GB"),
        ("de", "DE"),
        ("Korea, North", "KP"),
        ("Crimea", "UA"),
        ("Europa", None),
        ("EU", None),
        ("Soviet Union", None),
        ("Atlantis", None),
        ("Moscow", None),  # a city
        ("Kongo", None),  # both Congos in German
        ("", None),
    ],
)
def test_customer_countries_in_any_language(text: str, code: str | None) -> None:
    assert country_in_any_language(text) == code
