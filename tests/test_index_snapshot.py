"""Saved match indexes: written by the first process that builds, loaded by the next, never trusted when damaged."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from service.config import Settings
from service.matching import build_index
from service.matching.types import FeatureScore, IndexedEntry, MatchIndex, MatchThresholds, Query
from service.memory import deep_size
from service.screening.index_state import IndexHolder
from service.screening.saved_index import SavedIndexes, decode, encode, index_key
from service.screening.tables import SavedIndex
from service.sources.catalogue import CatalogueSource, load_catalogue
from tests.factories import BASE_ROWS, OfacRow, ingest_rows

# (query, the entity expected first, or None for no match)
QUERIES = [
    ("Nicolas Maduro Moros", "22790"),
    ("National Bank of Cuba", "306"),
    ("Ocean Star", "9999"),
    ("Ivan Petrov", "12345"),
    ("Johanna Unlisted", None),
]


@pytest.fixture
def sdn_source(settings: Settings) -> CatalogueSource:
    return load_catalogue(settings.lists_dir).get("us_ofac_sdn")


class Builds:
    """`build_index`, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, entries: Iterable[IndexedEntry]) -> MatchIndex:
        self.calls += 1
        return build_index(entries)


def _refreshed(engine: Engine, builds: Builds, saved: SavedIndexes) -> IndexHolder:
    holder = IndexHolder(engine, builds, saved=saved)
    assert holder.refresh()
    return holder


def _results(holder: IndexHolder) -> list[list[tuple[str, float, str, str, list[FeatureScore]]]]:
    """Per query in QUERIES: each match's entity, score, decision, matched name and explained features."""
    snapshot = holder.snapshot
    assert snapshot is not None
    return [
        [
            (match.entry.entity_id, match.score, match.decision, match.matched_name, match.features)
            for match in snapshot.index.search(Query(name=name), thresholds=MatchThresholds(), limit=10)
        ]
        for name, _ in QUERIES
    ]


def _corrupt_saved(engine: Engine) -> None:
    """Overwrite the end of the one saved index, as a bad disk or a half-applied restore would."""
    with Session(engine) as session:
        row = session.exec(select(SavedIndex)).one()
        damaged = row.data[:-64] + bytes(64)
        session.execute(update(SavedIndex).where(col(SavedIndex.key) == row.key).values(data=damaged))
        session.commit()


def test_a_second_holder_loads_the_saved_index_and_screens_the_same(
    engine: Engine, sdn_source: CatalogueSource
) -> None:
    ingest_rows(engine, sdn_source, BASE_ROWS)
    builds = Builds()
    first = _refreshed(engine, builds, SavedIndexes(engine))
    second = _refreshed(engine, builds, SavedIndexes(engine))
    assert builds.calls == 1
    assert first.snapshot is not None and not first.snapshot.loaded
    assert second.snapshot is not None and second.snapshot.loaded
    assert second.snapshot.versions == first.snapshot.versions
    assert _results(second) == _results(first)
    # The loading holder reports the builder's measurement, and it is true of the loaded index too (near, not
    # equal: the searches above grew the index's lazy caches a little).
    assert second.snapshot.memory_bytes == first.snapshot.memory_bytes > 0
    assert abs(deep_size(second.snapshot.index) - second.snapshot.memory_bytes) < 0.1 * second.snapshot.memory_bytes
    best = [matches[0][0] if matches else None for matches in _results(second)]
    assert best == [expected for _, expected in QUERIES]


def test_a_saved_index_read_in_pieces_loads_whole(engine: Engine, sdn_source: CatalogueSource) -> None:
    ingest_rows(engine, sdn_source, BASE_ROWS)
    builds = Builds()
    expected = _results(_refreshed(engine, builds, SavedIndexes(engine)))
    with Session(engine) as session:
        size = session.exec(select(SavedIndex)).one().size
    # Pieces of 1,000 bytes, and one odd size that leaves a short last piece.
    for read_chunk in (1_000, size // 3 + 7):
        assert size > read_chunk
        loaded = _refreshed(engine, builds, SavedIndexes(engine, read_chunk=read_chunk))
        assert loaded.snapshot is not None and loaded.snapshot.loaded
        assert _results(loaded) == expected
    assert builds.calls == 1


def test_a_new_list_version_is_built_and_saved_under_a_new_key(engine: Engine, sdn_source: CatalogueSource) -> None:
    ingest_rows(engine, sdn_source, BASE_ROWS)
    builds = Builds()
    saved = SavedIndexes(engine)
    _refreshed(engine, builds, saved)
    ingest_rows(engine, sdn_source, [*BASE_ROWS, OfacRow(777, "ZARYA SHIPPING LLC", programs="IRAN")])
    holder = _refreshed(engine, builds, saved)
    assert builds.calls == 2
    assert holder.snapshot is not None and not holder.snapshot.loaded
    found = holder.snapshot.index.search(Query(name="Zarya Shipping"), thresholds=MatchThresholds(), limit=5)
    assert [match.entry.entity_id for match in found] == ["777"]
    assert saved.count() == 2
    assert _refreshed(engine, builds, saved).snapshot.loaded  # type: ignore[union-attr]


def test_a_damaged_saved_index_is_rebuilt_and_replaced(engine: Engine, sdn_source: CatalogueSource) -> None:
    ingest_rows(engine, sdn_source, BASE_ROWS)
    builds = Builds()
    expected = _results(_refreshed(engine, builds, SavedIndexes(engine)))
    _corrupt_saved(engine)
    rebuilt = _refreshed(engine, builds, SavedIndexes(engine))
    assert builds.calls == 2
    assert rebuilt.snapshot is not None and not rebuilt.snapshot.loaded
    assert _results(rebuilt) == expected
    reloaded = _refreshed(engine, builds, SavedIndexes(engine))
    assert reloaded.snapshot is not None and reloaded.snapshot.loaded
    assert builds.calls == 2


def test_the_local_copy_is_used_and_a_torn_one_is_ignored(
    engine: Engine, sdn_source: CatalogueSource, tmp_path: Path
) -> None:
    ingest_rows(engine, sdn_source, BASE_ROWS)
    builds = Builds()
    cache = tmp_path / "index-cache"
    expected = _results(_refreshed(engine, builds, SavedIndexes(engine, cache_dir=cache)))
    (copy,) = cache.glob("*.index")
    _corrupt_saved(engine)  # from here on, only the local copy holds a good index
    assert _results(_refreshed(engine, builds, SavedIndexes(engine, cache_dir=cache))) == expected
    assert builds.calls == 1
    copy.write_bytes(copy.read_bytes()[: copy.stat().st_size // 2])  # a copy cut short by a crash
    holder = _refreshed(engine, builds, SavedIndexes(engine, cache_dir=cache))
    assert holder.snapshot is not None and not holder.snapshot.loaded
    assert _results(holder) == expected


def test_two_processes_building_at_once_keep_one_good_copy(engine: Engine, sdn_source: CatalogueSource) -> None:
    ingest_rows(engine, sdn_source, BASE_ROWS)
    both_building = threading.Barrier(2, timeout=60)

    def build_together(entries: Iterable[IndexedEntry]) -> MatchIndex:
        both_building.wait()  # neither finds a saved index: both build, then both save
        return build_index(entries)

    holders = [IndexHolder(engine, build_together, saved=SavedIndexes(engine)) for _ in range(2)]
    threads = [threading.Thread(target=holder.refresh) for holder in holders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(holder.snapshot is not None and not holder.snapshot.loaded for holder in holders)
    assert SavedIndexes(engine).count() == 1
    builds = Builds()
    assert _refreshed(engine, builds, SavedIndexes(engine)).snapshot.loaded  # type: ignore[union-attr]
    assert builds.calls == 0


def test_only_the_newest_saved_indexes_are_kept(engine: Engine, sdn_source: CatalogueSource) -> None:
    ingest_rows(engine, sdn_source, BASE_ROWS)
    holder = _refreshed(engine, Builds(), SavedIndexes(engine))
    assert holder.snapshot is not None
    index = holder.snapshot.index
    saved = SavedIndexes(engine, keep=2)
    keys = [index_key([("us_ofac_sdn", number, None)]) for number in range(1, 5)]
    for key in keys:
        saved.save(key, index, 1)  # type: ignore[arg-type]
    assert saved.count() == 2
    assert saved.load(keys[-1]) is not None
    assert saved.load(keys[0]) is None


def test_a_copy_saved_under_another_key_does_not_load(engine: Engine, sdn_source: CatalogueSource) -> None:
    ingest_rows(engine, sdn_source, BASE_ROWS)
    holder = _refreshed(engine, Builds(), SavedIndexes(engine))
    assert holder.snapshot is not None
    key, other = index_key([("us_ofac_sdn", 1, "a")]), index_key([("us_ofac_sdn", 1, "b")])
    data = encode(key, holder.snapshot.index, 12_345)  # type: ignore[arg-type]
    loaded = decode(key, data)
    assert loaded is not None and loaded.memory_bytes == 12_345
    assert decode(other, data) is None
    assert decode(key, data[:100]) is None
