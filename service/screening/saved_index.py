"""Saved match indexes: a process that finds one for the store's active list versions loads it instead of building.

Building the index for all seven full lists (reading the entries included) costs about seven
times the CPU of loading a saved one (bench/startup.py). The first process that builds an
index for a set of active versions saves it in the store (the one medium every replica
shares), under a key made of those versions and of the matching code, so a new list version
or a code change gives a new key and a fresh build. The CLI also keeps a copy under the data
directory, read without a round trip to the store.

A saved index is a pickle (`matching.snapshot.dump_index`; bench/startup.py compares it with the
alternatives). Unpickling runs whatever code the bytes name, which is acceptable here because
the bytes come from the store alone, or from the data directory beside it: whoever can write
either can already change the lists, the API keys and the audit trail. What must never load is
a torn or damaged copy, or one that older code wrote, so each copy is framed as

    MAGIC | key (64 hex characters) | sha256 of the rest (32 bytes) | memory size (8 bytes) | zlib-compressed pickle

and is unpickled only when the magic, the key and the checksum all agree. Anything else is
discarded and the index rebuilt: a saved index only ever saves time.

The memory size is what the builder measured its index's objects to hold (`service.memory.deep_size`).
An unpickled index is the same object graph, so a process that loads it reports that figure without
walking a hundred thousand names itself, which would hold the interpreter for seconds while it serves.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import struct
import sys
import tempfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy
from sqlalchemy import Engine, LargeBinary, bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from service import matching
from service.matching.index import Index
from service.matching.snapshot import dump_index, load_index
from service.screening.tables import SavedIndex
from service.timeutil import utc_now

log = logging.getLogger(__name__)

MAGIC = b"SCRIDX02"
FORMAT = "saved-index/2"  # bump when the frame or the payload changes in a way the code hash cannot see
KEY_LENGTH = 64
DIGEST_LENGTH = 32
SIZE = struct.Struct("<Q")
HEADER_LENGTH = len(MAGIC) + KEY_LENGTH + DIGEST_LENGTH
KEEP_SAVED = 3  # saved indexes kept: the current versions' and a few older ones still served during a rollout
# zlib level 1: 39% of the pickle's size, in a third of level 6's time (which saves 10% more);
# decompressing costs about a sixth of the unpickling. lz4 would decompress 0.1-0.2 s faster
# but store 40% more, and be one more dependency (bench/startup.py --formats).
COMPRESSION_LEVEL = 1
CACHE_SUFFIX = ".index"
# The stored copy is read in pieces of this size: psycopg fetches a bytea value as hex text, and the
# buffers of one 12 MB value stayed resident after they were freed (26 MiB of a replica's memory on
# PostgreSQL, against 4 MiB read in pieces).
READ_CHUNK = 1 << 20

_SERVICE = Path(__file__).resolve().parent.parent
# The code whose objects a saved index holds, or that decides what a build makes of the entries.
_CODE_FILES = (
    *sorted((_SERVICE / "matching").glob("*.py")),
    _SERVICE / "sources" / "model.py",
    Path(__file__).resolve(),
)


@functools.cache
def code_version() -> str:
    """A hash of the matching code, this module and the runtime that unpickles: any change gives new keys."""
    digest = hashlib.sha256(FORMAT.encode())
    digest.update(f"python {sys.version_info[0]}.{sys.version_info[1]} numpy {numpy.__version__}".encode())
    # Compiled and plain replicas never share a saved index: they pickle alike today, but nothing holds them to it.
    digest.update(b"compiled" if matching.COMPILED else b"plain")
    for path in _CODE_FILES:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def index_key(versions: Iterable[tuple[str, int, str | None]]) -> str:
    """The key of the index over these (source, version id, content sha256) active versions."""
    digest = hashlib.sha256(code_version().encode())
    for source, version_id, sha256 in sorted(versions, key=lambda item: (item[0], item[1])):
        digest.update(f"\n{source}\t{version_id}\t{sha256 or ''}".encode())
    return digest.hexdigest()


@dataclass(slots=True, frozen=True)
class LoadedIndex:
    index: Index
    memory_bytes: int  # as the process that built it measured it


def encode(key: str, index: Index, memory_bytes: int) -> bytes:
    rest = SIZE.pack(memory_bytes) + zlib.compress(dump_index(index), COMPRESSION_LEVEL)
    return MAGIC + key.encode("ascii") + hashlib.sha256(rest).digest() + rest


def decode(key: str, data: bytes) -> LoadedIndex | None:
    """The index framed in `data` when it is whole and saved under `key`; None otherwise (never raises)."""
    if len(data) <= HEADER_LENGTH + SIZE.size or not data.startswith(MAGIC):
        return None
    if data[len(MAGIC) : len(MAGIC) + KEY_LENGTH] != key.encode("ascii"):
        return None
    rest = memoryview(data)[HEADER_LENGTH:]
    if hashlib.sha256(rest).digest() != data[HEADER_LENGTH - DIGEST_LENGTH : HEADER_LENGTH]:
        return None
    (memory_bytes,) = SIZE.unpack_from(rest)
    try:
        return LoadedIndex(load_index(zlib.decompress(rest[SIZE.size :])), memory_bytes)
    except Exception:  # a checked copy that still fails to load (a missing class, say) is rebuilt, never fatal
        log.warning("saved match index %s did not load; rebuilding", key[:12], exc_info=True)
        return None


class SavedIndexes:
    """Saved indexes in the store, and (when `cache_dir` is given) copies in a local folder."""

    def __init__(
        self, engine: Engine, *, cache_dir: Path | None = None, keep: int = KEEP_SAVED, read_chunk: int = READ_CHUNK
    ) -> None:
        self.engine = engine
        self.cache_dir = cache_dir
        self.keep = keep
        self.read_chunk = read_chunk

    def load(self, key: str) -> LoadedIndex | None:
        """The saved index under `key`, from the local copy or else the store; None when neither holds a good one."""
        loaded = self._load_cached(key)
        if loaded is not None:
            return loaded
        data = self._read(key)
        if data is None:
            return None
        loaded = decode(key, data)
        if loaded is None:
            log.warning("saved match index %s is damaged; discarding it", key[:12])
            self._discard(key)
            return None
        self._write_cache(key, data)
        return loaded

    def save(self, key: str, index: Index, memory_bytes: int) -> None:
        """Save `index` (whose objects hold `memory_bytes`) under `key` unless some process already did, then prune
        the oldest."""
        with Session(self.engine) as session:
            exists = session.execute(select(col(SavedIndex.key)).where(col(SavedIndex.key) == key)).first()
        if exists is not None:
            return
        data = encode(key, index, memory_bytes)
        row = {"key": key, "created_at": utc_now(), "entry_count": index.entry_count, "size": len(data), "data": data}
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        # Insert-if-absent: two processes that built the same index at once both try, one row is kept.
        statement = dialect.insert(SavedIndex).values(**row).on_conflict_do_nothing(index_elements=["key"])
        with Session(self.engine) as session:
            session.execute(statement)
            newest = select(col(SavedIndex.key)).order_by(col(SavedIndex.created_at).desc()).limit(self.keep).subquery()
            session.execute(delete(SavedIndex).where(col(SavedIndex.key).not_in(select(newest.c.key))))
            session.commit()
        log.info("match index saved: %s, %.1f MB", key[:12], len(data) / 1e6)
        self._write_cache(key, data)

    def _read(self, key: str) -> bytes | None:
        """The stored copy under `key`, read `read_chunk` bytes at a time; a copy replaced meanwhile fails `decode`."""
        row = col(SavedIndex.key) == key
        with Session(self.engine) as session:
            size = session.execute(select(func.length(col(SavedIndex.data))).where(row)).scalar()
            if size is None:
                return None
            piece = func.substr(col(SavedIndex.data), bindparam("start"), self.read_chunk, type_=LargeBinary)
            statement = select(piece).where(row)
            pieces: list[bytes] = []
            for start in range(1, size + 1, self.read_chunk):  # SQL counts bytes from 1
                chunk = session.execute(statement, {"start": start}).scalar()
                if chunk is None:  # pruned by another process meanwhile
                    return None
                pieces.append(chunk)
        return b"".join(pieces)

    def count(self) -> int:
        with Session(self.engine) as session:
            return int(session.execute(select(func.count()).select_from(SavedIndex)).scalar_one())

    def _discard(self, key: str) -> None:
        # So that the rebuild can save a good one under the same key (the insert keeps an existing row).
        with Session(self.engine) as session:
            session.execute(delete(SavedIndex).where(col(SavedIndex.key) == key))
            session.commit()

    def _cache_path(self, key: str) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / f"{key}{CACHE_SUFFIX}"

    def _load_cached(self, key: str) -> LoadedIndex | None:
        path = self._cache_path(key)
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        loaded = decode(key, data)
        if loaded is None:
            log.warning("local copy of match index %s is damaged; discarding it", key[:12])
            path.unlink(missing_ok=True)
        return loaded

    def _write_cache(self, key: str, data: bytes) -> None:
        """Write the local copy beside its final name, then rename: a reader sees all of it or nothing."""
        path = self._cache_path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".saving-")
        except OSError as error:
            # A read-only or full data directory only costs the next process a read from the store.
            log.warning("could not keep a local copy of the match index in %s: %s", path.parent, error)
            return
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except OSError as error:
            log.warning("could not keep a local copy of the match index in %s: %s", path.parent, error)
            Path(temporary).unlink(missing_ok=True)
            return
        copies = sorted(path.parent.glob(f"*{CACHE_SUFFIX}"), key=lambda item: item.stat().st_mtime, reverse=True)
        for old in copies[self.keep :]:
            old.unlink(missing_ok=True)
