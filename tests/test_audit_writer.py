"""The audit writer: every request's records committed before it answers, failures kept to their request."""

from __future__ import annotations

import asyncio
import fcntl
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select

from service.screening.audit_writer import AuditWriter
from service.screening.tables import ScreeningRecord


def _row(record_id: str | None = None) -> dict[str, object]:
    return {
        "id": record_id or str(uuid.uuid4()),
        "created_at": datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
        "kind": "single",
        "caller": "erp",
        "reference": "CUST-1",
        "decision": "clear",
        "batch_id": None,
        "request": {"name": "Hans Müller"},
        "response": {"decision": "clear", "matches": []},
        "list_versions": [{"source": "us_ofac_sdn", "version": 1}],
    }


def _stored(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(ScreeningRecord)).scalar_one())


@pytest.fixture
def writer(engine: Engine) -> Iterator[AuditWriter]:
    audit_writer = AuditWriter(engine)
    yield audit_writer
    audit_writer.close()


def test_rows_are_committed_when_write_returns(writer: AuditWriter, engine: Engine) -> None:
    writer.write([_row(), _row()])
    assert _stored(engine) == 2


def test_a_failed_request_fails_alone_and_the_writer_keeps_serving(writer: AuditWriter, engine: Engine) -> None:
    taken = _row()
    writer.write([taken])
    duplicate = writer.submit([_row(str(taken["id"]))])
    fine = writer.submit([_row()])
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        duplicate.result(timeout=10)
    fine.result(timeout=10)
    # The connection the failed commit used was given back; later commits work on a fresh one.
    writer.write([_row()])
    assert _stored(engine) == 3


def test_sqlite_writers_of_several_processes_take_turns(writer: AuditWriter, engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the write lock exists for SQLite only")
    lock_path = f"{engine.url.database}.write-lock"
    # flock on a file opened separately behaves as another process's lock would.
    with open(lock_path, "ab") as other_process:
        fcntl.flock(other_process, fcntl.LOCK_EX)
        pending = writer.submit([_row()])
        with pytest.raises(TimeoutError):
            pending.result(timeout=0.3)
        assert _stored(engine) == 0
        fcntl.flock(other_process, fcntl.LOCK_UN)
    pending.result(timeout=10)
    assert _stored(engine) == 1


def test_coroutines_each_wait_for_their_own_commit(writer: AuditWriter, engine: Engine) -> None:
    taken = _row()

    async def screenings() -> list[BaseException | None]:
        await writer.write_async([taken])
        concurrent = [writer.write_async([_row()]) for _ in range(20)]
        duplicate = writer.write_async([_row(str(taken["id"]))])
        return await asyncio.gather(*concurrent, duplicate, return_exceptions=True)

    outcomes = asyncio.run(screenings())
    assert outcomes[:20] == [None] * 20
    assert isinstance(outcomes[20], Exception)
    assert _stored(engine) == 21
