"""Ingestion into the store: versions, safe activation, change reports, pruning and the lease."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from service.config import Settings
from service.errors import IngestLocked, ListFileError, ListValidationError
from service.sources.catalogue import CatalogueSource, load_catalogue
from service.sources.ingest import IngestOptions, IngestOutcome, ingest_files
from service.sources.lease import ingest_lease
from service.sources.parsers import SourceFile
from service.sources.tables import ListChange, ListEntry, ListVersion
from tests.factories import BASE_ROWS, METRICS, OfacRow, ingest_rows, ofac_csv_set


@pytest.fixture
def sdn_source(settings: Settings) -> CatalogueSource:
    return load_catalogue(settings.lists_dir).get("us_ofac_sdn")


def _versions(engine: Engine) -> list[tuple[int, str, str | None]]:
    with Session(engine) as session:
        rows = session.execute(select(ListVersion).order_by(col(ListVersion.id))).scalars().all()
        return [(row.id or 0, row.status, row.error) for row in rows]


_ingest = ingest_rows


def test_first_ingest_activates_a_version(engine: Engine, sdn_source: CatalogueSource) -> None:
    outcome = _ingest(engine, sdn_source, BASE_ROWS)
    assert outcome.status == "activated"
    assert outcome.record_count == 4
    assert outcome.added == 4
    assert _versions(engine) == [(outcome.version_id, "active", None)]


def test_same_content_makes_no_new_version(engine: Engine, sdn_source: CatalogueSource) -> None:
    first = _ingest(engine, sdn_source, BASE_ROWS)
    second = _ingest(engine, sdn_source, BASE_ROWS)
    assert second.status == "unchanged"
    assert second.version_id == first.version_id
    assert len(_versions(engine)) == 1


def test_corrupt_file_fails_and_keeps_the_active_version(engine: Engine, sdn_source: CatalogueSource) -> None:
    good = _ingest(engine, sdn_source, BASE_ROWS)
    files = ofac_csv_set(BASE_ROWS[:2])
    truncated = [files[0].__class__("sdn.csv", files[0].content[:40])]
    with pytest.raises(ListFileError, match=r"sdn\.csv"):
        ingest_files(
            engine=engine, source=sdn_source, files=truncated, origin="t", options=IngestOptions(), metrics=METRICS
        )
    versions = _versions(engine)
    assert versions[0] == (good.version_id, "active", None)
    assert versions[1][1] == "failed"
    assert versions[1][2] is not None and "sdn.csv" in versions[1][2]
    with Session(engine) as session:
        leftovers = session.execute(select(ListEntry).where(col(ListEntry.version_id) == versions[1][0])).all()
    assert leftovers == []


def test_shrunk_list_needs_force(engine: Engine, sdn_source: CatalogueSource) -> None:
    _ingest(engine, sdn_source, BASE_ROWS)
    with pytest.raises(ListValidationError, match="shrunk by 75%"):
        _ingest(engine, sdn_source, BASE_ROWS[:1], max_shrink_fraction=0.5)
    assert [status for _, status, _ in _versions(engine)] == ["active", "failed"]
    forced = _ingest(engine, sdn_source, BASE_ROWS[:1], max_shrink_fraction=0.5, force=True)
    assert forced.status == "activated"
    assert [status for _, status, _ in _versions(engine)] == ["superseded", "failed", "active"]


def test_change_report_against_previous_version(engine: Engine, sdn_source: CatalogueSource) -> None:
    _ingest(engine, sdn_source, BASE_ROWS)
    changed = OfacRow(306, "BANCO NACIONAL DE CUBA", programs="CUBA", aliases=["BNC", "NATIONAL BANK OF CUBA"])
    new_rows = [BASE_ROWS[0], changed, BASE_ROWS[2], OfacRow(50000, "NEW TRADING LLC", programs="RUSSIA-EO14024")]
    outcome = _ingest(engine, sdn_source, new_rows)
    assert (outcome.added, outcome.removed, outcome.changed) == (1, 1, 1)
    with Session(engine) as session:
        report = session.get(ListChange, outcome.version_id)
    assert report is not None
    assert (report.added, report.removed, report.changed) == (["50000"], ["12345"], ["306"])


def test_old_versions_are_pruned(engine: Engine, sdn_source: CatalogueSource) -> None:
    for extra in range(4):
        _ingest(engine, sdn_source, [*BASE_ROWS, OfacRow(60000 + extra, f"EXTRA {extra}")], keep_versions=2)
    versions = _versions(engine)
    assert [status for _, status, _ in versions] == ["superseded", "active"]
    with Session(engine) as session:
        stored_versions = set(session.execute(select(col(ListEntry.version_id)).distinct()).scalars())
    assert stored_versions == {version_id for version_id, _, _ in versions}


def test_a_held_lease_blocks_a_second_ingest(engine: Engine, sdn_source: CatalogueSource) -> None:
    with ingest_lease(engine, "us_ofac_sdn"):
        with pytest.raises(IngestLocked, match="already running"):
            _ingest(engine, sdn_source, BASE_ROWS)
    assert _ingest(engine, sdn_source, BASE_ROWS).status == "activated"


def test_opensanctions_delta_applies_to_the_active_version(engine: Engine, settings: Settings, lists_data_dir) -> None:  # type: ignore[no-untyped-def]
    source = load_catalogue(settings.lists_dir).get("opensanctions")
    directory = lists_data_dir / "opensanctions_ftm"
    delta = [SourceFile("entities.delta.json", (directory / "entities.delta.SAMPLE_2024-05.json").read_bytes())]

    def ingest(files: list[SourceFile], options: IngestOptions) -> IngestOutcome:
        return ingest_files(engine=engine, source=source, files=files, origin="t", options=options, metrics=METRICS)

    with pytest.raises(ListValidationError, match="needs an active version"):
        ingest(delta, IngestOptions(format="ftm_delta_json"))
    full = [SourceFile("entities.ftm.json", (directory / "entities.ftm.SAMPLE_eu_fsf_2024.json").read_bytes())]
    base = ingest(full, IngestOptions())
    assert base.record_count == 6
    applied = ingest(delta, IngestOptions(format="ftm_delta_json"))
    assert applied.status == "activated"
    assert applied.record_count == 6 + applied.added - applied.removed
    assert applied.added > 500
