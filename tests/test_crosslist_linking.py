"""bench.crosslist links entries of different lists by strong identifiers only."""

from __future__ import annotations

import pytest

from bench.crosslist import link, strong_keys
from service.sources.model import Identifier, ParsedEntry

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent


def _entry(entity_id: str, *, remarks: str | None = None, identifiers: tuple[Identifier, ...] = ()) -> ParsedEntry:
    return ParsedEntry(entity_id=entity_id, type="person", name="X", identifiers=list(identifiers), remarks=remarks)


def test_the_uk_list_links_by_its_own_un_reference_not_by_the_ones_its_remarks_cite() -> None:
    uk = _entry("6925", remarks="(UK Sanctions List Ref):AQD0125. (UN Ref):QDi.028. Leader of Al-Qaida (QDe.004).")
    assert strong_keys("gb_hmt_sanctions", uk) == {"ofsi:6925", "un:QDi.028"}
    australian = _entry("147", remarks="Leader of Al-Qaida (QDe.004).")
    assert strong_keys("au_dfat_sanctions", australian) == set()
    assert strong_keys("un_sc_sanctions", _entry("QDi.028")) == {"un:QDi.028"}


def test_documents_and_imo_numbers_are_strong_keys() -> None:
    entry = _entry(
        "1",
        identifiers=(
            Identifier("Passport", "A-1234567", "IR"),
            Identifier("Vessel Registration Identification", "IMO 9187629"),
            Identifier("Passport", "ABC"),  # too short to tell one person
            Identifier("Website", "example.org"),
        ),
    )
    assert strong_keys("us_ofac_sdn", entry) == {"doc:IR:A1234567", "imo:9187629"}


def test_the_fcdo_list_links_through_the_ofsi_group_id() -> None:
    fcdo = _entry("RUS0616", identifiers=(Identifier("OFSI Group ID", "14561"),))
    assert strong_keys("gb_fcdo_sanctions", fcdo) == {"ofsi:14561"}


def test_entries_sharing_a_key_form_one_party_and_keys_chain() -> None:
    clusters = link([{"un:QDi.1"}, {"un:QDi.1", "doc::P123456"}, {"doc::P123456"}, {"imo:9187629"}])
    assert clusters[0] == clusters[1] == clusters[2]
    assert clusters[3] != clusters[0]
