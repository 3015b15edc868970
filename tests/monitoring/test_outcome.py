"""How one list version changes a stored outcome, and which alerts it raises (pure, table-driven)."""

from __future__ import annotations

from typing import Any

import pytest

from service.monitoring.outcome import combine, overall_decision

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

SRC = "us_ofac_sdn"


def m(
    entity_id: str, decision: str = "review", *, h: str = "h1", cleared: bool = False, source: str = SRC
) -> dict[str, Any]:
    return {
        "source": source,
        "entity_id": entity_id,
        "decision": decision,
        "score": 0.99 if decision == "block" else 0.9,
        "cleared": cleared,
        "content_hash": h,
    }


CASES = [
    # (case, stored, found, removed, reevaluated, expected alerts, expected decision)
    ("nothing touched", [m("1")], [], set(), {"9"}, [], "review"),
    ("new designation", [], [m("2", "block")], set(), {"2"}, [("new_match", "2"), ("decision_raised", "2")], "block"),
    ("new review match under a block", [m("1", "block")], [m("2")], set(), {"2"}, [("new_match", "2")], "block"),
    ("delisted", [m("1", "block")], [], {"1"}, set(), [("match_removed", "1")], "clear"),
    ("changed, no longer matches", [m("1")], [], set(), {"1"}, [("match_removed", "1")], "clear"),
    ("changed, still matches alike", [m("1")], [m("1", h="h2")], set(), {"1"}, [], "review"),
    ("changed, now certain", [m("1")], [m("1", "block", h="h2")], set(), {"1"}, [("decision_raised", "1")], "block"),
    (
        "cleared entry changed",
        [m("1", "block", cleared=True)],
        [m("1", "block", h="h2")],
        set(),
        {"1"},
        [("cleared_match_changed", "1"), ("decision_raised", "1")],
        "block",
    ),
    ("cleared entry unchanged stays quiet", [m("1", cleared=True)], [], set(), {"7"}, [], "clear"),
    ("new match already cleared", [], [m("3", cleared=True)], set(), {"3"}, [], "clear"),
    ("other source untouched", [m("1", source="un_sc_sanctions")], [], {"1"}, set(), [], "review"),
]


@pytest.mark.parametrize(
    ("stored", "found", "removed", "reevaluated", "alerts", "decision"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_combine(
    stored: list[dict[str, Any]],
    found: list[dict[str, Any]],
    removed: set[str],
    reevaluated: set[str],
    alerts: list[tuple[str, str]],
    decision: str,
) -> None:
    combined = combine(
        stored=stored,
        stored_decision=overall_decision(stored),
        found=found,
        source=SRC,
        removed=frozenset(removed),
        reevaluated=frozenset(reevaluated),
    )
    assert [(alert.kind, alert.entity_id) for alert in combined.alerts] == alerts
    assert combined.decision == decision


def test_a_changed_entry_that_still_matches_updates_the_stored_hash_quietly() -> None:
    combined = combine(
        stored=[m("1")],
        stored_decision="review",
        found=[m("1", h="h2")],
        source=SRC,
        removed=frozenset(),
        reevaluated=frozenset({"1"}),
    )
    assert combined.alerts == []
    assert [match["content_hash"] for match in combined.matches] == ["h2"]


def test_running_the_same_change_twice_raises_nothing_the_second_time() -> None:
    first = combine(
        stored=[m("1", "block")],
        stored_decision="block",
        found=[m("2", "block")],
        source=SRC,
        removed=frozenset({"1"}),
        reevaluated=frozenset({"2"}),
    )
    again = combine(
        stored=first.matches,
        stored_decision=first.decision,
        found=[m("2", "block")],
        source=SRC,
        removed=frozenset({"1"}),
        reevaluated=frozenset({"2"}),
    )
    assert [alert.kind for alert in first.alerts] == ["match_removed", "new_match"]
    assert again.alerts == []
