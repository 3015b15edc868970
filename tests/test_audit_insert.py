"""Audit rows as the store keeps them: the fast insert paths (COPY, multi-row INSERT) store exactly what
SQLAlchemy's own INSERT stores, and refuse what it refuses."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine, insert, select, text

from service.ids import uuid4_text
from service.screening.audit import insert_records
from service.screening.tables import ScreeningRecord


def _row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uuid4_text(),
        "created_at": datetime(2026, 12, 3, 9, 30, 15, 123456, tzinfo=UTC),
        "kind": "batch",
        "caller": "erp",
        "reference": "CUST-7",
        # `clear`: a listener installed by another test (the case intake) sees only flagged screenings.
        "decision": "clear",
        "batch_id": "5d0c39a4-1d52-4a43-9a4e-0e7f3c1f2b11",
        "request": {"name": "Пётр Иванов", "country": "RU"},
        "response": orjson.Fragment(b'{"decision":"clear","matches":[],"lists":[{"source":"us_ofac_sdn"}]}'),
        "list_versions": [{"source": "us_ofac_sdn", "version": 3}],
    }
    return {**row, **changes}


def _raw(engine: Engine, record_id: str) -> tuple[Any, ...]:
    """The stored row as the database returns it, before any type conversion."""
    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM screening_record WHERE id = :id"), {"id": record_id}).one()
    return tuple(row)[1:]  # the id differs by construction


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"reference": None, "batch_id": None},
        {"created_at": datetime(2026, 1, 1, tzinfo=UTC), "request": {"name": "李伟", "limit": 5}},
    ],
    ids=["every column", "nulls", "whole second, CJK name"],
)
def test_a_record_is_stored_as_sqlalchemys_insert_stores_it(engine: Engine, changes: dict[str, Any]) -> None:
    by_sqlalchemy, by_fast_path = _row(**changes), _row(**changes)
    with engine.begin() as connection:
        connection.execute(insert(ScreeningRecord), [by_sqlalchemy])
        insert_records(connection, [by_fast_path])
    assert _raw(engine, by_fast_path["id"]) == _raw(engine, by_sqlalchemy["id"])


def test_thousands_of_records_in_one_call_are_all_stored(engine: Engine) -> None:
    rows = [_row() for _ in range(7001)]  # more rows than one SQLite statement takes
    with engine.begin() as connection:
        insert_records(connection, rows)
    with engine.connect() as connection:
        stored = set(connection.execute(select(ScreeningRecord.id)).scalars())  # type: ignore[call-overload]
    assert stored == {row["id"] for row in rows}


def test_a_time_without_a_zone_is_refused_and_nothing_is_stored(engine: Engine) -> None:
    with pytest.raises(ValueError, match="created_at: naive datetime"), engine.begin() as connection:
        naive = datetime(2026, 12, 3, 9, 30)  # noqa: DTZ001 - the time refused
        insert_records(connection, [_row(), _row(created_at=naive)])
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM screening_record")).scalar_one() == 0


def test_an_sqlite_library_binding_few_values_still_stores_every_record(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's limit on bound values")
    rows = [_row() for _ in range(7)]
    with engine.begin() as connection:
        driver = connection.connection.driver_connection
        driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 25)  # type: ignore[union-attr] # two rows a statement
        insert_records(connection, rows)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM screening_record")).scalar_one() == 7
