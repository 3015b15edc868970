"""GET /metrics of the running app reports what happened: ingests, screenings, matches, lists, index."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from service.config import Settings
from service.errors import ListFileError
from service.main import create_app
from service.metrics import get_metrics, reset_metrics
from service.sources.catalogue import load_catalogue
from service.sources.ingest import IngestOptions, ingest_files
from service.sources.parsers import SourceFile
from tests.factories import BASE_ROWS, ofac_csv_set


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_after_ingests_and_screenings(engine: Engine, settings: Settings) -> None:
    reset_metrics()
    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    ingest_files(
        engine=engine,
        source=source,
        files=ofac_csv_set(BASE_ROWS),
        origin="t",
        options=IngestOptions(),
        metrics=get_metrics(),
    )
    with pytest.raises(ListFileError):
        ingest_files(
            engine=engine,
            source=source,
            files=[SourceFile("sdn.csv", b"1,")],
            origin="t",
            options=IngestOptions(),
            metrics=get_metrics(),
        )
    with TestClient(create_app(settings)) as client:
        for name in ("Nicolas Maduro Moros", "MADURO MOROS, Nicolas", "Hans Müller"):
            assert client.post("/v1/screen", json={"name": name}).status_code == 200
        batch = {"parties": [{"name": "Banco Nacional de Cuba"}, {"name": ""}]}
        assert client.post("/v1/screen/batch", json=batch).status_code == 200
        assert client.post("/v1/screen", json={"name": ""}).status_code == 422
        response = client.get("/metrics")
    assert response.status_code == 200
    samples = _samples(response.text)
    screened = {labels: value for (name, labels), value in samples.items() if name == "screening_screenings_total"}
    assert screened[(("decision", "clear"), ("kind", "single"))] == 1
    assert sum(v for k, v in screened.items() if ("kind", "single") in k) == 3
    assert sum(v for k, v in screened.items() if ("kind", "batch") in k) == 1
    matches = sum(v for (name, labels), v in samples.items() if name == "screening_matches_total")
    assert matches >= 3
    assert samples[("screening_list_records", (("source", "us_ofac_sdn"),))] == 4
    assert samples[("screening_list_records", (("source", "eu_fsf"),))] == 0
    assert samples[("screening_ingest_failures_total", (("source", "us_ofac_sdn"),))] == 1
    assert samples[("screening_ingest_last_failure_timestamp_seconds", (("source", "us_ofac_sdn"),))] > 0
    assert 0 <= samples[("screening_list_age_seconds", (("source", "us_ofac_sdn"),))] < 600
    assert samples[("screening_index_entries", ())] == 4
    assert samples[("screening_index_names", ())] >= 6
    requests = {labels: value for (name, labels), value in samples.items() if name == "screening_http_requests_total"}
    assert requests[(("method", "POST"), ("route", "/v1/screen"), ("status", "200"))] == 3
    assert requests[(("method", "POST"), ("route", "/v1/screen"), ("status", "422"))] == 1
    # No label anywhere carries a screened name.
    assert "Maduro" not in response.text and "Müller" not in response.text
