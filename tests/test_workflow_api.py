"""ERP workflow over HTTP: API keys and scopes, batch, audit trail and clearances."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import col

from service.auth import create_key, revoke_key
from service.config import Settings
from service.main import create_app
from service.screening.clearances import create_clearance, revoke_clearance
from service.screening.tables import Clearance
from service.sources.catalogue import load_catalogue
from service.timeutil import utc_now
from tests.factories import BASE_ROWS, OfacRow, ingest_rows

MADURO = {"name": "Nicolas Maduro Moros", "reference": "CUST-1"}


def _ingest(engine: Engine, settings: Settings, rows: list[OfacRow]) -> None:
    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    ingest_rows(engine, source, rows)


@pytest.fixture
def keys(engine: Engine) -> dict[str, str]:
    return {"admin": create_key(engine, "compliance", "admin"), "screen": create_key(engine, "erp", "screen")}


@pytest.fixture
def client(engine: Engine, settings: Settings, keys: dict[str, str]) -> Iterator[TestClient]:
    _ingest(engine, settings, BASE_ROWS)
    # Keys are checked on every request here (no cache): revocation must show at once.
    app = create_app(settings.model_copy(update={"max_batch": 5, "api_key_cache_seconds": 0}))
    with TestClient(app) as test_client:
        yield test_client


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_key_is_required_once_keys_exist(client: TestClient, keys: dict[str, str]) -> None:
    assert client.post("/v1/screen", json=MADURO).status_code == 401
    assert client.post("/v1/screen", json=MADURO, headers={"Authorization": "Bearer sk_nope_nope"}).status_code == 401
    assert client.post("/v1/screen", json=MADURO, headers=_auth(keys["screen"])).status_code == 200
    assert client.post("/v1/screen", json=MADURO, headers={"X-API-Key": keys["screen"]}).status_code == 200
    for path in ("/healthz", "/readyz"):
        assert client.get(path).status_code == 200


def test_wrong_scope_is_403(client: TestClient, keys: dict[str, str]) -> None:
    body = {"source": "us_ofac_sdn", "entity_id": "22790", "reference": "CUST-1", "reason": "not him"}
    response = client.post("/v1/clearances", json=body, headers=_auth(keys["screen"]))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert client.post("/v1/lists/us_ofac_sdn/refresh", headers=_auth(keys["screen"])).status_code == 403


def test_revoked_key_stops_working(client: TestClient, engine: Engine, keys: dict[str, str]) -> None:
    assert client.post("/v1/screen", json=MADURO, headers=_auth(keys["screen"])).status_code == 200
    revoke_key(engine, "erp")
    response = client.post("/v1/screen", json=MADURO, headers=_auth(keys["screen"]))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_revoking_every_key_leaves_the_api_closed(client: TestClient, engine: Engine) -> None:
    revoke_key(engine, "erp")
    revoke_key(engine, "compliance")
    assert client.get("/v1/screenings").status_code == 401
    body = {"source": "us_ofac_sdn", "entity_id": "22790", "reference": "CUST-1", "reason": "not him"}
    assert client.post("/v1/clearances", json=body).status_code == 401
    assert client.post("/v1/screen", json=MADURO).status_code == 401
    new_key = create_key(engine, "erp-2", "screen")
    assert client.post("/v1/screen", json=MADURO, headers=_auth(new_key)).status_code == 200


def test_batch_keeps_order_and_reports_item_errors(client: TestClient, keys: dict[str, str]) -> None:
    parties = [MADURO, {"name": ""}, {"name": "Hans Müller"}, {"name": "X", "date_of_birth": "1990-02-30"}]
    response = client.post("/v1/screen/batch", json={"parties": parties}, headers=_auth(keys["screen"]))
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 4
    assert results[0]["decision"] != "clear" and results[0]["reference"] == "CUST-1"
    assert results[1]["index"] == 1 and "parties[1].name" in results[1]["error"]["detail"]
    assert results[2]["decision"] == "clear"
    assert results[3]["error"]["code"] == "invalid_input" and "date_of_birth" in results[3]["error"]["detail"]


def test_batch_results_are_the_responses_the_audit_trail_stores(client: TestClient, keys: dict[str, str]) -> None:
    parties = [MADURO, {"name": "Hans Müller", "reference": "CUST-2"}, {"name": ""}]
    batch = client.post("/v1/screen/batch", json={"parties": parties}, headers=_auth(keys["screen"])).json()
    assert set(batch) == {"batch_id", "results"}
    screened = [result for result in batch["results"] if "screening_id" in result]
    assert len(screened) == 2
    for result in screened:
        record = client.get(f"/v1/screenings/{result['screening_id']}", headers=_auth(keys["admin"])).json()
        assert record["response"] == result
        assert record["batch_id"] == batch["batch_id"] and record["kind"] == "batch"
    error = batch["results"][2]
    assert error["index"] == 2 and set(error["error"]) == {"detail", "code"}
    assert error["error"]["code"] == "invalid_input" and error["error"]["detail"].startswith("parties[2].name")


def test_batch_over_the_limit_is_413(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post("/v1/screen/batch", json={"parties": [MADURO] * 6}, headers=_auth(keys["screen"]))
    assert response.status_code == 413
    assert "limit is 5" in response.json()["detail"]


def test_audit_record_is_what_the_caller_saw(client: TestClient, keys: dict[str, str]) -> None:
    seen = client.post("/v1/screen", json=MADURO, headers=_auth(keys["screen"])).json()
    record = client.get(f"/v1/screenings/{seen['screening_id']}", headers=_auth(keys["screen"])).json()
    assert record["response"] == seen
    assert record["caller"] == "erp" and record["kind"] == "single" and record["reference"] == "CUST-1"
    assert record["request"]["name"] == MADURO["name"]
    assert record["lists"] == seen["lists"] and record["lists"][0]["source"] == "us_ofac_sdn"
    # The admin sees every record; another screen-scoped key would not.
    assert client.get(f"/v1/screenings/{seen['screening_id']}", headers=_auth(keys["admin"])).status_code == 200


def test_other_callers_records_are_hidden(client: TestClient, engine: Engine, keys: dict[str, str]) -> None:
    other = create_key(engine, "webshop", "screen")
    seen = client.post("/v1/screen", json=MADURO, headers=_auth(keys["screen"])).json()
    assert client.get(f"/v1/screenings/{seen['screening_id']}", headers=_auth(other)).status_code == 404
    assert client.get("/v1/screenings", headers=_auth(other)).json()["items"] == []


def test_audit_listing_filters_and_pages(client: TestClient, keys: dict[str, str]) -> None:
    headers = _auth(keys["screen"])
    for index in range(3):
        client.post("/v1/screen", json={**MADURO, "reference": f"R-{index}"}, headers=headers)
    client.post("/v1/screen", json={"name": "Hans Müller", "reference": "R-clear"}, headers=headers)
    page = client.get("/v1/screenings", params={"decision": "clear"}, headers=headers).json()
    assert [item["reference"] for item in page["items"]] == ["R-clear"]
    first = client.get("/v1/screenings", params={"limit": 2}, headers=headers).json()
    second = client.get("/v1/screenings", params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers).json()
    references = [item["reference"] for item in first["items"] + second["items"]]
    assert references == ["R-clear", "R-2", "R-1", "R-0"]
    assert second["next_cursor"] is None
    by_reference = client.get("/v1/screenings", params={"reference": "R-1"}, headers=headers).json()["items"]
    assert len(by_reference) == 1
    assert client.get("/v1/screenings", params={"since": "yesterday"}, headers=headers).status_code == 422


def test_stored_records_cannot_be_altered(client: TestClient, engine: Engine, keys: dict[str, str]) -> None:
    seen = client.post("/v1/screen", json=MADURO, headers=_auth(keys["screen"])).json()
    with pytest.raises(DBAPIError, match="immutable"), engine.begin() as connection:
        connection.execute(
            text("UPDATE screening_record SET decision = 'clear' WHERE id = :id"), {"id": seen["screening_id"]}
        )


def _clear(client: TestClient, key: str, **fields: object) -> dict[str, object]:
    body = {"source": "us_ofac_sdn", "entity_id": "22790", "reason": "Different person: born 1990 in Lyon"}
    response = client.post("/v1/clearances", json={**body, **fields}, headers=_auth(key))
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_clearance_marks_the_match_and_clears_the_decision(client: TestClient, keys: dict[str, str]) -> None:
    headers = _auth(keys["screen"])
    assert client.post("/v1/screen", json=MADURO, headers=headers).json()["decision"] != "clear"
    clearance = _clear(client, keys["admin"], reference="CUST-1")
    after = client.post("/v1/screen", json=MADURO, headers=headers).json()
    assert after["decision"] == "clear"
    assert after["matches"][0]["entity_id"] == "22790" and after["matches"][0]["cleared"] is True
    # Another party with the same name but another reference is not covered.
    other = client.post("/v1/screen", json={**MADURO, "reference": "CUST-2"}, headers=headers).json()
    assert other["decision"] != "clear" and other["matches"][0]["cleared"] is False
    # Revoking it brings the alert back; both changes are listed.
    assert client.delete(f"/v1/clearances/{clearance['id']}", headers=_auth(keys["admin"])).status_code == 200
    assert client.post("/v1/screen", json=MADURO, headers=headers).json()["decision"] != "clear"
    listed = client.get("/v1/clearances", params={"include_inactive": True}, headers=_auth(keys["admin"])).json()
    assert [(item["id"], item["active"], item["revoked_by"]) for item in listed] == [
        (clearance["id"], False, "compliance")
    ]


def test_clearance_by_name_and_country(client: TestClient, keys: dict[str, str]) -> None:
    _clear(client, keys["admin"], name="MADURO MOROS, Nicolas", country="FR")
    headers = _auth(keys["screen"])
    in_france = client.post("/v1/screen", json={"name": "Nicolas Maduro Moros", "country": "FR"}, headers=headers)
    assert in_france.json()["decision"] == "clear"
    elsewhere = client.post("/v1/screen", json={"name": "Nicolas Maduro Moros", "country": "VE"}, headers=headers)
    assert elsewhere.json()["decision"] != "clear"


def test_clearance_stops_when_the_entry_changes(
    client: TestClient, engine: Engine, settings: Settings, keys: dict[str, str]
) -> None:
    _clear(client, keys["admin"], reference="CUST-1")
    headers = _auth(keys["screen"])
    assert client.post("/v1/screen", json=MADURO, headers=headers).json()["decision"] == "clear"
    changed = [OfacRow(22790, "MADURO MOROS, Nicolas", "individual", "VENEZUELA] [VENEZUELA-EO13692"), *BASE_ROWS[1:]]
    _ingest(engine, settings, changed)
    client.app.state.index_holder.refresh()  # type: ignore[attr-defined]
    after = client.post("/v1/screen", json=MADURO, headers=headers).json()
    assert after["matches"][0]["cleared"] is False
    assert after["decision"] != "clear"


def test_clearance_stops_when_it_expires(client: TestClient, engine: Engine, keys: dict[str, str]) -> None:
    clearance = _clear(
        client, keys["admin"], reference="CUST-1", expires_at=(utc_now() + timedelta(days=1)).isoformat()
    )
    headers = _auth(keys["screen"])
    assert client.post("/v1/screen", json=MADURO, headers=headers).json()["decision"] == "clear"
    with engine.begin() as connection:
        connection.execute(
            update(Clearance)
            .where(col(Clearance.id) == clearance["id"])
            .values(expires_at=utc_now() - timedelta(seconds=1))
        )
    assert client.post("/v1/screen", json=MADURO, headers=headers).json()["decision"] != "clear"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"source": "us_ofac_sdn", "entity_id": "22790", "reason": "no party given"}, 422, "reference"),
        ({"source": "nope", "entity_id": "1", "reference": "R", "reason": "bad source"}, 404, "nope"),
        ({"source": "us_ofac_sdn", "entity_id": "0", "reference": "R", "reason": "no such entry"}, 404, "'0'"),
        ({"source": "us_ofac_sdn", "entity_id": "22790", "reference": "R", "reason": ""}, 422, "reason"),
        (
            {
                "source": "us_ofac_sdn",
                "entity_id": "22790",
                "reference": "R",
                "reason": "old",
                "expires_at": "2001-01-01",
            },
            422,
            "expires_at",
        ),
    ],
)
def test_bad_clearances(
    client: TestClient, keys: dict[str, str], body: dict[str, object], status: int, field: str
) -> None:
    response = client.post("/v1/clearances", json=body, headers=_auth(keys["admin"]))
    assert response.status_code == status
    assert field in response.json()["detail"]


def test_a_clearance_made_through_another_replica_applies_after_the_directory_reload(
    engine: Engine, settings: Settings, keys: dict[str, str]
) -> None:
    _ingest(engine, settings, BASE_ROWS)
    # No periodic reload during the test: the reload below is the one that brings the clearance.
    app = create_app(settings.model_copy(update={"index_poll_seconds": 3600, "api_key_cache_seconds": 0}))
    with TestClient(app) as client:
        _screen_before_and_after_the_reload(client, engine, keys)


def _screen_before_and_after_the_reload(client: TestClient, engine: Engine, keys: dict[str, str]) -> None:
    # Written straight to the shared store, as another replica's API would.
    create_clearance(
        engine=engine,
        actor="compliance",
        source="us_ofac_sdn",
        entity_id="22790",
        reason="Different person: born 1990 in Lyon",
        reference="CUST-1",
        name=None,
        country=None,
        expires_at=None,
    )
    headers = _auth(keys["screen"])
    # Until this replica reloads its directory, the match stays uncleared: the stricter answer.
    assert client.post("/v1/screen", json=MADURO, headers=headers).json()["decision"] != "clear"
    client.app.state.clearance_directory.reload()  # type: ignore[attr-defined]
    assert client.post("/v1/screen", json=MADURO, headers=headers).json()["decision"] == "clear"


def test_a_revocation_through_another_replica_applies_at_once(
    client: TestClient, engine: Engine, keys: dict[str, str]
) -> None:
    clearance = _clear(client, keys["admin"], reference="CUST-1")
    headers = _auth(keys["screen"])
    assert client.post("/v1/screen", json=MADURO, headers=headers).json()["decision"] == "clear"
    revoke_clearance(engine=engine, actor="compliance", clearance_id=str(clearance["id"]))
    assert client.post("/v1/screen", json=MADURO, headers=headers).json()["decision"] != "clear"
