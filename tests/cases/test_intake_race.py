"""Two replicas opening the case of one party at once: the one whose insert loses takes the other's case."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event, func, insert, select

from service.cases import intake
from service.cases.intake import CASES, Party, Sighting

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _sighting(name: str, reference: str) -> Sighting:
    party = Party(name=name, type="person", country=None, date_of_birth=None, reference=reference)
    return Sighting(party, "review", caller="erp", screening_id=f"s-{reference}", screened_at=NOW, matches=[])


def _case_row(case_id: str, sighting: Sighting) -> dict[str, Any]:
    return {
        "id": case_id,
        "party_key": sighting.party.key,
        "name": sighting.party.name,
        "name_key": sighting.party.name.lower(),
        "type": "person",
        "status": "open",
        "decision": "review",
        "created_at": NOW,
        "opened_at": NOW,
        "updated_at": NOW,
        "last_screening_id": "s-other-replica",
        "last_screened_at": NOW,
    }


def test_a_case_created_by_another_replica_meanwhile_is_taken_not_duplicated(engine: Engine) -> None:
    contested, fresh = _sighting("Ivan Petrov", "CUST-1"), _sighting("Olga Sidorova", "CUST-2")

    raced: list[str] = []

    def other_replica_first(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # Between this replica's read of the cases and its insert, the other one commits the contested case.
        if statement.startswith("INSERT INTO review_case") and not raced:
            raced.append(statement)
            with engine.begin() as other:
                other.execute(insert(CASES), [_case_row("case-of-the-other-replica", contested)])

    event.listen(engine, "before_cursor_execute", other_replica_first)
    try:
        with engine.begin() as connection:
            cases = intake._case_ids(connection, [contested, fresh], NOW)
    finally:
        event.remove(engine, "before_cursor_execute", other_replica_first)

    assert raced, "the insert of the cases never ran"
    assert cases[contested.party.key] == ("case-of-the-other-replica", "open")
    created_id, created_status = cases[fresh.party.key]
    assert created_status == ""  # created by this call
    with engine.connect() as connection:
        stored = {str(row.party_key): str(row.id) for row in connection.execute(select(CASES.c.party_key, CASES.c.id))}
        (count,) = connection.execute(select(func.count()).select_from(CASES)).scalars()
    assert count == 2
    assert stored == {contested.party.key: "case-of-the-other-replica", fresh.party.key: created_id}
