"""The order request model: malformed orders fail naming the field (the route turns this into a 422);
unknown vocabulary passes validation and becomes a review reason in the rules."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from service.orders.schemas import OrderRequest

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

PARTY = {"role": "end_user", "name": "上海市公安局", "country": "CN"}
ITEM = {"sku": "FR-1", "quantity": 1, "categories": ["facial_recognition"]}


def base(**changes: Any) -> dict[str, Any]:
    return {"destination_country": "CN", "parties": [PARTY], "items": [ITEM], **changes}


@pytest.mark.parametrize(
    ("raw", "loc"),
    [
        (base(parties=[]), ("parties",)),
        ({"destination_country": "CN", "items": [ITEM]}, ("parties",)),
        (base(parties=[{**PARTY, "role": "buyer"}]), ("parties", 0, "role")),
        (base(parties=[{"name": "X"}]), ("parties", 0, "role")),
        (base(parties=[{**PARTY, "name": "  "}]), ("parties", 0, "name")),
        (base(items=[{**ITEM, "quantity": 0}]), ("items", 0, "quantity")),
        (base(items=[{**ITEM, "quantity": "lots"}]), ("items", 0, "quantity")),
        (base(items=[{"sku": "X"}]), ("items", 0, "quantity")),
        (base(destination_country="Atlantis"), ("destination_country",)),
        (base(parties=[{**PARTY, "country": "Narnia"}]), ("parties", 0, "country")),
        (base(colour="red"), ("colour",)),
    ],
    ids=[
        "no parties",
        "parties missing",
        "bad role",
        "role missing",
        "empty name",
        "zero quantity",
        "quantity not a number",
        "quantity missing",
        "unknown destination",
        "unknown party country",
        "unknown field",
    ],
)
def test_malformed_orders_name_the_field(raw: dict[str, Any], loc: tuple[str | int, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        OrderRequest.model_validate(raw)
    assert loc in [tuple(error["loc"]) for error in caught.value.errors()]


def test_unknown_category_and_control_code_are_accepted() -> None:
    order = OrderRequest.model_validate(base(items=[{**ITEM, "categories": ["teleporter"], "eccn": "??"}]))
    assert (order.items[0].categories, order.items[0].eccn) == (["teleporter"], "??")


def test_country_names_become_codes_and_text_is_cleaned() -> None:
    order = OrderRequest.model_validate(
        base(destination_country="China", parties=[{**PARTY, "country": "Russia", "address": " г. Москва\u0000 "}])
    )
    assert (order.destination_country, order.parties[0].country, order.parties[0].address) == ("CN", "RU", "г. Москва")
