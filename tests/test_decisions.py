"""The one ranking of decisions that screening, orders, monitoring and metrics share."""

from __future__ import annotations

import pytest

from service.decisions import as_decision, rank, strictest

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent


@pytest.mark.parametrize(
    ("decisions", "expected"),
    [
        ([], "clear"),
        (["clear"], "clear"),
        (["review", "clear"], "review"),
        (["clear", "block", "review"], "block"),
        (["review", "review"], "review"),
        (iter(["review", "block"]), "block"),  # any iterable, read once
    ],
)
def test_the_strictest_decision_wins(decisions: list[str], expected: str) -> None:
    assert strictest(decisions) == expected


def test_order_and_unknown_values() -> None:
    assert rank("clear") < rank("review") < rank("block")
    assert rank("something else") == rank("clear")
    assert [as_decision(value) for value in ("block", "review", "clear", "", "BLOCK")] == [
        "block",
        "review",
        "clear",
        "clear",
        "clear",
    ]
