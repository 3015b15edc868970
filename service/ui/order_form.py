"""The order desk's form: its fields to an OrderRequest, and the request's errors back to form labels."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from service.orders.schemas import OrderRequest

PARTY_ROWS = 4
ITEM_ROWS = 3
PARTY_FIELDS = ("role", "name", "country", "address")
ITEM_FIELDS = ("sku", "quantity", "categories", "eu_dual_use", "eccn", "description")
ORDER_FIELDS = ("reference", "destination_country", "end_use")
ROLES = ("sold_to", "ship_to", "consignee", "end_user", "intermediary")


@dataclass(slots=True)
class OrderForm:
    """What the user typed (shown again with the answer) and the errors, per form label."""

    values: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    party_rows: list[int] = field(default_factory=list)  # form row of each party sent, in order
    item_rows: list[int] = field(default_factory=list)


def read_order_form(form: Mapping[str, Any]) -> tuple[OrderForm, OrderRequest | None]:
    values = {key: str(value).strip() for key, value in form.items() if isinstance(value, str)}
    result = OrderForm(values=values)
    parties = []
    for row in range(PARTY_ROWS):
        party = {name: values.get(f"party-{row}-{name}", "") for name in PARTY_FIELDS}
        if party["name"]:
            parties.append({key: value for key, value in party.items() if value})
            result.party_rows.append(row)
    items = []
    for row in range(ITEM_ROWS):
        item: dict[str, Any] = {name: values.get(f"item-{row}-{name}", "") for name in ITEM_FIELDS}
        if not any(item.values()):
            continue
        item["categories"] = [part.strip() for part in item["categories"].split(",") if part.strip()]
        item["quantity"] = item["quantity"] or "1"
        items.append({key: value for key, value in item.items() if value not in ("", [])})
        result.item_rows.append(row)
    raw: dict[str, Any] = {name: values[name] for name in ORDER_FIELDS if values.get(name)}
    raw.update(parties=parties, items=items)
    if not parties:
        result.errors.append("Parties: name at least one party")
        return result, None
    try:
        return result, OrderRequest.model_validate(raw)
    except ValidationError as error:
        result.errors = [f"{_label(result, detail['loc'])}: {detail['msg']}" for detail in error.errors()]
        return result, None


def _label(form: OrderForm, loc: tuple[int | str, ...]) -> str:
    if len(loc) >= 2 and loc[0] in ("parties", "items") and isinstance(loc[1], int):
        rows = form.party_rows if loc[0] == "parties" else form.item_rows
        kind = "Party" if loc[0] == "parties" else "Item"
        detail = " ".join(str(part).replace("_", " ") for part in loc[2:3])
        return f"{kind} {rows[loc[1]] + 1} {detail}".strip()
    return " ".join(str(part) for part in loc).replace("_", " ").capitalize()
