"""The audit trail: every screening stored as the caller saw it, with the list versions used.

Records are inserted once and never updated (a database trigger refuses UPDATEs);
`purge_before` deletes whole records older than the retention period.
"""

from __future__ import annotations

import base64
import functools
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import TypeAdapter
from sqlalchemy import Connection, Dialect, Engine, Table, delete, insert, or_, select
from sqlmodel import Session, col

from service.auth import Principal
from service.db import json_text
from service.errors import InvalidInput, NotFound
from service.screening.schemas import ListVersionRef, ScreenResponse
from service.screening.tables import ScreeningRecord
from service.timeutil import utc_now

_RESPONSE = TypeAdapter(ScreenResponse)
_LIST_REFS = TypeAdapter(list[ListVersionRef])


def response_json(response: ScreenResponse) -> bytes:
    """The response as the caller receives it (and as the audit trail stores it)."""
    return _RESPONSE.dump_json(response)


def record_row(
    *,
    kind: str,
    caller: str,
    request: dict[str, Any],
    response: ScreenResponse,
    batch_id: str | None = None,
    sent: bytes | None = None,
) -> dict[str, Any]:
    """The audit row of one screening. `sent`: the response body the caller got, stored as is (JSON
    columns take it as a pre-serialised fragment rather than serialising it again)."""
    return _row(
        screening_id=response.screening_id,
        screened_at=response.screened_at,
        kind=kind,
        caller=caller,
        reference=response.reference,
        decision=response.decision,
        batch_id=batch_id,
        request=request,
        response=orjson.Fragment(sent if sent is not None else response_json(response)),
        lists=orjson.Fragment(_LIST_REFS.dump_json(response.lists)),
    )


def order_record_row(
    *, caller: str, request: dict[str, Any], response: dict[str, Any], lists: list[dict[str, Any]]
) -> dict[str, Any]:
    """The audit row of an order screening (one for the order and all its parties)."""
    return _row(
        screening_id=response["screening_id"],
        screened_at=datetime.fromisoformat(response["screened_at"]),
        kind="order",
        caller=caller,
        reference=response.get("reference"),
        decision=response["decision"],
        batch_id=None,
        request=request,
        response=response,
        lists=lists,
    )


def _row(
    *,
    screening_id: str,
    screened_at: datetime,
    kind: str,
    caller: str,
    reference: str | None,
    decision: str,
    batch_id: str | None,
    request: dict[str, Any],
    response: Any,
    lists: Any,
) -> dict[str, Any]:
    """The one shape of an audit row, whatever screened: the columns `insert_records` writes."""
    return {
        "id": screening_id,
        "created_at": screened_at,
        "kind": kind,
        "caller": caller,
        "reference": reference,
        "decision": decision,
        "batch_id": batch_id,
        "request": request,
        "response": response,
        "list_versions": lists,
    }


def store_records(engine: Engine, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        with engine.begin() as connection:
            insert_records(connection, rows)


_COLUMNS = (
    "id",
    "created_at",
    "kind",
    "caller",
    "reference",
    "decision",
    "batch_id",
    "request",
    "response",
    "list_versions",
)
_JSON_COLUMNS = frozenset({"request", "response", "list_versions"})
_COPY = f"COPY screening_record ({', '.join(_COLUMNS)}) FROM STDIN"
_INSERT = f"INSERT INTO screening_record ({', '.join(_COLUMNS)}) VALUES "  # noqa: S608 - fixed column names
_RECORDS: Table = ScreeningRecord.__table__  # type: ignore[attr-defined]


# Called in the transaction that stores audit rows, with the rows whose decision is not `clear`.
RecordsListener = Callable[[Connection, Sequence[dict[str, Any]]], None]
_listeners: list[RecordsListener] = []


def on_records_stored(listener: RecordsListener) -> None:
    """Have `listener` see every screening stored from now on that is not `clear` (in the storing
    transaction, so it commits or fails with the records). The review cases register here at start:
    screening knows nothing of them. Registering a listener twice keeps one."""
    if listener not in _listeners:
        _listeners.append(listener)


def insert_records(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert audit rows in the caller's transaction, then tell the listeners of those not `clear`.

    On PostgreSQL through COPY, on SQLite as one multi-row INSERT per few thousand rows: the audit
    trail takes a row per screening, and a statement executed per row costs both sides far more.
    """
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        _copy(connection, rows)
    elif connection.dialect.name == "sqlite":
        _insert_values(connection, rows)
    else:
        connection.execute(insert(ScreeningRecord), list(rows))
    if _listeners:
        flagged = [row for row in rows if row["decision"] != "clear"]
        if flagged:
            for listener in _listeners:
                listener(connection, flagged)


def _copy(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    with (
        connection.connection.driver_connection.cursor() as cursor,  # type: ignore[union-attr]
        cursor.copy(_COPY) as copy,
    ):
        for row in rows:
            _check_aware(row)
            copy.write_row([json_text(row[column]) if column in _JSON_COLUMNS else row[column] for column in _COLUMNS])


# Rows per statement at most (SQLite's own limit on bound values may allow fewer: it is asked too).
_ROWS_PER_INSERT = 3000
_PLACEHOLDERS = "(" + ", ".join("?" * len(_COLUMNS)) + ")"


def _insert_values(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Rows in one INSERT ... VALUES statement per `_ROWS_PER_INSERT` (or fewer, as many as the SQLite
    library binds values for), each value converted by its column's type as SQLAlchemy's own INSERT
    converts it (the same stored text).

    An executemany runs one SQLite step per row, and each step releases the GIL: in a busy worker the
    audit writer could then wait for the event loop to give it back once per row, with every request
    of the group waiting on that commit.
    """
    convert = _bind_processors(connection.dialect)
    driver = connection.connection.driver_connection
    # 999 values before SQLite 3.32, 32,766 from then on unless the build changed it.
    bindable = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]
    per_statement = max(1, min(_ROWS_PER_INSERT, bindable // len(_COLUMNS)))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        values: list[Any] = []
        for row in chunk:
            _check_aware(row)
            values.extend(row[column] if process is None else process(row[column]) for column, process in convert)
        # Only the fixed column names and placeholders are joined into the text; every value is bound.
        connection.exec_driver_sql(_INSERT + ", ".join([_PLACEHOLDERS] * len(chunk)), tuple(values))


@functools.lru_cache(maxsize=8)
def _bind_processors(dialect: Dialect) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    """Each column with the converter SQLAlchemy's INSERT applies to its values; made once per dialect
    (an engine's), not at every commit."""
    return tuple((column, _RECORDS.c[column].type.dialect_impl(dialect).bind_processor(dialect)) for column in _COLUMNS)


def _check_aware(row: dict[str, Any]) -> None:
    if row["created_at"].tzinfo is None:  # what UTCDateTime refuses on SQLAlchemy's INSERT path
        raise ValueError("created_at: naive datetime given; use timezone-aware UTC")


def get_record(session: Session, screening_id: str, caller: Principal) -> ScreeningRecord:
    record = session.get(ScreeningRecord, screening_id)
    # Another caller's record is reported as missing: ids are not a way to read others' screenings.
    if record is None or (not caller.is_admin and record.caller != caller.name):
        raise NotFound(f"no screening '{screening_id}'")
    return record


def _as_utc(moment: datetime | None) -> datetime | None:
    """A time given without a zone is read as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _encode_cursor(record: ScreeningRecord) -> str:
    return base64.urlsafe_b64encode(f"{record.created_at.isoformat()}|{record.id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created, _, record_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        moment = _as_utc(datetime.fromisoformat(created))
        assert moment is not None  # noqa: S101 - fromisoformat returns a datetime
        return moment, record_id
    except ValueError as error:
        raise InvalidInput("cursor: not a cursor this API returned") from error


def query_records(
    session: Session,
    *,
    caller: Principal,
    reference: str | None,
    since: datetime | None,
    until: datetime | None,
    decision: str | None,
    kind: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[ScreeningRecord], str | None]:
    """Newest first, keyset-paginated on (created_at, id) so pages stay stable while records arrive."""
    since, until = _as_utc(since), _as_utc(until)
    statement = select(ScreeningRecord)
    if not caller.is_admin:
        statement = statement.where(col(ScreeningRecord.caller) == caller.name)
    if reference is not None:
        statement = statement.where(col(ScreeningRecord.reference) == reference)
    if since is not None:
        statement = statement.where(col(ScreeningRecord.created_at) >= since)
    if until is not None:
        statement = statement.where(col(ScreeningRecord.created_at) < until)
    if decision is not None:
        statement = statement.where(col(ScreeningRecord.decision) == decision)
    if kind is not None:
        statement = statement.where(col(ScreeningRecord.kind) == kind)
    if cursor is not None:
        created, record_id = _decode_cursor(cursor)
        statement = statement.where(
            or_(
                col(ScreeningRecord.created_at) < created,
                (col(ScreeningRecord.created_at) == created) & (col(ScreeningRecord.id) < record_id),
            )
        )
    statement = statement.order_by(col(ScreeningRecord.created_at).desc(), col(ScreeningRecord.id).desc())
    rows = list(session.execute(statement.limit(limit + 1)).scalars())
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def purge_before(engine: Engine, cutoff: datetime) -> int:
    if cutoff > utc_now():
        raise InvalidInput("older-than: the cutoff is in the future")
    with engine.begin() as connection:
        result = connection.execute(delete(ScreeningRecord).where(col(ScreeningRecord.created_at) < cutoff))
        return int(result.rowcount)
