"""Database engine, sessions and migrations.

Migrations run at start-up of every process that opens the store, guarded on
PostgreSQL by an advisory lock so that several replicas starting together apply
them once.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson
from sqlalchemy import Engine, Table, Update, bindparam, create_engine, event, text, update
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from alembic.config import Config


def json_text(value: Any) -> str:
    """JSON columns' serializer: orjson is several times faster than json.dumps on audit payloads."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest migration in MIGRATIONS_DIR (tests/test_migrations.py holds it to alembic's head): a store
# already there is left alone without importing alembic and reading every migration (0.3 s of each start).
HEAD_REVISION = "0006"
# Any constant works; it only has to be the same in every replica.
MIGRATION_LOCK_ID = 0x5C12EE01
# The largest value an INTEGER column holds in PostgreSQL: row ids, cursors and offsets are bounded by it at
# the API, so a larger one is a 422 there rather than an overflow in the store.
MAX_STORED_INT = 2**31 - 1


def update_by_id(table: Table, *columns: str, **expressions: Any) -> Update:
    """UPDATE `table` SET each column to the parameter `b_<column>` (or to its expression) WHERE id = :b_id.

    One statement for an executemany with one dict per row. The parameters carry a prefix because
    SQLAlchemy reserves the columns' own names for the SET clause's automatic parameters.
    """
    values: dict[str, Any] = {name: bindparam(f"b_{name}") for name in columns}
    return update(table).where(table.c.id == bindparam("b_id")).values(**values, **expressions)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, json_serializer=json_text)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # WAL lets readers (index rebuilds, screenings) go on while an ingest writes.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, json_serializer=json_text)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # configparser treats % as interpolation; URL-encoded passwords and options contain it.
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Apply every pending migration (idempotent)."""
    if stored_revision(engine) == HEAD_REVISION:
        return
    from alembic import command

    config = alembic_config(engine)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            connection.commit()
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        finally:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
                connection.commit()


def stored_revision(engine: Engine) -> str | None:
    """The migration the store is at; None for a store alembic never migrated (or at more than one head)."""
    with engine.connect() as connection:
        try:
            revisions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except SQLAlchemyError:  # no such table: a new store
            return None
    return revisions[0] if len(revisions) == 1 else None


class SqliteWriteLock:
    """Takes turns with the other processes writing the same SQLite file (no-op on other databases).

    SQLite lets one writer in at a time and makes the others poll: its busy handler sleeps up to
    100 ms between tries, which is the latency tail when several workers commit audit records.
    An exclusive `flock` on a file beside the database queues them in the kernel instead, and the
    next writer wakes as soon as the current one is done. Use it from one thread per process.
    """

    def __init__(self, engine: Engine) -> None:
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self._path = Path(database + ".write-lock") if database and database != ":memory:" else None
        self._file: IO[bytes] | None = None
        self._owner: int | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        if self._path is None:
            yield
            return
        if self._file is None:
            self._file = self._path.open("ab")
            self._owner = threading.get_ident()
        if self._owner != threading.get_ident():
            raise RuntimeError("SqliteWriteLock is for one thread; flock does not exclude threads of one process")
        fcntl.flock(self._file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._file, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
