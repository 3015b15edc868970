"""What links one party's entries across lists, and how a case's hits are grouped by it."""

from __future__ import annotations

from typing import Any

import pytest

from service.cases.grouping import group_hits, link_keys
from service.sources.model import Identifier, ParsedEntry

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent


def _document(entity_id: str, name: str = "X", **fields: Any) -> dict[str, Any]:
    return ParsedEntry(entity_id=entity_id, type="person", name=name, **fields).to_document()


LINKS = [
    ("us_ofac_sdn", _document("12345"), {"ofac:12345"}),
    ("us_ofac_cons", _document("12345"), {"ofac:12345"}),
    ("us_trade_csl", _document("12345", programs=["SDN", "UKRAINE-EO13661"]), {"ofac:12345"}),
    ("us_trade_csl", _document("d1b2", programs=["EL"]), set()),  # a BIS row: its id is not an OFAC number
    ("un_sc_sanctions", _document("QDi.028"), {"un:QDi.028"}),
    # The UK list states the entry's own UN reference; the one its remarks cite for another entry does not link.
    (
        "gb_hmt_sanctions",
        _document("6925", remarks="(UN Ref):QDi.028. Leader of Al-Qaida (QDe.004)."),
        {"ofsi:6925", "un:QDi.028"},
    ),
    ("eu_fsf", _document("13", identifiers=[Identifier("UN Reference Number", "QDi.028")]), {"un:QDi.028"}),
    ("gb_fcdo_sanctions", _document("RUS0616", identifiers=[Identifier("OFSI Group ID", "14561")]), {"ofsi:14561"}),
    ("au_dfat_sanctions", _document("147", identifiers=[Identifier("Passport", "1084010", "EG")]), {"doc:EG:1084010"}),
    ("au_dfat_sanctions", _document("9", identifiers=[Identifier("IMO", "IMO 9187629")]), {"imo:9187629"}),
    ("ca_dfatd_sema", _document("1", name="Ivan Sergeyevich Petrov"), {"name:ivan petrov sergeyevich"}),
    ("ca_dfatd_sema", _document("2", name="Li Wei"), set()),  # two parts: shared by too many people
]


@pytest.mark.parametrize(("source", "document", "keys"), LINKS)
def test_link_keys(source: str, document: dict[str, Any], keys: set[str]) -> None:
    assert set(link_keys(source, document)) == keys


def test_hits_sharing_a_key_are_one_group_and_keys_chain() -> None:
    groups = group_hits(
        [
            (1, "un_sc_sanctions", ["un:QDi.1"]),
            (2, "gb_hmt_sanctions", ["un:QDi.1", "doc::P123456"]),
            (3, "au_dfat_sanctions", ["doc::P123456"]),
            (4, "us_ofac_sdn", ["imo:9187629"]),
        ]
    )
    assert groups == {1: 1, 2: 1, 3: 1, 4: 4}


def test_one_name_twice_on_one_list_is_two_people_but_across_lists_one() -> None:
    name = "name:ivan petrov sergeyevich"
    assert group_hits([(1, "ca_dfatd_sema", [name]), (2, "ca_dfatd_sema", [name])]) == {1: 1, 2: 2}
    assert group_hits([(1, "ca_dfatd_sema", [name]), (2, "us_bis_dpl", [name])]) == {1: 1, 2: 1}
