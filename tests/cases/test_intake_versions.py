"""Case intake reads each matched entry as it was in the list version screened, across list updates."""

from __future__ import annotations

from sqlalchemy import Engine, select

from service.cases import intake
from service.cases.intake import HITS
from service.config import Settings
from service.matching import build_index
from service.metrics import Metrics
from service.screening.index_state import IndexHolder
from service.screening.pipeline import local_context, screen
from service.screening.schemas import PartyIn
from service.sources.tables import ListEntry
from tests.cases.conftest import PETROV, ingest
from tests.factories import BASE_ROWS, OfacRow

METRICS = Metrics(multiprocess=False)


def _screen_petrov(engine: Engine, settings: Settings) -> tuple[int, str]:
    """Screen Petrov against the lists now active; (the version screened, the hit's stored entry hash)."""
    holder = IndexHolder(engine, build_index)
    holder.refresh()
    assert holder.snapshot is not None
    (screened,) = screen(
        local_context(engine, settings, holder.snapshot, "test", METRICS), [PartyIn(**PETROV)], kind="single"
    )
    assert screened.response.decision != "clear"
    (version,) = [ref.version for ref in screened.response.lists if ref.source == "us_ofac_sdn"]
    with engine.connect() as connection:
        (entry_hash,) = connection.execute(select(HITS.c.entry_hash).where(HITS.c.entity_id == "12345")).scalars()
    return version, entry_hash


def _content_hash(engine: Engine, version: int) -> str:
    with engine.connect() as connection:
        statement = select(ListEntry.content_hash).where(  # type: ignore[call-overload]
            ListEntry.version_id == version, ListEntry.entity_id == "12345"
        )
        return str(connection.execute(statement).scalar_one())


def test_a_hit_takes_the_content_of_the_version_screened_after_a_list_update(
    engine: Engine, settings: Settings
) -> None:
    intake.install()
    ingest(engine, settings, "us_ofac_sdn", BASE_ROWS)
    first_version, first_hash = _screen_petrov(engine, settings)
    assert first_hash == _content_hash(engine, first_version)

    changed = [
        row if row.ent_num != 12345 else OfacRow(**{**row.__dict__, "remarks": "DOB 01 Feb 1971."}) for row in BASE_ROWS
    ]
    ingest(engine, settings, "us_ofac_sdn", changed)
    second_version, second_hash = _screen_petrov(engine, settings)

    assert second_version != first_version
    assert second_hash == _content_hash(engine, second_version) != first_hash
