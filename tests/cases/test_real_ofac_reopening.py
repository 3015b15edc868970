"""Acceptance: decided cases reopen when the real OFAC SDN list moves from July 2021 to its 2024 state.

Starla (a vessel) cleared as a false positive in 2021 and Pavel Kanishchev confirmed as a true match
both have entries that the 2024 list changed: both cases reopen, with the new version named, without
anyone screening them again.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.cases.reopening import reopen_after_list_updates
from service.config import Settings
from service.main import create_app
from service.sources.catalogue import load_catalogue
from service.sources.ingest import IngestOptions, ingest_files
from service.sources.parsers import SourceFile
from tests.cases.conftest import auth, decide, screen
from tests.factories import METRICS

OFAC_FILES = ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")
STARLA = {"name": "Starla", "type": "vessel", "reference": "CLR-1"}
KANISHCHEV = {"name": "Pavel Kanishchev", "type": "person", "reference": "CHG-1"}


def _ingest(engine: Engine, settings: Settings, directory: Path) -> int:
    files = [SourceFile(name, (directory / name).read_bytes()) for name in OFAC_FILES]
    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    outcome = ingest_files(
        engine=engine, source=source, files=files, origin=directory.name, options=IngestOptions(), metrics=METRICS
    )
    assert outcome.status == "activated"
    assert outcome.version_id is not None
    return outcome.version_id


def test_cases_reopen_when_the_2024_list_changes_their_entries(
    engine: Engine, settings: Settings, keys: dict[str, str], lists_data_dir: Path
) -> None:
    ofac = lists_data_dir / "ofac_sdn"
    _ingest(engine, settings, ofac / "consistent_set_2021-07")
    # No background rounds after start-up: the sweep is called below, and the index is not rebuilt for nothing.
    quiet = {"index_poll_seconds": 3600, "monitor_poll_seconds": 3600}
    app = create_app(settings.model_copy(update={"review_threshold": 0.95, "api_key_cache_seconds": 0, **quiet}))
    with TestClient(app) as client:
        reviewer = auth(keys["review"])
        cases = {}
        for party, action, reason in (
            (STARLA, "false_positive", "different_entity_type"),
            (KANISHCHEV, "true_match", "confirmed_identity"),
        ):
            first = screen(client, keys, party)
            assert first["decision"] != "clear"
            listed = client.get("/v1/cases", params={"q": party["reference"]}, headers=reviewer).json()["items"]
            case_id = listed[0]["id"]
            response = decide(
                client, keys["review"], case_id, action=action, reason_code=reason, comment="2021 review."
            )
            assert response.json()["case"]["status"] == "closed", response.text
            cases[party["reference"]] = case_id
        assert screen(client, keys, STARLA)["decision"] == "clear"

        version = _ingest(engine, settings, ofac)
        assert reopen_after_list_updates(engine) >= len(cases)
        for reference, case_id in cases.items():
            case = client.get(f"/v1/cases/{case_id}", headers=reviewer).json()
            assert case["status"] == "open", reference
            reopened = case["history"][-1]
            assert (reopened["action"], reopened["actor"]) == ("hits.reopened", "list-update")
            assert reopened["details"] == {"reason": "entry_changed", "source": "us_ofac_sdn", "version_id": version}
            assert [hit["state"] for hit in case["hits"] if hit["id"] in reopened["hit_ids"]] == ["open"]
